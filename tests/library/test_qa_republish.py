"""Withdrawn while a new draft waited: the page offered only 'Publish version 2 to learners',
so the admin who withdrew by mistake (or while the draft was being written) could bring the
scenario back only by putting the unfinished draft live. The page now offers the version that
was live as well, and publishing it leaves the draft a draft."""

import re

from portfolio.extensions import db
from portfolio.library import queries, services
from tests.conftest import login
from tests.library.conftest import our_spec


def _withdrawn_with_a_draft(world, bundle):
    v1 = services.import_scenario(our_spec(bundle, 50), centre=world.centre, by=world.admin)
    scenario = v1.version.scenario
    services.publish_scenario(scenario)
    services.import_scenario(our_spec(bundle, 90), centre=world.centre, by=world.admin)
    services.withdraw_scenario(scenario)
    db.session.commit()
    return scenario


def test_a_withdrawn_scenario_can_go_back_live_on_its_last_live_version(
    client, world, loaded, bundle
):
    scenario = _withdrawn_with_a_draft(world, bundle)
    login(client, world.admin)
    page = client.get(f"/library/{scenario.id}").text
    assert "Publish version 1 to learners again" in page
    assert "Publish version 2 to learners" in page
    assert re.search(r'name="version" value="1"', page)

    client.post(f"/library/{scenario.id}/publish", data={"action": "publish", "version": "1"})
    db.session.expire_all()
    assert scenario.published and scenario.current_number == 1
    assert queries.draft_version(scenario).number == 2  # still a draft, unpublished


def test_an_older_version_than_the_last_live_one_is_still_refused(world, loaded, bundle):
    scenario = _withdrawn_with_a_draft(world, bundle)
    services.import_scenario(our_spec(bundle, 95), centre=world.centre, by=world.admin)
    try:
        services.publish_scenario(scenario, number=2)
    except services.LibraryError as exc:
        assert "version 3" in str(exc)
    else:
        raise AssertionError("a superseded draft was published")
    assert not scenario.published
