"""The library list called a withdrawn scenario with a draft waiting 'Not published', as if it
had never gone live, though its learners' cases and exercises used it."""

import re

from portfolio.extensions import db
from portfolio.library import services
from tests.conftest import login
from tests.library.conftest import our_spec


def _card(html: str) -> str:
    match = re.search(r'<li class="card">(?:(?!</li>).)*Slug: ours.*?</li>', html, re.S)
    assert match
    return match.group(0)


def test_a_withdrawn_scenario_with_a_draft_is_listed_as_withdrawn(client, world, loaded, bundle):
    v1 = services.import_scenario(our_spec(bundle, 50), centre=world.centre, by=world.admin)
    scenario = v1.version.scenario
    services.publish_scenario(scenario)
    services.import_scenario(our_spec(bundle, 90), centre=world.centre, by=world.admin)
    services.withdraw_scenario(scenario)
    db.session.commit()
    card = _card(login(client, world.admin).get("/library/").text)
    assert ">Withdrawn<" in card and "Not published" not in card
    assert "Draft version 2 waiting to be published" in card


def test_a_scenario_never_published_is_listed_as_not_published(client, world, loaded, bundle):
    services.import_scenario(our_spec(bundle, 50), centre=world.centre, by=world.admin)
    services.import_scenario(our_spec(bundle, 90), centre=world.centre, by=world.admin)
    db.session.commit()
    card = _card(login(client, world.admin).get("/library/").text)
    assert ">Not published<" in card and "Withdrawn" not in card
