"""Shared fixtures: an app on a clean database for each test (SQLite by default, PostgreSQL
when DATABASE_URL is set), factories that flush rather than commit, sign-in helpers and a
query counter."""

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient

from portfolio import create_app
from portfolio.accounts import services
from portfolio.accounts import services as account_services
from portfolio.accounts.models import Centre, User
from portfolio.evidence.queries import forget_submitted_refs
from portfolio.extensions import db
from portfolio.roles import Role

PASSWORD = "correct horse battery"

# Tests create hundreds of users with a handful of passwords: hash each password once.
# Verification still runs argon2 for real, so sign-in tests prove the hashes work.
_real_hash = account_services.hash_password
_hash_cache: dict[str, str] = {}


def _cached_hash(password: str) -> str:
    if password not in _hash_cache:
        _hash_cache[password] = _real_hash(password)
    return _hash_cache[password]


account_services.hash_password = _cached_hash
_TMP = Path(tempfile.mkdtemp(prefix="portfolio-tests-"))


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{_TMP / 'test.sqlite3'}"


def _engine_options() -> dict:
    """Under pytest-xdist each worker gets its own PostgreSQL schema (SQLite already gets a
    file per process), so parallel workers never empty each other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = _database_url()
    if not worker or not url.startswith("postgresql"):
        return {"pool_pre_ping": True}
    schema = f"test_{worker}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    engine.dispose()
    # A commit need not wait for the WAL to reach the disk: the test database is thrown away,
    # and the suite commits thousands of times.
    options = f"-csearch_path={schema} -csynchronous_commit=off"
    return {"pool_pre_ping": True, "connect_args": {"options": options}}


@sa.event.listens_for(sa.Engine, "connect")
def _sqlite_without_fsync(dbapi_connection, connection_record) -> None:
    """SQLite's counterpart of synchronous_commit=off above: the app's WAL mode syncs the log
    at every commit (about 3.6 ms here), and the suite commits tens of thousands of times."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "SQLALCHEMY_DATABASE_URI": _database_url(),
    "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(),
    "WTF_CSRF_ENABLED": False,
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 1024,
    "UPLOAD_DIR": str(_TMP / "uploads"),
    "PDF_CACHE_DIR": str(_TMP / "pdf"),
    "DEMO_MODE": False,
}


@pytest.fixture(scope="session")
def _schema() -> Iterator[None]:
    """Create the schema once per run; each test then starts from empty tables."""
    app = create_app(TEST_CONFIG)
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


# A test leaves a few rows: deleting them is about 2 ms on PostgreSQL, where TRUNCATE of every
# table cost about 185 ms a test (it makes new files for each table), a third of the PG leg.
_RESTART_SEQUENCES = sa.text(
    "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind = 'S' AND n.nspname = current_schema()"
)


def _empty_tables() -> None:
    """Delete every row, children first, and start IDs from 1 again (as SQLite does once a
    table is empty), so each test sees the same IDs on both databases."""
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("; ".join(f'DELETE FROM "{t.name}"' for t in tables))
            conn.execute(_RESTART_SEQUENCES)
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change configuration."""
    return {}


_APPS: dict[tuple, Flask] = {}


def _as_if_a_new_context() -> None:
    """Requests share the test's app context, so `g` outlives a request here as it never does
    in production: forget the signed-in user each request, so that it is loaded (with its
    unread count) as a real request loads it."""
    g.pop("_login_user", None)
    g.pop("unread_at_load", None)


@pytest.fixture
def app(_schema, app_config) -> Iterator[Flask]:
    """An app on empty tables. Apps are reused across tests with the same overrides (building
    one costs ~50 ms); a test may change app.config freely, since it is restored afterwards."""
    key = tuple(sorted((k, repr(v)) for k, v in app_config.items()))
    if key not in _APPS:
        _APPS[key] = create_app({**TEST_CONFIG, **app_config})
        _APPS[key].before_request_funcs.setdefault(None, []).insert(0, _as_if_a_new_context)
    app = _APPS[key]
    saved = dict(app.config)
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        forget_submitted_refs()  # the next test's version 1 is another version
    app.config.clear()
    app.config.update(saved)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def make_centre(app) -> Callable[..., Centre]:
    counter = iter(range(1, 10_000))

    def make(name: str | None = None) -> Centre:
        return services.create_centre(name=name or f"Centre {next(counter)}")

    return make


@pytest.fixture
def make_user(make_centre) -> Callable[..., User]:
    counter = iter(range(1, 100_000))

    def make(
        role: Role = Role.LEARNER,
        centre: Centre | None = None,
        *,
        email: str | None = None,
        full_name: str | None = None,
        password: str = PASSWORD,
        must_change_password: bool = False,
        assessor: User | None = None,
        iqa: User | None = None,
    ) -> User:
        n = next(counter)
        if centre is None and role != Role.SITE_ADMIN:
            centre = make_centre()
        user = services.create_user(
            email=email or f"{role.value}{n}@example.test",
            full_name=full_name or f"{role.label.split()[0]} Person{n}",
            role=role,
            centre=centre,
            password=password,
            must_change_password=must_change_password,
        )
        user.assessor = assessor
        user.iqa = iqa
        db.session.flush()
        return user

    return make


def login(client: FlaskClient, user: User) -> FlaskClient:
    """Sign a test client in as `user` without going through the form (fast)."""
    db.session.commit()
    # Requests share the test's app context, where Flask-Login caches the user on `g`.
    g.pop("_login_user", None)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return client


@pytest.fixture
def login_as(client) -> Callable[[User], FlaskClient]:
    return lambda user: login(client, user)


@contextmanager
def _counting(engine: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []
    # Requests share the test's session (same app context): expire it so that every measured
    # request loads what it needs, as it would in production.
    db.session.expire_all()

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def count_queries(app) -> Callable:
    """`with count_queries() as queries: ...` then `len(queries)`."""
    return lambda: _counting(db.engine)


class World:
    """Two centres with a user of every role, for authorization tests. Centre A's learner is
    allocated to A's assessor and IQA; `other_*` users belong to centre B."""

    def __init__(self, make_centre, make_user):
        self.centre = make_centre("Alpha Centre")
        self.other_centre = make_centre("Beta Centre")
        self.admin = make_user(Role.CENTRE_ADMIN, self.centre, email="admin@alpha.test")
        self.assessor = make_user(Role.ASSESSOR, self.centre, email="assessor@alpha.test")
        self.iqa = make_user(Role.IQA, self.centre, email="iqa@alpha.test")
        self.learner = make_user(
            Role.LEARNER,
            self.centre,
            email="learner@alpha.test",
            assessor=self.assessor,
            iqa=self.iqa,
        )
        self.peer = make_user(Role.LEARNER, self.centre, email="peer@alpha.test")
        self.other_admin = make_user(Role.CENTRE_ADMIN, self.other_centre, email="admin@beta.test")
        self.other_assessor = make_user(
            Role.ASSESSOR, self.other_centre, email="assessor@beta.test"
        )
        self.other_learner = make_user(
            Role.LEARNER,
            self.other_centre,
            email="learner@beta.test",
            assessor=self.other_assessor,
        )
        self.site_admin = make_user(Role.SITE_ADMIN, None, email="root@site.test")
        self.cohort = services.create_cohort(centre=self.centre, name="Alpha cohort")
        services.set_cohort_members(self.cohort, learners=[self.learner, self.peer])
        db.session.commit()

    def by_role(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)


@pytest.fixture
def world(make_centre, make_user) -> World:
    return World(make_centre, make_user)
