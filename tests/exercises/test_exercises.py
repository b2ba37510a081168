"""Exercises: rules for setting one, starting within dates, the pinned (or chosen) version, the
notice shown when the exercise opens, and the board with every deadline."""

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from portfolio.accounts import services as accounts
from portfolio.accounts.models import User
from portfolio.casework import services as casework
from portfolio.casework.errors import CaseworkError
from portfolio.casework.models import TrailEvent
from portfolio.casework.trail import TrailKind
from portfolio.evidence.models import SubmissionStatus
from portfolio.exercises.models import Exercise
from portfolio.exercises.queries import live_board
from portfolio.exercises.services import ExerciseError, change_exercise, create_exercise
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario, ScenarioVersion
from portfolio.library.queries import spec_of
from portfolio.library.services import import_scenario, load_bundled
from portfolio.main.dashboards import admin_context
from portfolio.notifications import queries as notifications
from portfolio.review.models import Notification
from portfolio.roles import Role
from portfolio.scenarios.loader import load_bundle
from tests.conftest import login
from tests.library.conftest import bundle  # noqa: F401  (fixture)
from tests.submitting import submit_investigation

TODAY = date.today()


@pytest.fixture
def scenario(app, bundle):  # noqa: F811
    load_bundled(bundle)
    db.session.commit()
    return db.session.scalar(sa.select(LibraryScenario))


def _exercise(world, scenario, opens=TODAY, closes=TODAY + timedelta(days=7), version=None):
    return create_exercise(
        cohort=world.cohort,
        scenario=scenario,
        title="",
        opens_on=opens,
        closes_on=closes,
        by=world.admin,
        version=version,
    )


def _second_version(bundle):  # noqa: F811
    """Publish a changed copy of the minimal scenario: it becomes version 2."""
    manifest = bundle / "minimal" / "scenario.yaml"
    manifest.write_text(manifest.read_text().replace("Minimal Broadband: a bill", "Changed", 1))
    _, [spec] = load_bundle(bundle)
    import_scenario(spec, centre=None, publish=True)


def _form(world, scenario, **changes):
    return {
        "cohort": world.cohort.id,
        "scenario": scenario.id,
        "version": 0,
        "title": "Week 1",
        "opens_on": TODAY.isoformat(),
        "closes_on": (TODAY + timedelta(days=7)).isoformat(),
    } | changes


def test_setting_an_exercise_tells_the_cohort(world, scenario):
    exercise = _exercise(world, scenario)
    assert exercise.title == scenario.title
    notes = db.session.scalars(sa.select(Notification.user_id)).all()
    assert sorted(notes) == sorted([world.learner.id, world.peer.id])


def test_bad_exercises_are_refused(world, scenario):
    with pytest.raises(ExerciseError, match="on or after the open date"):
        _exercise(world, scenario, opens=TODAY, closes=TODAY - timedelta(days=1))
    other = accounts.create_cohort(centre=world.other_centre, name="Theirs")
    with pytest.raises(ExerciseError, match="your own centre"):
        create_exercise(
            cohort=other,
            scenario=scenario,
            title="x",
            opens_on=TODAY,
            closes_on=TODAY,
            by=world.admin,
        )
    assert db.session.scalar(sa.select(sa.func.count(Exercise.id))) == 0


def test_the_board_tells_a_returned_version_from_a_signed_off_one(client, world, scenario):
    """Both read "Assessed": the trainer could not see who was back at work to resubmit."""
    exercise = _exercise(world, scenario)
    for learner, status in (
        (world.learner, SubmissionStatus.RETURNED),
        (world.peer, SubmissionStatus.SIGNED_OFF),
    ):
        case = casework.start_case(learner, scenario, exercise=exercise)
        submit_investigation(learner, case, on=TODAY).status = status
    db.session.commit()
    board = live_board(exercise, TODAY)
    stages = {r.learner.id: r.stage for r in board.rows}
    assert stages == {world.learner.id: "returned", world.peer.id: "signed_off"}
    assert board.counts["returned"] == board.counts["signed_off"] == 1
    login(client, world.admin)
    page = client.get(f"/exercises/{exercise.id}").text
    assert "Returned to resubmit</td>" in page and "Signed off</td>" in page
    assert "Assessed" not in page


