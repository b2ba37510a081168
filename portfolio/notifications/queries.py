"""Reads for notifications. A notification with a `visible_from` in the future is not there
yet: neither listed nor counted."""

import functools
from datetime import datetime

import sqlalchemy as sa

from portfolio.accounts.models import User
from portfolio.db import utcnow
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
def _unread_statement() -> sa.Select:
    """The unread COUNT, built once: every page's header runs it, and building a statement
    costs more than running this one."""
    return sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == sa.bindparam("user_id"),
        Notification.read_at.is_(None),
        sa.or_(
            Notification.visible_from.is_(None),
            Notification.visible_from <= sa.bindparam("now", type_=Notification.visible_from.type),
        ),
    )


def unread_count(user: User, now: datetime | None = None) -> int:
    """How many of the user's notifications shown at `now` are unread: one COUNT, for the page
    header. Run on the session's connection (a plain count needs none of the ORM's work)."""
    found = read_rows(_unread_statement(), {"user_id": user.id, "now": now or utcnow()})
    return found.scalar() or 0
