"""The inbox page and the header's unread count: notices still to come stay out of both, and
both run a fixed number of queries however many notifications there are."""

from datetime import timedelta

from portfolio.db import utcnow
from portfolio.notifications import services
from tests.conftest import login


def test_the_inbox_and_count_leave_out_what_is_still_to_come(client, world, count_queries):
    services.notify(world.learner, "note", "Feedback is ready", "/dashboard")
    login(client, world.learner)
    with count_queries() as few:
        page = client.get("/notifications/").text
    assert "Feedback is ready" in page and '1<span class="visually-hidden"> unread' in page
    soon = utcnow() + timedelta(days=2)
    for n in range(40):
        services.notify(world.learner, "note", f"Coming {n}", "/exercises/9", visible_from=soon)
        services.notify(world.learner, "note", f"Shown {n}", "")
    login(client, world.learner)
    with count_queries() as many:
        page = client.get("/notifications/").text
    assert "Coming" not in page and "Shown 39" in page
    assert '41<span class="visually-hidden"> unread' in page
    assert len(many) == len(few)


def test_a_notice_still_to_come_cannot_be_opened(client, world):
    hidden = services.notify(
        world.learner, "note", "Later", "/dashboard", visible_from=utcnow() + timedelta(days=1)
    )
    login(client, world.learner)
    assert client.post(f"/notifications/{hidden.id}/open").status_code == 404
    assert hidden.read_at is None


def test_a_notice_written_ahead_is_dated_when_it_appears(client, world):
    """An exercise's notice is written when it is set and shown from its opening day: the inbox
    dated it by when it was written, days before the exercise opened."""
    from portfolio.extensions import db

    written = utcnow() - timedelta(days=5)
    shown = utcnow() - timedelta(days=1)
    note = services.notify(world.learner, "note", "Exercise open", "", visible_from=shown)
    note.created_at = written
    db.session.commit()
    login(client, world.learner)
    page = client.get("/notifications/").text
    assert shown.strftime("%-d %b %Y") in page and written.strftime("%-d %b %Y") not in page


def test_the_header_count_comes_with_the_user(client, world, count_queries):
    """Every page loads its user and shows the unread count: one statement does both, so no
    page runs a COUNT of its own for the header."""
    services.notify(world.learner, "note", "One", "")
    services.notify(world.learner, "note", "Two", "")
    login(client, world.learner)
    with count_queries() as queries:
        page = client.get("/cases/").text
    assert '2<span class="visually-hidden"> unread' in page
    counts = [sql for sql in queries if "count(notifications.id)" in sql.lower()]
    assert len(counts) == 1 and "FROM users" in counts[0]


def test_the_count_read_with_the_user_is_dropped_after_a_write(app, world):
    """The header uses the count read with the user only while the request has written
    nothing: a flush or a bulk UPDATE (a page reading its own notice on GET) means a recount.
    (tests/review/test_views.py opens the bench and sees the count fall.)"""
    from portfolio.extensions import db
    from portfolio.notifications import queries

    services.notify(world.learner, "note", "One", "")
    queries.remember_unread(7)  # as the loader does; 7 is not the true count
    assert queries.header_unread_count(world.learner) == 7
    services.notify(world.learner, "note", "Two", "")
    assert queries.header_unread_count(world.learner) == 2
    queries.remember_unread(7)
    services.mark_read_for_link(world.learner, "/nowhere")
    assert queries.header_unread_count(world.learner) == 2
    db.session.rollback()


def test_a_page_past_the_end_does_not_claim_the_inbox_is_empty(client, world):
    """?page=9 of a one-page inbox said "You have no notifications" to someone who has some."""
    services.notify(world.learner, "note", "Feedback is ready", "/dashboard")
    login(client, world.learner)
    page = client.get("/notifications/?page=9").text
    assert "You have no notifications" not in page
    assert "There is no page 9: the last page is 1." in page