def test_cases_start_only_while_open_and_keep_the_pinned_version(world, scenario, bundle):  # noqa: F811
    early = _exercise(world, scenario, opens=TODAY + timedelta(days=1))
    with pytest.raises(CaseworkError, match="opens on"):
        casework.start_case(world.learner, scenario, exercise=early)
    closed = _exercise(world, scenario, opens=TODAY - timedelta(days=9), closes=TODAY)
    closed.closes_on = TODAY - timedelta(days=1)  # it has closed since
    with pytest.raises(CaseworkError, match="closed on"):
        casework.start_case(world.learner, scenario, exercise=closed)
    exercise = _exercise(world, scenario)
    _second_version(bundle)
    case = casework.start_case(world.learner, scenario, exercise=exercise)
    assert case.scenario_version_id == exercise.scenario_version_id
    assert case.version.number == 1 and scenario.current_number == 2
    with pytest.raises(CaseworkError, match="not set for you"):
        casework.start_case(world.other_learner, scenario, exercise=exercise)


def test_board_shows_stages_with_constant_queries(
    client, world, scenario, make_user, count_queries
):
    exercise = _exercise(world, scenario)
    case = casework.start_case(world.learner, scenario, exercise=exercise)
    casework.request_document(case, "crm-history")
    db.session.commit()
    rows = {r.learner.id: r for r in live_board(exercise, TODAY).rows}
    assert rows[world.learner.id].stage == "investigation"
    assert rows[world.peer.id].stage == "not_started"
    login(client, world.admin)
    with count_queries() as few:
        assert client.get(f"/exercises/{exercise.id}").status_code == 200
    for _ in range(15):
        learner = make_user(centre=world.centre)
        world.cohort.members.append(learner)
        casework.request_document(
            casework.start_case(learner, scenario, exercise=exercise), "crm-history"
        )
    db.session.commit()
    with count_queries() as many:
        page = client.get(f"/exercises/{exercise.id}?fragment=1")
    assert page.text.count("Investigation") >= 16
    assert len(many) <= len(few)


def test_views_refuse_close_before_open_and_learners_start(client, world, scenario):
    login(client, world.admin)
    response = client.post(
        "/exercises/new",
        data={
            "cohort": world.cohort.id,
            "scenario": scenario.id,
            "title": "Week 1",
            "opens_on": "2026-12-10",
            "closes_on": "2026-12-01",
        },
    )
    assert "on or after the open date" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Exercise.id))) == 0
    exercise = _exercise(world, scenario)
    db.session.commit()
    login(client, world.learner)
    assert "Start the case" in client.get(f"/exercises/{exercise.id}").text
    started = client.post(f"/exercises/{exercise.id}/start")
    assert started.status_code == 302 and "/cases/" in started.headers["Location"]
    login(client, world.other_learner)
    assert client.get(f"/exercises/{exercise.id}").status_code == 404


def test_setting_the_same_exercise_twice_makes_one(client, world, scenario):
    """A second click on Set exercise leads to the one already set: no second exercise on
    the learners' dashboards and no second round of notices. Other dates make another."""
    login(client, world.admin)
    first = client.post("/exercises/new", data=_form(world, scenario))
    again = client.post("/exercises/new", data=_form(world, scenario))
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert "Alpha cohort already has this exercise" in client.get(again.headers["Location"]).text
    assert db.session.scalar(sa.select(sa.func.count(Exercise.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 2
    later = _form(world, scenario, closes_on=(TODAY + timedelta(days=14)).isoformat())
    assert client.post("/exercises/new", data=later).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Exercise.id))) == 2


def test_learners_are_told_when_the_exercise_opens_not_before(world, scenario):
    opens = TODAY + timedelta(days=3)
    exercise = _exercise(world, scenario, opens=opens)
    notes = db.session.scalars(sa.select(Notification)).all()
    assert len(notes) == 2 and all(n.kind == "exercise_opened" for n in notes)
    assert notes[0].message == (
        f"Exercise open: {scenario.title}. Start your case by {exercise.closes_on:%-d %b %Y}."
    )
    assert notifications.unread_count(world.learner) == 0
    assert db.session.scalars(notifications.inbox(world.learner)).all() == []
    # The server's local midnight at the start of the opening day: shown from then on.
    opening = notes[0].visible_from
    assert opening.astimezone().date() == opens and opening.astimezone().hour == 0
    assert notifications.unread_count(world.learner, opening - timedelta(seconds=1)) == 0
    assert notifications.unread_count(world.learner, opening) == 1
    assert notifications.unread_count(world.peer, opening) == 1


