"""Notifications: sending, reading one or all, and the unread count."""

import pytest

from portfolio.extensions import db
from portfolio.notifications import queries, services
from portfolio.notifications.services import NotificationError


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
