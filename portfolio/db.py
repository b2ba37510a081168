"""Declarative base with a naming convention, and database-specific connection setup."""

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


#: No case event or evidence is dated before this: an earlier date (a date input takes any
#: year from 1) is a mistyped year.
EARLIEST_DATE = date(1900, 1, 1)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as UTC and always returned timezone-aware, on SQLite too."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _columns_set(state: ORMExecuteState, primary_key: set[str]) -> set[str]:
    """The columns a bulk UPDATE sets: from ``.values()``, or from the parameter rows of an
    UPDATE by primary key (whose key columns only say which row)."""
    values = state.statement._values  # noqa: SLF001  (ordered_values() fills it too)
    if values:
        return {getattr(key, "key", key) for key in values}
    rows = state.parameters
    rows = [rows] if isinstance(rows, dict) else list(rows or ())
    return {key for row in rows for key in row} - primary_key


def refuse_bulk_changes(
    table: sa.Table, message: str, *, mutable: Iterable[str] = ()
) -> Callable[[ORMExecuteState], None]:
    """Refuse bulk DELETE statements on ``table`` run through a session, and bulk UPDATE
    statements that set any column outside ``mutable`` (or say nothing of what they set).
    Mapper events (before_update, before_delete) guard changes to loaded objects, but bulk
    statements skip them; this closes that way round. Raw SQL on a connection is not seen:
    the hash chain and snapshot hash are what catch that. Returns the listener; keep it."""
    mutable = frozenset(mutable)
    primary_key = {column.key for column in table.primary_key}

    @event.listens_for(Session, "do_orm_execute")
    def _refuse(state: ORMExecuteState) -> None:
        if not (state.is_update or state.is_delete):
            return
        # update(Model) targets an annotated copy of the table, update(table) the table itself.
        target = getattr(state.statement, "table", None)
        if getattr(target, "name", None) != table.name or target.schema != table.schema:
            return
        if state.is_delete:
            raise RuntimeError(message)
        changed = _columns_set(state, primary_key)
        if not changed or changed - mutable:
            raise RuntimeError(message)

    return _refuse


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Enforce foreign keys and use WAL on SQLite, so it behaves like the PostgreSQL leg and
    readers do not block the writer."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