def test_a_chosen_earlier_version_is_pinned(world, scenario, bundle):  # noqa: F811
    first = db.session.scalar(sa.select(ScenarioVersion).where(ScenarioVersion.number == 1))
    _second_version(bundle)
    assert scenario.current_number == 2
    assert _exercise(world, scenario).version.number == 2  # the current one by default
    exercise = _exercise(world, scenario, version=first)
    case = casework.start_case(world.learner, scenario, exercise=exercise)
    assert case.scenario_version_id == first.id


def test_a_version_of_another_scenario_is_refused(world, scenario):
    other = LibraryScenario(
        centre_id=world.centre.id,
        slug="other",
        title="Other",
        sector="retail",
        difficulty="core",
        summary="",
        unit_code="X",
        published=True,
    )
    theirs = ScenarioVersion(scenario=other, number=1, content_hash="x" * 64, data={})
    db.session.add_all([other, theirs])
    db.session.flush()
    with pytest.raises(ExerciseError, match="not one of Minimal") as refused:
        _exercise(world, scenario, version=theirs)
    assert refused.value.field == "version"
    assert db.session.scalar(sa.select(sa.func.count(Exercise.id))) == 0


def test_the_form_offers_versions_and_refuses_bad_ones(client, world, scenario, bundle):  # noqa: F811
    _second_version(bundle)
    hidden = LibraryScenario(
        centre_id=world.other_centre.id,
        slug="theirs",
        title="Beta's own",
        sector="retail",
        difficulty="core",
        summary="",
        unit_code="X",
        published=True,
    )
    theirs = ScenarioVersion(scenario=hidden, number=1, content_hash="y" * 64, data={})
    db.session.add_all([hidden, theirs])
    db.session.commit()
    login(client, world.admin)
    form = client.get("/exercises/new").text
    assert f'<optgroup label="{scenario.title} (minimal, bundled)">' in form
    assert "Version 2 (current)" in form and "Version 1," in form
    assert "Beta&#39;s own" not in form and "Beta's own" not in form
    for bad, message in [
        (theirs.id, "Choose a version of a scenario in your library."),
        ("latest", "Choose a version from the list."),
    ]:
        response = client.post("/exercises/new", data=_form(world, scenario, version=bad))
        assert response.status_code == 200 and message in response.text
    assert db.session.scalar(sa.select(sa.func.count(Exercise.id))) == 0
    first = db.session.scalar(
        sa.select(ScenarioVersion).where(
            ScenarioVersion.scenario_id == scenario.id, ScenarioVersion.number == 1
        )
    )
    response = client.post("/exercises/new", data=_form(world, scenario, version=first.id))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Exercise.scenario_version_id)) == first.id


def test_the_board_shows_every_deadline_on_each_learners_clock(client, world, scenario):
    exercise = _exercise(world, scenario)
    case = casework.start_case(world.learner, scenario, exercise=exercise)
    case.hours = 8 * 18  # day 28, the reminder's day
    db.session.commit()
    board = live_board(exercise, TODAY)
    assert [d.id for d in board.deadlines] == ["reminder", "adr-letter"]
    rows = {r.learner.id: r for r in board.rows}
    statuses = [(d.days_left, d.passed) for d in rows[world.learner.id].deadlines]
    assert statuses == [(0, False), (28, False)]
    assert rows[world.peer.id].deadlines == []
    case.hours = 8 * 19
    login(client, world.admin)
    page = client.get(f"/exercises/{exercise.id}?fragment=1").text
    assert "Day 28 deadline" in page and "Day 56 final deadline" in page
    assert "Day 28: Internal reminder" in page
    assert '<span class="tag tag-sim">passed</span>' in page and "27 days left" in page


def test_the_board_fragment_is_marked_and_shows_the_time_of_day(client, world, scenario):
    exercise = _exercise(world, scenario)
    login(client, world.admin)
    response = client.get(f"/exercises/{exercise.id}?fragment=1")
    assert "data-board-fragment" in response.text
    assert "overdue" not in response.text  # open: nobody is overdue yet
    assert re.search(r"Updated \d+ \w+ \d{4}, \d\d:\d\d", response.text)


