"""The live board settles a deadline a remedy meets from the responses as sent, in a fixed
number of queries however many learners have sent one."""

from datetime import date

import pytest
import sqlalchemy as sa

from portfolio.casework import services as casework
from portfolio.exercises.queries import live_board
from portfolio.exercises.services import create_exercise
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.services import load_bundled
from tests.casework.test_services import GOOD_LETTER
from tests.conftest import login
from tests.library.conftest import bundle  # noqa: F401  (fixture)

TODAY = date.today()


@pytest.fixture
def scenario(app, bundle):  # noqa: F811
    """The minimal scenario with its internal reminder (day 28) met by the refund."""
    manifest = bundle / "minimal" / "scenario.yaml"
    manifest.write_text(
        manifest.read_text().replace(
            "      day: 28\n", "      day: 28\n      met_by_remedy: refund-overcharge\n", 1
        )
    )
    load_bundled(bundle)
    db.session.commit()
    return db.session.scalar(sa.select(LibraryScenario))


def _send(case, remedy_ids):
    casework.save_record(case, "remedy", {"remedy_ids": remedy_ids}, expected_version=None)
    casework.save_record(case, "letter", {"text": GOOD_LETTER}, expected_version=None)
    casework.send_response(case)


def _reminder(exercise, learner):
    row = next(r for r in live_board(exercise, TODAY).rows if r.learner.id == learner.id)
    return next(d for d in row.deadlines if d.deadline.id == "reminder")


def test_the_board_settles_a_deadline_by_the_remedy_sent(
    client, world, scenario, make_user, count_queries
):
    exercise = create_exercise(
        cohort=world.cohort,
        scenario=scenario,
        title="",
        opens_on=TODAY,
        closes_on=TODAY,
        by=world.admin,
    )
    _send(casework.start_case(world.learner, scenario, exercise=exercise), ["refund-overcharge"])
    _send(casework.start_case(world.peer, scenario, exercise=exercise), ["honour-price"])
    db.session.commit()
    offered = _reminder(exercise, world.learner).outcome
    assert offered == "offered in the response sent day 10, on time"
    unsettled = _reminder(exercise, world.peer)
    assert unsettled.outcome is None and unsettled.days_left == 16  # the reply took two days

    login(client, world.admin)
    with count_queries() as few:
        page = client.get(f"/exercises/{exercise.id}?fragment=1").text
    assert page.count("sent day 10, on time") == 3  # both deadlines of one, the final of the other
    assert page.count("offered in the response sent day 10, on time") == 1  # the reminder
    for _ in range(6):
        learner = make_user(centre=world.centre)
        world.cohort.members.append(learner)
        _send(casework.start_case(learner, scenario, exercise=exercise), ["refund-overcharge"])
    db.session.commit()
    with count_queries() as many:
        page = client.get(f"/exercises/{exercise.id}?fragment=1").text
    assert page.count("sent day 10, on time") == 3 + 2 * 6
    assert len(many) == len(few)
