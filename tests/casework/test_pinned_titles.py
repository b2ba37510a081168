"""A learner's case keeps the title of the version it began on: a later version that retitles
the scenario in the library does not rename the learner's case in their lists."""

import sqlalchemy as sa

from portfolio.casework import services as casework
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.services import import_scenario, load_bundled
from portfolio.scenarios.loader import load_bundle
from tests.conftest import login
from tests.library.conftest import bundle  # noqa: F401  (fixture)


def test_my_cases_and_the_dashboard_keep_the_cases_own_title(client, world, bundle):  # noqa: F811
    """My cases and the dashboard's open cases showed the library's newest title (beside
    "version 1") once version 2 had retitled the scenario."""
    load_bundled(bundle)
    scenario = db.session.scalar(sa.select(LibraryScenario))
    old_title = scenario.title
    case = casework.start_case(world.learner, scenario)
    db.session.commit()
    manifest = bundle / "minimal" / "scenario.yaml"
    manifest.write_text(manifest.read_text().replace("Minimal Broadband: a bill", "Renamed", 1))
    _, [spec] = load_bundle(bundle)
    import_scenario(spec, centre=None, publish=True)
    db.session.commit()
    assert scenario.title != old_title and case.version.number == 1
    login(client, world.learner)
    for url in ("/cases/", "/dashboard"):
        page = client.get(url).text
        assert f'/cases/{case.id}">{old_title}</a>' in page, url
        assert scenario.title not in page, url
