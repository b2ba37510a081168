"""Allocating many learners at once: the ticked ones or all the filter finds, only active
learners of the admin's own centre, only active staff of it, and nothing changed on a stale
or tampered form."""

import re

import pytest

from portfolio.accounts import allocation, services
from portfolio.accounts.errors import AccountError
from portfolio.accounts.models import User
from portfolio.extensions import db
from portfolio.roles import Role
from tests.conftest import login


@pytest.fixture
def intake(world, make_user):
    """Four unallocated learners of world's centre (two in its cohort), a deactivated one, a
    second assessor and IQA."""
    people = {
        name: make_user(Role.LEARNER, world.centre, full_name=name)
        for name in ("Ann Able", "Bob Baker", "Cat Cole", "Dev Dean")
    }
    people["Old Gone"] = make_user(Role.LEARNER, world.centre, full_name="Old Gone")
    people["Old Gone"].active = False
    services.change_cohort_members(
        world.cohort, add=[people["Ann Able"], people["Bob Baker"]], remove=[]
    )
    people["assessor2"] = make_user(Role.ASSESSOR, world.centre, full_name="Second Assessor")
    people["iqa2"] = make_user(Role.IQA, world.centre, full_name="Second IQA")
    db.session.commit()
    return people


def allocation_of(user: User) -> tuple:
    db.session.refresh(user)
    return user.assessor_id, user.iqa_id


def test_ticked_learners_get_the_assessor_and_the_iqa_is_left(world, intake):
    ann, bob = intake["Ann Able"], intake["Bob Baker"]
    bob.iqa = world.iqa
    db.session.flush()
    changed = allocation.allocate(
        world.centre.id, assessor=intake["assessor2"], iqa=None, learner_ids=[ann.id, bob.id]
    )
    assert changed == 2
    assert allocation_of(ann) == (intake["assessor2"].id, None)
    assert allocation_of(bob) == (intake["assessor2"].id, world.iqa.id)
    assert allocation_of(intake["Cat Cole"]) == (None, None)


def test_everyone_the_filter_finds_is_allocated_and_no_one_else(world, intake):
    world.learner.iqa = None  # world's learner is in the cohort too
    db.session.flush()
    chosen = allocation.LearnerFilter(cohort_id=world.cohort.id, lacking=True)
    changed = allocation.allocate(
        world.centre.id, assessor=None, iqa=intake["iqa2"], everyone_in=chosen
    )
    assert changed == 4  # Ann, Bob, world's peer, and world's learner who lacked an IQA
    assert allocation_of(intake["Ann Able"])[1] == intake["iqa2"].id
    assert allocation_of(world.learner) == (world.assessor.id, intake["iqa2"].id)
    assert allocation_of(world.peer)[1] == intake["iqa2"].id
    assert allocation_of(intake["Cat Cole"]) == (None, None)  # not in the cohort
    assert allocation_of(world.other_learner)[1] is None


@pytest.mark.parametrize(
    ("who", "staff", "words"),
    [
        ("other_learner", "assessor", "no longer active learners of this centre"),
        ("Old Gone", "assessor", "no longer active learners of this centre"),
        ("assessor2", "assessor", "no longer active learners of this centre"),
        ("Ann Able", "other_assessor", "Choose an active assessor of this centre"),
        ("Ann Able", "iqa_as_assessor", "Choose an active assessor of this centre"),
        ("Ann Able", None, "Choose an assessor, an IQA or both"),
    ],
)
def test_anyone_not_allowed_changes_nothing(world, intake, who, staff, words):
    learner = getattr(world, who, None) or intake[who]
    assessor = {
        "assessor": world.assessor,
        "other_assessor": world.other_assessor,
        "iqa_as_assessor": world.iqa,
        None: None,
    }[staff]
    ann = intake["Ann Able"]
    with pytest.raises(AccountError, match=words):
        allocation.allocate(
            world.centre.id, assessor=assessor, iqa=None, learner_ids=[ann.id, learner.id]
        )
    db.session.rollback()
    assert allocation_of(ann) == (None, None)


def test_a_deactivated_assessor_cannot_be_given_learners(world, intake):
    intake["assessor2"].active = False
    db.session.flush()
    with pytest.raises(AccountError, match="active assessor"):
        allocation.allocate(
            world.centre.id,
            assessor=intake["assessor2"],
            iqa=None,
            learner_ids=[intake["Ann Able"].id],
        )


# The page


def test_the_page_lists_active_learners_by_filter(client, world, intake):
    login(client, world.admin)
    assert 'href="/centre/allocation"' in client.get("/centre/users").text
    page = client.get(f"/centre/allocation?cohort={world.cohort.id}&lacking=1").text
    assert "Ann Able" in page and "Bob Baker" in page
    assert "Cat Cole" not in page and "Old Gone" not in page
    assert world.learner.full_name not in page  # allocated already
    everyone = client.get("/centre/allocation").text
    assert "Cat Cole" in everyone and "Old Gone" not in everyone
    assert world.other_learner.full_name not in everyone
    # Another centre's cohort in the query string is ignored, not used.
    other = client.get(f"/centre/allocation?cohort={world.other_centre.id + 999}").text
    assert "Cat Cole" in other


