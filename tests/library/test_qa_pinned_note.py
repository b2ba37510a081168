"""A learner whose case began on version 1 opens the scenario's page once version 2 is live:
the page showed version 2's facts (a different authority limit, say) beside 'Continue your
case', with no word that their case keeps version 1."""

from portfolio.casework.services import start_case
from portfolio.extensions import db
from portfolio.library import services
from portfolio.scenarios.loader import load_bundle
from tests.conftest import login


def _spec(bundle, limit: int):
    manifest = bundle / "minimal" / "scenario.yaml"
    text = manifest.read_text().replace("slug: minimal", "slug: ours", 1)
    manifest.write_text(text.replace("authority_limit: 50", f"authority_limit: {limit}", 1))
    _, [spec] = load_bundle(bundle)
    manifest.write_text(text.replace("slug: ours", "slug: minimal", 1))
    return spec


def test_the_scenario_page_says_the_learners_case_keeps_its_version(client, world, loaded, bundle):
    v1 = services.import_scenario(_spec(bundle, 50), centre=world.centre, by=world.admin)
    scenario = v1.version.scenario
    services.publish_scenario(scenario)
    start_case(world.learner, scenario)
    services.import_scenario(_spec(bundle, 90), centre=world.centre, by=world.admin)
    services.publish_scenario(scenario)
    db.session.commit()

    page = login(client, world.learner).get(f"/library/{scenario.id}").text
    assert "£90.00" in page
    assert (
        "Your case keeps version 1, as the scenario was when you started it; this page shows "
        "version 2. A new case would use version 2."
    ) in page


def test_no_note_when_the_case_is_on_the_current_version(client, world, loaded, bundle):
    v1 = services.import_scenario(_spec(bundle, 50), centre=world.centre, by=world.admin)
    services.publish_scenario(v1.version.scenario)
    start_case(world.learner, v1.version.scenario)
    db.session.commit()
    page = login(client, world.learner).get(f"/library/{v1.version.scenario.id}").text
    assert "Continue your case" in page and "Your case keeps version" not in page
