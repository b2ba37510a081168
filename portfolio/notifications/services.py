"""Writes for notifications: send one, mark one or all read; and the notices some events
send (a submission received)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app

from portfolio.accounts.models import User
from portfolio.db import utcnow
from portfolio.extensions import db
from portfolio.notifications.queries import visible
from portfolio.review.models import Notification

if TYPE_CHECKING:
    from portfolio.evidence.models import Submission


class NotificationError(Exception):
    """A notification action was refused; the message is shown as it is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def notify(
    user: User,
    kind: str,
    message: str,
    link: str = "",
    *,
    visible_from: datetime | None = None,
) -> Notification:
    """Put a message in the user's inbox. `link` is a path within the app (or empty). With
    `visible_from`, the message is written now but shown and counted only from then."""
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link):
        raise NotificationError("A notification links only to a page of this site.")
    notification = Notification(
        user=user,
        kind=kind[:40],
        message=message[:500],
        link=link[:300],
        visible_from=visible_from,
    )
    db.session.add(notification)
    db.session.flush()
    return notification


def mark_read(notification: Notification, *, by: User) -> Notification:
    """Mark one of the user's own notifications read (reading it again changes nothing)."""
    if notification.user_id != by.id:
        raise NotificationError("That notification is not yours.")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification the user can see read (not those still to come);
    returns how many."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None), visible())
        .values(read_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def mark_read_for_link(user: User, link: str) -> int:
    """Opening the page a notification points at reads it: mark those read (those still to
    come stay unread, to be seen when they appear)."""
    result = db.session.execute(
        sa.update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.link == link,
            Notification.read_at.is_(None),
            visible(),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def path_to(endpoint: str, **values) -> str:
    """A path within the app for a notification's link, built without a request (services
    also run from the CLI)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def submission_received(submission: Submission, *, learner: User) -> Notification | None:
    """Tell the learner's allocated assessor that a version is waiting, with a link to its
    marking bench; nobody is told while the learner has no assessor (the centre admin's
    dashboard flags unallocated learners)."""
    if learner.assessor_id is None:
        return None
    return notify(
        learner.assessor,
        "submission_received",
        f"{learner.full_name} submitted version {submission.number} of their portfolio: it is "
        "waiting for you to mark.",
        path_to("review.bench", submission_id=submission.id),
    )