@pytest.mark.parametrize(
    ("now", "shown"),
    [
        (datetime(2026, 7, 1, 23, 30, tzinfo=UTC), "Updated 2 Jul 2026, 00:30 BST;"),
        (datetime(2026, 11, 24, 9, 5, tzinfo=UTC), "Updated 24 Nov 2026, 09:05 GMT;"),
    ],
)
def test_the_board_says_when_it_was_refreshed_in_uk_time(
    client, world, scenario, monkeypatch, now, shown
):
    """A UK trainer reads the refresh time on their own clock: BST in summer, GMT in winter."""
    monkeypatch.setattr("portfolio.exercises.views.utcnow", lambda: now)
    exercise = _exercise(world, scenario)
    login(client, world.admin)
    for url in (f"/exercises/{exercise.id}", f"/exercises/{exercise.id}?fragment=1"):
        page = client.get(url).text
        assert shown in page and "(UTC)" not in page


@pytest.mark.parametrize(
    ("opens", "closes", "field", "message"),
    [
        (TODAY - timedelta(days=53), TODAY - timedelta(days=23), "closes_on", "has passed"),
        (date(1900, 1, 1), TODAY, "opens_on", "more than a year ago"),
        (TODAY, date(9999, 12, 31), "closes_on", "more than two years away"),
    ],
)
def test_dates_that_make_no_sense_are_refused(world, scenario, opens, closes, field, message):
    with pytest.raises(ExerciseError, match=message) as exc:
        _exercise(world, scenario, opens=opens, closes=closes)
    assert exc.value.field == field
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0


def test_an_exercise_closed_in_the_past_is_refused_on_the_form(client, world, scenario):
    login(client, world.admin)
    response = client.post(
        "/exercises/new",
        data=_form(world, scenario, opens_on="2026-10-01", closes_on="2026-10-31"),
    )
    if TODAY > date(2026, 10, 31):
        assert "The close date has passed" in response.text
        assert db.session.scalar(sa.select(sa.func.count(Exercise.id))) == 0


def test_an_admin_changes_the_title_and_dates_and_the_notices_follow(client, world, scenario):
    exercise = _exercise(world, scenario, opens=TODAY + timedelta(days=2))
    db.session.commit()
    login(client, world.admin)
    assert "Change the title or dates" in client.get(f"/exercises/{exercise.id}").text
    page = client.get(f"/exercises/{exercise.id}/edit")
    assert page.status_code == 200 and "Closes on" in page.text
    assert "until the end of the close date" in client.get("/exercises/new").text
    # Leaving either form with changes unsent asks first (app.js).
    assert "data-warn-unsaved" in page.text
    assert "data-warn-unsaved" in client.get("/exercises/new").text
    # Choosing today does not shut learners out at once: the form says so.
    assert "learners can still start it until the end of today" in page.text
    later = TODAY + timedelta(days=21)
    response = client.post(
        f"/exercises/{exercise.id}/edit",
        data={"title": "Week 2", "opens_on": TODAY.isoformat(), "closes_on": later.isoformat()},
    )
    assert response.status_code == 302
    db.session.refresh(exercise)
    assert (exercise.title, exercise.opens_on, exercise.closes_on) == ("Week 2", TODAY, later)
    notes = db.session.scalars(sa.select(Notification)).all()
    assert len(notes) == 2
    assert all(f"Week 2. Start your case by {later:%-d %b %Y}" in n.message for n in notes)
    assert all(n.visible_from is None for n in notes)

    # Closing early: today is a fine close date; yesterday is not.
    refused = client.post(
        f"/exercises/{exercise.id}/edit",
        data={
            "title": "Week 2",
            "opens_on": (TODAY - timedelta(days=2)).isoformat(),
            "closes_on": (TODAY - timedelta(days=1)).isoformat(),
        },
    )
    assert refused.status_code == 200 and "The close date has passed" in refused.text
    closed = client.post(
        f"/exercises/{exercise.id}/edit",
        data={"title": "Week 2", "opens_on": TODAY.isoformat(), "closes_on": TODAY.isoformat()},
    )
    assert closed.status_code == 302
    db.session.refresh(exercise)
    assert exercise.closes_on == TODAY


