"""The Alembic migrations build exactly the schema the models declare, downgrade cleanly, and
SQLite connections get the pragmas that make it behave like PostgreSQL.

Each test builds its own empty database: a temporary SQLite file, or with DATABASE_URL a fresh
PostgreSQL schema (dropped afterwards), so the tables the other tests share are never touched."""

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from portfolio import create_app
from portfolio.extensions import db
from tests.conftest import TEST_CONFIG

# portfolio/migrations/env.py is Flask-Migrate's stock template: it tries the deprecated
# db.get_engine() before db.engine, so each migration run warns under Flask-SQLAlchemy 3.1.
pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")


@dataclass
class EmptyDatabase:
    url: str
    engine_options: dict

    def app(self) -> Flask:
        options = {"pool_pre_ping": True, **self.engine_options}
        return create_app(
            {
                **TEST_CONFIG,
                "SQLALCHEMY_DATABASE_URI": self.url,
                "SQLALCHEMY_ENGINE_OPTIONS": options,
            }
        )


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[EmptyDatabase]:
    url = TEST_CONFIG["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        yield EmptyDatabase(f"sqlite:///{tmp_path / 'migrations.sqlite3'}", {})
        return
    schema = f"mig_{secrets.token_hex(6)}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield EmptyDatabase(url, {"connect_args": {"options": f"-csearch_path={schema}"}})
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def _logging_kept() -> Iterator[None]:
    """Alembic's env.py calls logging.config.fileConfig, which disables every existing logger
    and replaces the root handlers; put them back so later tests still see their logs."""
    root = logging.getLogger()
    root_state = (root.level, root.handlers[:])
    loggers = {
        name: (logger.disabled, logger.level, logger.handlers[:], logger.propagate)
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    try:
        yield
    finally:
        root.setLevel(root_state[0])
        root.handlers[:] = root_state[1]
        for name, (disabled, level, handlers, propagate) in loggers.items():
            logger = logging.getLogger(name)
            logger.disabled, logger.propagate = disabled, propagate
            logger.setLevel(level)
            logger.handlers[:] = handlers


def _upgrade() -> None:
    with _logging_kept():
        flask_migrate.upgrade()


def _downgrade_to_base() -> None:
    with _logging_kept():
        flask_migrate.downgrade(revision="base")


def _schema_differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_migrations_build_the_schema_the_models_declare(empty_database: EmptyDatabase):
    app = empty_database.app()
    with app.app_context():
        assert _tables() == set(), "the database under test should start empty"
        _upgrade()
        assert _tables() == set(db.metadata.tables) | {"alembic_version"}
        differences = _schema_differences()
        db.engine.dispose()
    assert differences == [], (
        "the models and the migrations disagree; write a migration (flask db migrate) and "
        f"read it before committing: {differences}"
    )


def test_downgrade_to_base_then_upgrade_again(empty_database: EmptyDatabase):
    app = empty_database.app()
    with app.app_context():
        _upgrade()
        _downgrade_to_base()
        assert _tables() <= {"alembic_version"}, "downgrade left tables behind"
        _upgrade()
        assert _tables() == set(db.metadata.tables) | {"alembic_version"}
        differences = _schema_differences()
        db.engine.dispose()
    assert differences == []


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path: Path):
    """Runs on SQLite whatever DATABASE_URL says: the pragmas come from portfolio/db.py."""
    app = EmptyDatabase(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}", {}).app()
    with app.app_context():
        _upgrade()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO cohorts (centre_id, name, description, created_at) "
                "VALUES (999, 'Orphans', '', '2026-01-01 00:00:00')"
            )
        db.engine.dispose()
