"""Reads that need none of the ORM: a select of columns run on the session's connection.

Through the session, even a select of plain columns goes through the ORM's execution and
result machinery (about 100 µs a statement here); run on the connection, in the same
transaction, the rows come straight from the driver. For reads only: session-level statement
hooks (portfolio.db.refuse_bulk_changes) watch writes and do not see these."""

from typing import Any

import sqlalchemy as sa

from portfolio.extensions import db


def rows(statement: sa.Executable, params: dict[str, Any] | None = None) -> sa.CursorResult:
    """Run a select of columns (not of mapped objects) in the request's transaction."""
    return db.session.connection().execute(statement, params or {})
