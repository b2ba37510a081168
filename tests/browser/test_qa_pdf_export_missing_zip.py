"""A finished export whose zip has gone from the server (the PDF store cleared, or another
server's): its page and the exports list offered 'Download the zip', a link with the
`download` attribute, so the browser saved the exports page the download redirects to as
'cohorts.html' and stayed put; the message saying the zip is gone was never seen. Both pages
now say the zip is gone, and offer no link that cannot download."""

import re

import pytest
from playwright.sync_api import Page, expect

from portfolio.export import bulk
from portfolio.export.models import ExportStatus
from portfolio.extensions import db
from tests.browser.conftest import assert_accessible
from tests.browser.test_admin_journey import sign_in
from tests.conftest import PASSWORD
from tests.export import builders


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": True, "EXPORT_WORKERS": 1}


@pytest.fixture
def gone(app, world, tmp_path):
    """A finished export of world.cohort whose zip is no longer on disk."""
    app.config["PDF_CACHE_DIR"] = str(tmp_path / "pdf-cache")
    builders.build_submission(world.learner, analyses=0, uploads=0)
    job = bulk.create_export(world.cohort, by=world.admin)
    job.status, job.done, job.path = ExportStatus.DONE, 1, "exports/gone.zip"
    db.session.commit()
    return job


def test_a_gone_zip_is_said_to_be_gone_not_offered(page: Page, live_server: str, world, gone):
    sign_in(page, live_server, world.admin.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    assert_accessible(page)
    downloads = []
    page.on("download", lambda download: downloads.append(download))

    page.goto(f"{live_server}/export/jobs/{gone.id}")
    assert_accessible(page)
    expect(page.get_by_text("The zip of this export is no longer on the server.")).to_be_visible()
    expect(page.get_by_role("link", name="Download the zip")).to_be_hidden()
    expect(page.locator("#export-status")).to_contain_text("Finished: 1 of 1")
    page.get_by_role("link", name="Start the export again").first.click()
    expect(page).to_have_url(re.compile(r"/export/cohorts$"))
    assert_accessible(page)
    row = page.get_by_role("row").filter(has_text=world.cohort.name)
    expect(row).to_contain_text("Zip no longer on the server")
    expect(row.get_by_role("link", name=re.compile("^Download the zip"))).to_have_count(0)
    assert not downloads, [d.suggested_filename for d in downloads]
