"""Reads for notifications. A notification with a `visible_from` in the future is not there
yet: neither listed nor counted."""

import functools
from datetime import datetime

import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import ORMExecuteState, Session

from portfolio.accounts.models import User
from portfolio.db import utcnow
from portfolio.extensions import db
from portfolio.reads import rows as read_rows
from portfolio.review.models import Notification

#: When a notification appears in the inbox: its visible_from, else when it was written.
SHOWN_AT = sa.func.coalesce(Notification.visible_from, Notification.created_at)


def visible(now: datetime | None = None) -> sa.ColumnElement[bool]:
    """The condition that a notification is shown at `now` (default: this moment)."""
    return sa.or_(
        Notification.visible_from.is_(None), Notification.visible_from <= (now or utcnow())
    )


def inbox(user: User, now: datetime | None = None) -> sa.Select:
    """The user's notifications shown at `now`, unread first, then the latest shown first."""
    return (
        sa.select(Notification)
        .where(Notification.user_id == user.id, visible(now))
        .order_by(Notification.read_at.is_not(None), SHOWN_AT.desc(), Notification.id.desc())
    )


@functools.cache
def inbox_statement() -> sa.Select:
    """`inbox` built once, for the inbox page: bind :user_id and :now."""
    now = sa.bindparam("now", type_=Notification.visible_from.type)
    return (
        sa.select(Notification)
        .where(
            Notification.user_id == sa.bindparam("user_id"),
            sa.or_(Notification.visible_from.is_(None), Notification.visible_from <= now),
        )
        .order_by(Notification.read_at.is_not(None), SHOWN_AT.desc(), Notification.id.desc())
    )


def _unread_where() -> sa.ColumnElement[bool]:
    """Unread and shown, for the user and moment bound as :user_id and :now."""
    return sa.and_(
        Notification.user_id == sa.bindparam("user_id"),
        Notification.read_at.is_(None),
        sa.or_(
            Notification.visible_from.is_(None),
            Notification.visible_from <= sa.bindparam("now", type_=Notification.visible_from.type),
        ),
    )


@functools.cache
def _unread_statement() -> sa.Select:
    """The unread COUNT, built once: building a statement costs more than running this one."""
    return sa.select(sa.func.count(Notification.id)).where(_unread_where())


@functools.cache
def user_with_unread_count() -> sa.Select:
    """The signed-in user and their unread count in one statement, built once (every page
    loads its user and shows the count: one round trip instead of two). Bind :user_id and
    :now; the loader keeps the count with `remember_unread`."""
    count = sa.select(sa.func.count(Notification.id)).where(_unread_where()).scalar_subquery()
    return sa.select(User, count.label("unread")).where(User.id == sa.bindparam("user_id"))


def remember_unread(count: int) -> None:
    """Keep the unread count read with the user for this request's header."""
    g.unread_at_load = count
    db.session.info["unread_fresh"] = True


def unread_known() -> int | None:
    """The unread count read with the user, while nothing this request wrote can have changed
    it; None when it must be counted again."""
    if db.session.info.get("unread_fresh") and "unread_at_load" in g:
        return g.unread_at_load
    return None


def unread_count(user: User, now: datetime | None = None) -> int:
    """How many of the user's notifications shown at `now` are unread: one COUNT, for the page
    header. Run on the session's connection (a plain count needs none of the ORM's work)."""
    found = read_rows(_unread_statement(), {"user_id": user.id, "now": now or utcnow()})
    return found.scalar() or 0


def header_unread_count(user: User) -> int:
    """The header's unread count: the one read with the user, unless this request has written
    since (any flush or bulk write clears `unread_fresh`; a page that opens a notification's
    link marks it read on GET), in which case it is counted again."""
    known = unread_known()
    return unread_count(user) if known is None else known


@sa.event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush_context) -> None:
    session.info.pop("unread_fresh", None)


@sa.event.listens_for(Session, "do_orm_execute")
def _bulk_write(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        state.session.info.pop("unread_fresh", None)