def test_the_open_date_stays_once_a_learner_has_started(world, scenario):
    exercise = _exercise(world, scenario)
    casework.start_case(world.learner, scenario, exercise=exercise)
    with pytest.raises(ExerciseError, match="open date stays") as exc:
        change_exercise(
            exercise,
            title="",
            opens_on=TODAY + timedelta(days=1),
            closes_on=TODAY + timedelta(days=9),
            by=world.admin,
        )
    assert exc.value.field == "opens_on"
    change_exercise(
        exercise, title="", opens_on=TODAY, closes_on=TODAY + timedelta(days=9), by=world.admin
    )
    assert exercise.closes_on == TODAY + timedelta(days=9)
    with pytest.raises(ExerciseError, match="your own centre"):
        change_exercise(exercise, title="", opens_on=TODAY, closes_on=TODAY, by=world.other_admin)


def test_a_closed_exercise_can_still_have_its_title_corrected(world, scenario):
    exercise = _exercise(world, scenario)
    exercise.opens_on, exercise.closes_on = TODAY - timedelta(days=20), TODAY - timedelta(days=10)
    change_exercise(
        exercise,
        title="Renamed",
        opens_on=exercise.opens_on,
        closes_on=exercise.closes_on,
        by=world.admin,
    )
    assert exercise.title == "Renamed"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cohort": "x"}, "cohorts from the list."),
        ({"scenario": "9" * 30}, "Choose a published scenario from the list."),
    ],
)
def test_a_tampered_exercise_form_gets_a_plain_message(client, world, scenario, changes, message):
    login(client, world.admin)
    response = client.post("/exercises/new", data=_form(world, scenario) | changes)
    assert response.status_code == 200 and message in response.text
    assert "coerce" not in response.text and "Not a valid choice" not in response.text
    assert db.session.scalar(sa.select(sa.func.count(Exercise.id))) == 0


def test_a_title_with_a_control_character_is_refused(client, world, scenario):
    login(client, world.admin)
    response = client.post("/exercises/new", data=_form(world, scenario, title="Week\x001"))
    assert "Remove the invisible control character" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Exercise.id))) == 0


def test_an_exercise_for_another_centres_cohort_is_refused(client, world, scenario):
    other = accounts.create_cohort(centre=world.other_centre, name="Beta cohort")
    db.session.commit()
    login(client, world.admin)
    response = client.post("/exercises/new", data=_form(world, scenario, cohort=other.id))
    assert "cohorts from the list." in response.text and "Not a valid choice" not in response.text
    assert db.session.scalar(sa.select(sa.func.count(Exercise.id))) == 0


def test_the_dashboard_says_when_an_exercise_not_yet_open_opens(client, world, scenario):
    """Its learners all read 'not started': the row says that is because it has not opened."""
    later = TODAY + timedelta(days=10)
    _exercise(world, scenario, opens=later, closes=later + timedelta(days=7))
    db.session.commit()
    login(client, world.admin)
    page = client.get("/dashboard").text
    assert f'<span class="tag tag-muted">opens {later:%-d %b %Y}</span>' in page


def test_the_exercises_page_filters_by_status(client, world, scenario):
    _exercise(world, scenario, opens=TODAY, closes=TODAY + timedelta(days=7)).title = "Now"
    later = TODAY + timedelta(days=30)
    _exercise(world, scenario, opens=later, closes=later + timedelta(days=7)).title = "Later"
    past = _exercise(world, scenario, opens=TODAY, closes=TODAY + timedelta(days=1))
    past.title, past.opens_on, past.closes_on = (
        "Past",
        TODAY - timedelta(days=9),
        TODAY - timedelta(days=2),
    )
    db.session.commit()
    login(client, world.admin)

    def titles(query: str) -> set[str]:
        page = client.get(f"/exercises/{query}").text
        return {t for t in ("Now", "Later", "Past") if f">{t}</a>" in page}

    assert titles("") == {"Now", "Later", "Past"}
    assert titles("?status=open") == {"Now"}
    assert titles("?status=upcoming") == {"Later"}
    assert titles("?status=closed") == {"Past"}
    assert titles("?status=bogus") == {"Now", "Later", "Past"}
    assert '<option value="open" selected>' in client.get("/exercises/?status=open").text