def test_the_admin_allocates_ticked_learners(client, world, intake):
    login(client, world.admin)
    ann, cat = intake["Ann Able"], intake["Cat Cole"]
    response = client.post(
        "/centre/allocation?lacking=1",
        data={
            "scope": "ticked",
            "learners": [str(ann.id), str(cat.id)],
            "assessor": str(intake["assessor2"].id),
            "iqa": str(world.iqa.id),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/centre/allocation?lacking=1")
    page = client.get(response.headers["Location"]).text
    assert "Allocated 2 learners to assessor Second Assessor and IQA " in page
    assert allocation_of(ann) == allocation_of(cat) == (intake["assessor2"].id, world.iqa.id)


def test_the_admin_allocates_everyone_the_filter_finds(client, world, intake):
    login(client, world.admin)
    form = client.get(f"/centre/allocation?cohort={world.cohort.id}&lacking=1").text
    assert re.search(r"All 3 learners the filter finds", form)  # Ann, Bob, world's peer
    response = client.post(
        f"/centre/allocation?cohort={world.cohort.id}&lacking=1",
        data={"scope": "all", "assessor": str(world.assessor.id), "iqa": "0"},
    )
    assert response.status_code == 302
    assert allocation_of(intake["Ann Able"])[0] == world.assessor.id
    assert allocation_of(intake["Cat Cole"])[0] is None


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"scope": "ticked", "assessor": "{assessor}", "iqa": "0"}, "Tick the learners"),
        ({"scope": "ticked", "learners": ["{ann}"], "assessor": "0", "iqa": "0"}, "Choose an"),
        (
            {"scope": "ticked", "learners": ["x1"], "assessor": "{assessor}", "iqa": "0"},
            "not a learner of",
        ),
        (
            {"scope": "ticked", "learners": ["{other}"], "assessor": "{assessor}", "iqa": "0"},
            "no longer",
        ),
        (
            {"scope": "ticked", "learners": ["{ann}"], "assessor": "{other_staff}", "iqa": "0"},
            "Choose an",
        ),
        (
            {
                "scope": "ticked",
                "learners": ["{ann}"],
                "assessor": "99999999999999999999",
                "iqa": "0",
            },
            "Choose",
        ),
        (
            {"scope": "everything", "learners": ["{ann}"], "assessor": "{assessor}", "iqa": "0"},
            "Choose whet",
        ),
    ],
)
def test_bad_or_tampered_posts_say_why_and_change_nothing(client, world, intake, data, words):
    login(client, world.admin)
    ids = {
        "assessor": world.assessor.id,
        "ann": intake["Ann Able"].id,
        "other": world.other_learner.id,
        "other_staff": world.other_assessor.id,
    }

    def fill(value):
        return [fill(v) for v in value] if isinstance(value, list) else value.format(**ids)

    response = client.post("/centre/allocation", data={k: fill(v) for k, v in data.items()})
    assert response.status_code == 200 and "There is a problem" in response.text
    assert words in response.text
    assert allocation_of(intake["Ann Able"]) == (None, None)
    assert allocation_of(world.other_learner) == (world.other_assessor.id, None)


def test_a_refused_post_keeps_the_staff_chosen(client, world, intake):
    login(client, world.admin)
    response = client.post(
        "/centre/allocation",
        data={"scope": "ticked", "assessor": str(world.assessor.id), "iqa": str(world.iqa.id)},
    )
    assert "Tick the learners" in response.text
    assert f'<option value="{world.assessor.id}" selected>' in response.text
    assert f'<option value="{world.iqa.id}" selected>' in response.text
    assert '<option value="0">Leave as it is</option>' in response.text
    # Only this centre's active staff are offered.
    assert world.other_assessor.full_name not in response.text


@pytest.mark.parametrize("extra", ["endpoint=x", "_scheme=javascript&_external=1", "_anchor=x"])
def test_a_stray_name_in_the_query_string_neither_breaks_nor_steers_the_redirect(
    client, world, intake, extra
):
    """The page returns to its own filter after allocating; any other name in the address
    (a hand-edited or pasted link) is dropped rather than a 500 or a redirect elsewhere."""
    login(client, world.admin)
    response = client.post(
        f"/centre/allocation?lacking=1&{extra}",
        data={
            "scope": "ticked",
            "learners": [str(intake["Ann Able"].id)],
            "assessor": str(world.assessor.id),
            "iqa": "0",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/centre/allocation?lacking=1"
    assert allocation_of(intake["Ann Able"])[0] == world.assessor.id
