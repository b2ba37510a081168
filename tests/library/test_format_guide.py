"""The upload page links to the format guide served in the app, and to an example zip."""

import io
import zipfile

from portfolio.extensions import db
from portfolio.framework.services import import_unit
from portfolio.scenarios.loader import load_bundle
from tests.conftest import login


def test_upload_page_links_to_the_guide_not_a_repository_path(client, world):
    login(client, world.admin)
    page = client.get("/library/upload").text
    assert "scenarios/FORMAT.md" not in page
    assert 'href="/library/format"' in page and 'href="/library/example.zip"' in page


def test_the_guide_is_rendered_and_sanitised(client, world):
    login(client, world.admin)
    page = client.get("/library/format")
    assert page.status_code == 200
    assert "<h2>Scenario file format (format 1)</h2>" in page.text
    assert "The manifest, <code>scenario.yaml</code>" in page.text
    assert "<script" not in page.text.split('<div class="format-guide">')[1].split("</main>")[0]
    # Each example scrolls in a region of its own rather than widening the page.
    guide = page.text.split('<div class="format-guide">')[1]
    assert guide.count("<pre>") > 3
    assert guide.count("<pre>") == guide.count('tabindex="0"><pre>')
    region = '<div class="table-scroll" role="region" aria-label="Example 1" tabindex="0">'
    assert region + "<pre>" in guide


def test_the_example_zip_uploads_as_it_is(client, world):
    """The example is a real bundled scenario: the upload accepts it unchanged."""
    criteria, _ = load_bundle(client.application.config["SCENARIOS_DIR"])
    for spec in criteria:
        import_unit(spec)
    db.session.commit()
    login(client, world.admin)
    response = client.get("/library/example.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert "telecoms-billing/scenario.yaml" in archive.namelist()
    stored = client.post(
        "/library/upload",
        data={"archive": (io.BytesIO(response.data), "telecoms-billing.zip")},
        content_type="multipart/form-data",
    )
    assert stored.status_code == 302


def test_learners_get_neither(client, world):
    login(client, world.learner)
    assert client.get("/library/format").status_code == 403
    assert client.get("/library/example.zip").status_code == 403
