"""Notifications: sending, reading one or all, the unread count, notices written now and shown
later, and the notice a submission sends."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portfolio.db import utcnow
from portfolio.extensions import db
from portfolio.notifications import queries, services
from portfolio.notifications.services import NotificationError
from portfolio.review.models import Notification
from tests.evidence.conftest import worked  # noqa: F401  (fixture)
from tests.library.conftest import bundle  # noqa: F401  (fixture)
from tests.review.conftest import submitted  # noqa: F401  (fixture)


def test_notify_and_read(world):
    first = services.notify(world.learner, "note", "Hello", "/dashboard")
    services.notify(world.learner, kind="note", message="Again", link="")
    services.notify(world.peer, "note", "Not yours", "")
    assert queries.unread_count(world.learner) == 2
    assert db.session.scalars(queries.inbox(world.learner)).all()[-1] == first
    with pytest.raises(NotificationError, match="not yours"):
        services.mark_read(first, by=world.peer)
    services.mark_read(first, by=world.learner)
    read_at = first.read_at
    services.mark_read(first, by=world.learner)
    assert first.read_at == read_at and queries.unread_count(world.learner) == 1
    assert db.session.scalars(queries.inbox(world.learner)).all()[0].message == "Again"
    assert services.mark_all_read(world.learner) == 1
    assert queries.unread_count(world.learner) == 0
    assert queries.unread_count(world.peer) == 1


def test_links_stay_inside_the_site(world):
    for link in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        with pytest.raises(NotificationError, match="page of this site"):
            services.notify(world.learner, "note", "Phish", link)


def test_opening_the_linked_page_reads_it(world):
    services.notify(world.learner, "note", "Feedback", "/assess/feedback/1")
    assert services.mark_read_for_link(world.learner, "/assess/feedback/1") == 1
    assert queries.unread_count(world.learner) == 0


def test_a_notification_still_to_come_is_neither_listed_nor_counted(world):
    now = utcnow()
    later = services.notify(
        world.learner,
        "note",
        "Opens tomorrow",
        "/exercises/1",
        visible_from=now + timedelta(days=1),
    )
    services.notify(world.learner, "note", "Now", "")
    assert queries.unread_count(world.learner) == 1
    assert [n.message for n in db.session.scalars(queries.inbox(world.learner))] == ["Now"]
    # Reading everything, or opening the page it links to, leaves it for when it appears.
    assert services.mark_read_for_link(world.learner, "/exercises/1") == 0
    assert services.mark_all_read(world.learner) == 1
    tomorrow = now + timedelta(days=1, minutes=1)
    assert queries.unread_count(world.learner, tomorrow) == 1
    # Once shown it comes first among the unread, ordered by when it appeared.
    services.notify(world.learner, "note", "Unread, older", "")
    shown = db.session.scalars(queries.inbox(world.learner, tomorrow)).all()
    assert [n.message for n in shown] == ["Opens tomorrow", "Unread, older", "Now"]
    assert later.read_at is None


def test_a_submission_tells_the_learners_assessor(submitted):  # noqa: F811
    note = db.session.scalar(
        sa.select(Notification).where(Notification.user_id == submitted.assessor.id)
    )
    assert note.kind == "submission_received"
    assert f"{submitted.learner.full_name} submitted version 1" in note.message
    assert note.link == f"/assess/submissions/{submitted.submission.id}"


def test_a_learner_without_an_assessor_tells_nobody(world):
    assert services.submission_received(object(), learner=world.peer) is None