def test_the_board_of_a_cohort_without_learners_says_how_to_add_them(client, world, scenario):
    empty = accounts.create_cohort(centre=world.centre, name="Empty group")
    db.session.commit()
    exercise = _exercise(world, scenario)
    exercise.cohort = empty
    db.session.commit()
    login(client, world.admin)
    for url in (f"/exercises/{exercise.id}", f"/exercises/{exercise.id}?fragment=1"):
        page = client.get(url).text
        assert "Empty group has no learners yet" in page and "<table" not in page
        assert f'href="/centre/cohorts/{empty.id}?show=all">add learners to the cohort</a>' in page


def test_a_centre_with_no_cohorts_is_told_to_create_one(client, world, scenario):
    login(client, world.other_admin)
    page = client.get("/exercises/new")
    assert "Your centre has no cohorts yet." in page.text
    assert 'href="/centre/cohorts/new"' in page.text
    assert "Not a valid choice" not in page.text and "Set exercise</button>" not in page.text
    posted = client.post("/exercises/new", data=_form(world, scenario))
    assert posted.status_code == 200 and "Your centre has no cohorts yet." in posted.text
    assert db.session.scalar(sa.select(sa.func.count(Exercise.id))) == 0


def test_deactivated_learners_are_left_off_the_board_and_the_dashboard(client, world, scenario):
    exercise = _exercise(world, scenario, opens=TODAY, closes=TODAY)
    # It has closed since: everyone active who has not submitted is overdue.
    exercise.opens_on = exercise.closes_on = TODAY - timedelta(days=1)
    world.peer.active = False
    db.session.commit()
    board = live_board(exercise, TODAY)
    assert [r.learner.id for r in board.rows] == [world.learner.id]
    assert board.counts["not_started"] == 1 and board.deactivated == 1
    login(client, world.admin)
    page = client.get(f"/exercises/{exercise.id}").text
    assert "1 deactivated learner of the cohort is left off the board." in page
    assert world.peer.full_name not in page
    [progress] = admin_context(world.admin, TODAY)["exercise_rows"]
    assert progress.counts["not_started"] == 1 and progress.overdue == 1
    # The board gives the dashboard's overdue count for the whole cohort, not only as tags
    # on the rows of the page in view.
    assert board.overdue == progress.overdue == 1
    assert "1 learner is overdue: the exercise closed on" in page


def test_a_change_made_meanwhile_is_not_silently_overwritten(client, world, scenario):
    exercise = _exercise(world, scenario)
    db.session.commit()
    login(client, world.admin)
    page = client.get(f"/exercises/{exercise.id}/edit").text
    seen = re.search(r'name="seen" type="hidden" value="([0-9a-f]+)"', page).group(1)
    change_exercise(
        exercise,
        title="Theirs",
        opens_on=TODAY,
        closes_on=TODAY + timedelta(days=14),
        by=world.admin,
    )
    db.session.commit()
    mine = {
        "title": "Mine",
        "opens_on": TODAY.isoformat(),
        "closes_on": (TODAY + timedelta(days=3)).isoformat(),
        "seen": seen,
    }
    refused = client.post(f"/exercises/{exercise.id}/edit", data=mine)
    assert refused.status_code == 200
    assert "Someone else changed this exercise while you were editing it" in refused.text
    db.session.refresh(exercise)
    assert exercise.title == "Theirs"
    again = re.search(r'name="seen" type="hidden" value="([0-9a-f]+)"', refused.text).group(1)
    saved = client.post(f"/exercises/{exercise.id}/edit", data=mine | {"seen": again})
    assert saved.status_code == 302
    db.session.refresh(exercise)
    assert exercise.title == "Mine"


def test_the_board_settles_the_final_deadline_once_the_response_is_sent(client, world, scenario):
    """A response sent on time reads as met however far the customer's reply moves the clock,
    as on the learner's own case pages."""
    exercise = _exercise(world, scenario)
    case = casework.start_case(world.learner, scenario, exercise=exercise)
    clock = spec_of(exercise.version).clock
    on_day = lambda day: (day - clock.start_day) * clock.hours_per_day  # noqa: E731
    db.session.add(
        TrailEvent(
            case_id=case.id,
            seq=99,
            kind=TrailKind.RESPONSE_SENT.value,
            sim_hours=on_day(54),
            payload={},
        )
    )
    case.hours = on_day(60)  # past the day 56 final deadline
    db.session.commit()
    [final] = [d for d in _board_row(exercise, world.learner).deadlines if d.deadline.final]
    assert not final.overdue and final.outcome == "sent day 54, on time"
    login(client, world.admin)
    page = client.get(f"/exercises/{exercise.id}?fragment=1").text
    assert "sent day 54, on time" in page


