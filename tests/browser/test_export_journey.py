"""Every user allowed to download a version's PDF does so in the browser (a real download, a
complete PDF); a centre admin exports the cohort and watches the progress page finish."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from portfolio.db import utcnow
from portfolio.export import bulk
from portfolio.export.models import ExportStatus
from portfolio.extensions import db
from tests.browser.conftest import assert_accessible
from tests.browser.test_admin_journey import sign_in
from tests.conftest import PASSWORD
from tests.export import builders
from tests.export.conftest import pdftotext


@pytest.fixture
def app_config() -> dict:
    """CSRF on, as in production; the export job renders in its thread, one PDF at a time."""
    return {"WTF_CSRF_ENABLED": True, "EXPORT_WORKERS": 1}


@pytest.fixture
def submitted(app, world, tmp_path):
    app.config["PDF_CACHE_DIR"] = str(tmp_path / "pdf-cache")
    world.submission = builders.build_submission(world.learner, analyses=1, uploads=1)
    builders.sign_off(world.submission, world.assessor)
    db.session.commit()  # the live server reads the database from another thread
    return world


def test_every_allowed_user_downloads_the_pdf(page: Page, live_server: str, submitted, tmp_path):
    world = submitted
    for actor in ("learner", "assessor", "iqa", "admin"):
        user = world.by_role(actor)
        sign_in(page, live_server, user.email, PASSWORD)
        expect(page).to_have_url(re.compile(r"/dashboard$"))
        assert_accessible(page)
        page.goto(f"{live_server}/portfolio/submissions/{world.submission.id}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(world.learner.full_name)
        assert_accessible(page)
        with page.expect_download(timeout=120_000) as info:
            page.get_by_role("link", name="Download PDF").click()
        download = info.value
        assert download.suggested_filename.endswith("-v1.pdf")
        path = tmp_path / f"{actor}.pdf"
        download.save_as(path)
        data = path.read_bytes()
        assert data.startswith(b"%PDF-")
        text = " ".join(pdftotext(data, tmp_path).split())
        assert world.learner.full_name in text and "Page 1 of" in text
        assert "Signed off" in text
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(re.compile(r"/auth/login$"))


def test_admin_exports_the_cohort_and_sees_progress(
    page: Page, live_server: str, submitted, tmp_path
):
    world = submitted
    sign_in(page, live_server, world.admin.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    assert_accessible(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export a cohort's portfolios")
    assert_accessible(page)
    page.get_by_label("Cohort").select_option(label=world.cohort.name)
    page.get_by_role("button", name="Start the export").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Export of {world.cohort.name}")
    # The page polls the job's JSON and shows the download when the zip is ready.
    download_link = page.get_by_role("link", name="Download the zip")
    expect(download_link).to_be_visible(timeout=120_000)
    expect(page.locator("#export-status")).to_contain_text("1 of 1")
    expect(page.get_by_role("link", name="Reload to see progress")).to_be_hidden()
    assert_accessible(page)
    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / "cohort.zip"
    info.value.save_as(path)
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
        assert len(pdfs) == 1  # only the learner in the cohort with a submission
        assert archive.read(pdfs[0]).startswith(b"%PDF-")


def test_the_progress_page_stops_polling_when_the_session_ends(
    page: Page, live_server: str, submitted
):
    """An export that has not finished: the page polls, and once the session has ended it says
    so and stops, instead of polling the sign-in page for ever in silence."""
    world = submitted
    job = bulk.create_export(world.cohort, by=world.admin)
    db.session.commit()  # queued and never run: the page keeps polling
    page.clock.install()
    sign_in(page, live_server, world.admin.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    assert_accessible(page)
    page.goto(f"{live_server}/export/jobs/{job.id}")
    assert_accessible(page)
    with page.expect_response(re.compile(rf"/export/jobs/{job.id}\.json$")):
        page.clock.run_for(2_100)
    expect(page.get_by_role("alert")).to_be_hidden()

    page.context.clear_cookies()
    with page.expect_response(re.compile(r"/auth/login")):
        page.clock.run_for(2_100)
    notice = page.get_by_role("alert")
    expect(notice).to_contain_text("Your session has ended – sign in again")
    expect(notice.get_by_role("link", name="Sign in again")).to_be_visible()
    expect(page.get_by_role("link", name="Reload to see progress")).to_be_hidden()
    assert_accessible(page)

    # No further polls once it has said so.
    polls: list[str] = []
    page.on("request", lambda request: polls.append(request.url))
    page.clock.run_for(10_000)
    assert not [u for u in polls if u.endswith(".json")]


def test_the_progress_page_shows_a_failure_plainly_with_a_way_to_start_again(
    page: Page, live_server: str, submitted
):
    world = submitted
    job = bulk.create_export(world.cohort, by=world.admin)
    db.session.commit()
    page.clock.install()
    sign_in(page, live_server, world.admin.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    assert_accessible(page)
    page.goto(f"{live_server}/export/jobs/{job.id}")
    assert_accessible(page)
    expect(page.get_by_role("link", name="Start the export again")).to_be_hidden()

    # The job fails while the page polls.
    job.status, job.error = ExportStatus.FAILED, "OSError: disk full"
    db.session.commit()
    with page.expect_response(re.compile(rf"/export/jobs/{job.id}\.json$")):
        page.clock.run_for(2_100)
    expect(page.locator("#export-error")).to_have_text(
        "The export stopped before it finished: a portfolio could not be turned into a PDF."
    )
    expect(page.get_by_role("link", name="Start the export again")).to_be_visible()
    expect(page.get_by_role("link", name="Reload to see progress")).to_be_hidden()
    assert_accessible(page)


def test_the_progress_page_stops_when_the_export_stalls(page: Page, live_server: str, submitted):
    """A job whose server restarted never moves again: the page stops polling and offers to
    start it again, instead of waiting for ever."""
    world = submitted
    job = bulk.create_export(world.cohort, by=world.admin)
    job.status = ExportStatus.RUNNING
    db.session.commit()
    page.clock.install()
    sign_in(page, live_server, world.admin.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    assert_accessible(page)
    page.goto(f"{live_server}/export/jobs/{job.id}")
    assert_accessible(page)
    job.updated_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    with page.expect_response(re.compile(rf"/export/jobs/{job.id}\.json$")):
        page.clock.run_for(2_100)
    notice = page.get_by_role("alert")
    expect(notice).to_contain_text("the server running it may have restarted")
    expect(notice.get_by_role("link", name="Start it again")).to_have_attribute(
        "href", "/export/cohorts"
    )
    assert_accessible(page)


def test_a_download_after_signing_out_elsewhere_shows_the_sign_in_page(
    page: Page, live_server: str, submitted
):
    """Signed out in another tab, "Download PDF" saved the sign-in page as a file (the link's
    `download` attribute), and the learner never saw why: now the sign-in page is shown."""
    world = submitted
    sign_in(page, live_server, world.learner.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    assert_accessible(page)
    page.goto(f"{live_server}/portfolio/submissions/{world.submission.id}")
    assert_accessible(page)
    other = page.context.new_page()  # another tab of the same browser signs out
    other.goto(f"{live_server}/dashboard")
    other.get_by_role("button", name="Sign out").click()
    expect(other).to_have_url(re.compile(r"/auth/login$"))
    other.close()
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.get_by_role("link", name="Download PDF").click()
    expect(page).to_have_url(re.compile(r"/auth/login"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    assert downloads == []
