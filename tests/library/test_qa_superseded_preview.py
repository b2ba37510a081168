"""Previewing a draft that a later upload passed over (version 2 of 3, never published): the page
said 'Version 2 has not been published: learners ... do not get it until it is', but it never
can be: Publish puts the newest draft live."""

from portfolio.extensions import db
from portfolio.library import services
from tests.conftest import login
from tests.library.conftest import our_spec


def test_a_passed_over_draft_says_it_will_never_go_live(client, world, loaded, bundle):
    v1 = services.import_scenario(our_spec(bundle, 50), centre=world.centre, by=world.admin)
    scenario = v1.version.scenario
    services.publish_scenario(scenario)
    services.import_scenario(our_spec(bundle, 60), centre=world.centre, by=world.admin)
    services.import_scenario(our_spec(bundle, 70), centre=world.centre, by=world.admin)
    db.session.commit()
    login(client, world.admin)

    passed_over = client.get(f"/library/{scenario.id}/preview?version=2").text
    assert "do not get it until it is" not in passed_over
    assert (
        "Version 2 was never published, and later versions were uploaded after it: it never "
        "goes live. Publish puts version 3 live."
    ) in passed_over
    newest = client.get(f"/library/{scenario.id}/preview?version=3").text
    assert "Version 3 has not been published" in newest


def test_a_draft_passed_over_by_a_published_version_says_which_is_live(
    client, world, loaded, bundle
):
    services.import_scenario(our_spec(bundle, 50), centre=world.centre, by=world.admin)
    v2 = services.import_scenario(our_spec(bundle, 60), centre=world.centre, by=world.admin)
    services.publish_scenario(v2.version.scenario)
    db.session.commit()
    login(client, world.admin)
    page = client.get(f"/library/{v2.version.scenario.id}/preview?version=1").text
    assert "do not get it until it is" not in page
    assert "it never goes live. Version 2 is the live version." in page