def _board_row(exercise, learner):
    return next(r for r in live_board(exercise, TODAY).rows if r.learner.id == learner.id)


def test_opening_the_exercise_reads_its_notice(client, world, scenario):
    exercise = _exercise(world, scenario)
    db.session.commit()
    assert notifications.unread_count(world.learner) == 1
    login(client, world.learner)
    assert client.get(f"/exercises/{exercise.id}").status_code == 200
    assert notifications.unread_count(world.learner) == 0
    assert notifications.unread_count(world.peer) == 1  # only the learner who opened it


def test_the_board_and_change_page_name_the_scenario(client, world, scenario):
    """An exercise's title need not be its scenario's ("Week 1"): the board and the change page
    said only "scenario version 1", so an admin could not see a wrong scenario was set."""
    exercise = create_exercise(
        cohort=world.cohort,
        scenario=scenario,
        title="Week 1",
        opens_on=TODAY,
        closes_on=TODAY + timedelta(days=7),
        by=world.admin,
    )
    db.session.commit()
    login(client, world.admin)
    for url in (f"/exercises/{exercise.id}", f"/exercises/{exercise.id}/edit"):
        assert f"{scenario.title}, version 1" in client.get(url).text


def test_the_exercises_list_names_each_exercises_scenario(client, world, scenario):
    """The list showed only the exercise's own title ("Week 1"), so an admin looking for an
    exercise set with the wrong scenario had to open each one."""
    create_exercise(
        cohort=world.cohort,
        scenario=scenario,
        title="Week 1",
        opens_on=TODAY,
        closes_on=TODAY + timedelta(days=7),
        by=world.admin,
    )
    db.session.commit()
    login(client, world.admin)
    page = client.get("/exercises/").text
    assert '<th scope="col">Exercise and scenario</th>' in page
    assert f'>Week 1</a><div class="hint">{scenario.title}, version 1</div></td>' in page


def test_exercise_pages_name_the_pinned_versions_title(client, world, scenario, bundle):  # noqa: F811
    """Version 2 retitled the scenario in the library; an exercise pinned to version 1 showed
    the new title beside "version 1" (and took it as its own default title), though its
    learners work version 1."""
    first = db.session.scalar(sa.select(ScenarioVersion).where(ScenarioVersion.number == 1))
    old_title = spec_of(first).title
    manifest = bundle / "minimal" / "scenario.yaml"
    manifest.write_text(
        manifest.read_text().replace("says her bill is wrong", "was billed twice", 1)
    )
    _second_version(bundle)
    assert scenario.title != old_title and "billed twice" in scenario.summary
    exercise = _exercise(world, scenario, version=first)
    db.session.commit()
    assert exercise.title == old_title
    login(client, world.admin)
    pages = {
        "list": client.get("/exercises/").text,
        "board": client.get(f"/exercises/{exercise.id}").text,
        "edit": client.get(f"/exercises/{exercise.id}/edit").text,
        "delete": client.get(f"/exercises/{exercise.id}/delete").text,
    }
    for name, page in pages.items():
        assert f"{old_title}, version 1" in page, name
        assert scenario.title not in page, name
    login(client, world.learner)
    page = client.get(f"/exercises/{exercise.id}").text
    assert "says her bill is wrong" in page
    assert "billed twice" not in page


