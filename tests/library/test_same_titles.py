"""Two scenarios with the same title are told apart by their slug in the library and in the
exercise form's Scenario list."""

import html

from portfolio.extensions import db
from portfolio.library import services
from portfolio.scenarios.loader import load_bundle
from tests.conftest import login


def test_same_titles_are_told_apart_by_slug(client, world, loaded, bundle):
    manifest = bundle / "minimal" / "scenario.yaml"
    manifest.write_text(manifest.read_text().replace("slug: minimal", "slug: our-copy", 1))
    _, [spec] = load_bundle(bundle)
    copy = services.import_scenario(spec, centre=world.centre, by=world.admin).version.scenario
    services.publish_scenario(copy)
    db.session.commit()

    login(client, world.admin)
    library = client.get("/library/").text
    assert "Slug: minimal" in library and "Slug: our-copy" in library
    form = html.unescape(client.get("/exercises/new").text)
    title = spec.title
    assert f"{title} (minimal, bundled)" in form
    assert f"{title} (our-copy, your centre)" in form
