"""Withdrawing a centre's scenario is refused while an exercise on it is open or yet to open."""

from datetime import date, timedelta

import pytest

from portfolio.exercises.services import create_exercise
from portfolio.extensions import db
from portfolio.library import services
from portfolio.library.services import LibraryError
from portfolio.scenarios.loader import load_bundle
from tests.conftest import login

TODAY = date.today()


@pytest.fixture
def ours(world, loaded, bundle):
    """Centre A's own published scenario."""
    manifest = bundle / "minimal" / "scenario.yaml"
    manifest.write_text(manifest.read_text().replace("slug: minimal", "slug: ours", 1))
    _, [spec] = load_bundle(bundle)
    scenario = services.import_scenario(spec, centre=world.centre, by=world.admin).version.scenario
    services.publish_scenario(scenario)
    db.session.commit()
    return scenario


def _exercise(world, scenario, title, opens, closes):
    return create_exercise(
        cohort=world.cohort,
        scenario=scenario,
        title=title,
        opens_on=opens,
        closes_on=closes,
        by=world.admin,
    )


def test_withdrawal_is_refused_while_an_exercise_is_open_or_upcoming(world, ours):
    week1 = _exercise(world, ours, "Week 1", TODAY, TODAY + timedelta(days=7))
    _exercise(world, ours, "Week 3", TODAY + timedelta(days=14), TODAY + timedelta(days=21))
    with pytest.raises(LibraryError) as refused:
        services.withdraw_scenario(ours)
    assert "“Week 1” for Alpha cohort" in str(refused.value)
    assert "“Week 3” for Alpha cohort" in str(refused.value)
    assert ours.published
    # The day after both have closed, it may go.
    later = TODAY + timedelta(days=22)
    assert not services.withdraw_scenario(ours, today=later).published
    assert week1.scenario_id == ours.id


def test_the_page_names_the_exercises_and_the_post_is_refused(client, world, ours):
    _exercise(world, ours, "Week 1", TODAY, TODAY + timedelta(days=7))
    db.session.commit()
    login(client, world.admin)
    page = client.get(f"/library/{ours.id}")
    assert "You cannot withdraw it while these exercises use it" in page.text
    # The admin learns when "closed" is, and how to get there soonest.
    assert "closes at the end of its close date, which you can bring forward to today" in page.text
    assert "Withdraw from learners" not in page.text
    refused = client.post(
        f"/library/{ours.id}/publish", data={"action": "withdraw"}, follow_redirects=True
    )
    assert "cannot be withdrawn while exercises use it" in refused.text
    assert "“Week 1” for Alpha cohort" in refused.text
    db.session.refresh(ours)
    assert ours.published


@pytest.mark.parametrize("data", [{}, {"action": "explode"}])
def test_a_post_naming_no_action_does_not_republish_a_withdrawn_scenario(client, world, ours, data):
    """It used to publish: a stale or tampered form put a withdrawn scenario back in front of
    learners."""
    services.withdraw_scenario(ours)
    db.session.commit()
    login(client, world.admin)
    page = client.post(f"/library/{ours.id}/publish", data=data, follow_redirects=True)
    assert "Nothing was changed: use the Publish or Withdraw button" in page.text
    db.session.refresh(ours)
    assert not ours.published


def test_withdrawal_without_exercises_goes_ahead(client, world, ours):
    login(client, world.admin)
    page = client.post(
        f"/library/{ours.id}/publish", data={"action": "withdraw"}, follow_redirects=True
    )
    assert "is withdrawn" in page.text
    db.session.refresh(ours)
    assert not ours.published
    # The library list says so too, as the scenario's page does (not "Not published", which
    # reads as a draft that never went out).
    listing = client.get("/library/").text
    card = listing.split(f'href="/library/{ours.id}"')[1].split("</li>")[0]
    assert '<span class="tag tag-sim">Withdrawn</span>' in card and "Not published" not in card