def test_the_board_links_a_learners_name_to_their_case_for_those_who_may_see_it(
    client, world, scenario, make_user
):
    """The centre's admin and the learner's own assessor and IQA open the case from the board;
    another assessor of the centre sees the name only (the case would be a 404 for them)."""
    exercise = _exercise(world, scenario)
    case = casework.start_case(world.learner, scenario, exercise=exercise)
    peer_case = casework.start_case(world.peer, scenario, exercise=exercise)
    stranger = make_user(Role.ASSESSOR, world.centre, email="other.assessor@alpha.test")
    db.session.commit()
    link = f'href="/cases/{case.id}"'
    for user, linked in (
        (world.admin, True),
        (world.assessor, True),
        (world.iqa, True),
        (stranger, False),
    ):
        login(client, user)
        page = client.get(f"/exercises/{exercise.id}?fragment=1").text
        assert (link in page) is linked, user.email
        # the peer has no assessor or IQA allocated: only the admin gets the link
        assert (f'href="/cases/{peer_case.id}"' in page) is (user is world.admin), user.email
        assert (client.get(f"/cases/{case.id}").status_code == 200) is linked, user.email


def test_a_practice_case_on_the_scenario_does_not_stand_in_for_the_exercise(
    client, world, scenario
):
    """The learner practised the scenario from the library, then the exercise on it opened.
    The exercise page offered "Continue your case" (the practice case, not on the board) and
    no way to start: the board showed "Not started" to the close date. Now it says the open
    case is not part of the exercise and offers to start the exercise's case, which the board
    then follows; the practice case is kept, set aside."""
    practice = casework.start_case(world.learner, scenario)
    exercise = _exercise(world, scenario)
    db.session.commit()
    login(client, world.learner)
    page = client.get(f"/exercises/{exercise.id}").text
    assert "Continue your case" not in page and "Start the case" in page
    assert "from the library, for practice" in page and "not part of this exercise" in page
    assert f'href="/cases/{practice.id}"' in page
    started = client.post(f"/exercises/{exercise.id}/start")
    assert started.status_code == 302
    db.session.refresh(practice)
    assert practice.status.value == "set_aside"
    [row] = [r for r in live_board(exercise, TODAY).rows if r.learner.id == world.learner.id]
    assert row.case_id is not None and row.case_id != practice.id
    assert "Continue your case" in client.get(f"/exercises/{exercise.id}").text


def _notices(user) -> list[str]:
    return db.session.scalars(
        sa.select(Notification.link).where(
            Notification.user_id == user.id, Notification.kind == "exercise_opened"
        )
    ).all()


def test_a_learner_who_joins_the_cohort_later_is_told_of_its_exercises(
    client, world, scenario, make_user
):
    """Only the members when an exercise was set used to be told of it: a learner added to the
    cohort afterwards (on the cohort page or by import) had no notice, and one who left kept a
    notice whose link no longer opened. Joiners are told of each exercise not yet closed, and
    leavers lose the cohort's notices."""
    upcoming = _exercise(world, scenario, opens=TODAY + timedelta(days=3))
    closed = _exercise(world, scenario, opens=TODAY - timedelta(days=9), closes=TODAY)
    closed.closes_on = TODAY - timedelta(days=1)
    late = make_user(Role.LEARNER, world.centre, full_name="Late Joiner")
    db.session.commit()
    login(client, world.admin)
    url = f"/centre/cohorts/{world.cohort.id}"
    shown = [world.learner.id, world.peer.id, late.id]
    joined = client.post(
        f"{url}?show=all", data={"name": "Alpha cohort", "members": shown, "shown": shown}
    )
    assert joined.status_code == 302
    assert _notices(late) == [f"/exercises/{upcoming.id}"]
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == late.id))
    assert note.visible_from is not None  # shown from the opening day, as for the others
    again = client.post(
        f"{url}?show=all", data={"name": "Alpha cohort", "members": shown, "shown": shown}
    )
    assert again.status_code == 302 and len(_notices(late)) == 1
    left = client.post(
        f"{url}?show=all",
        data={"name": "Alpha cohort", "members": [world.learner.id, late.id], "shown": shown},
    )
    assert left.status_code == 302 and _notices(world.peer) == []
    # the members' own notices are untouched, the closed exercise's too
    assert sorted(_notices(world.learner)) == sorted(
        [f"/exercises/{upcoming.id}", f"/exercises/{closed.id}"]
    )
    csv = f"full_name,email,cohort\nNew Comer,new@alpha.test,{world.cohort.name}\n"
    imported = client.post(
        "/centre/users/import",
        data={"file": (io.BytesIO(csv.encode()), "users.csv")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 200
    newcomer = db.session.scalar(sa.select(User).where(User.email == "new@alpha.test"))
    assert _notices(newcomer) == [f"/exercises/{upcoming.id}"]
