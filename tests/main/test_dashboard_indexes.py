"""The dashboards' counting statements read the covering indexes made for them, not the
tables' rows: on SQLite a submission's status sits after its snapshot, so reading it from the
row walks the snapshot's overflow pages (the admin dashboard cost twice as much at scale)."""

from datetime import date

import pytest
import sqlalchemy as sa

from portfolio.extensions import db
from portfolio.main.dashboards import _centre_counts_statement, _progress_statement


def _plan(statement: sa.Select, params: dict) -> str:
    connection = db.session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    bound = {**compiled.params, **params}
    sql = f"EXPLAIN QUERY PLAN {compiled}"
    values = [bound[name] for name in compiled.positiontup]
    return "\n".join(row[-1] for row in connection.exec_driver_sql(sql, tuple(values)))


@pytest.fixture
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the plans checked are SQLite's; PostgreSQL plans by its statistics")


def test_the_admin_dashboards_progress_reads_versions_and_starts_from_their_indexes(
    sqlite_only, world
):
    plan = _plan(_progress_statement(), {"centre_id": world.centre.id, "today": date.today()})
    assert "COVERING INDEX ix_submissions_portfolio_newest" in plan, plan
    assert "COVERING INDEX ix_cases_exercise_started" in plan, plan


def test_the_centre_counts_read_users_from_their_index(sqlite_only, world):
    plan = _plan(_centre_counts_statement(), {"centre_id": world.centre.id})
    assert "COVERING INDEX ix_users_centre_id_role_allocation" in plan, plan
