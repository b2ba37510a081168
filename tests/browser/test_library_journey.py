"""A centre admin uploads a scenario zip with mistakes in it, reads the errors (file, line and
field), uploads the fixed zip, previews it with the assessor guidance and publishes it. The
library, upload, scenario and preview pages pass axe; CSRF is on, as in production."""

import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portfolio.extensions import db
from portfolio.library.models import LibraryScenario, ScenarioVersion
from portfolio.library.services import load_bundled
from portfolio.roles import Role
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD
from tests.library.conftest import FIXTURES, zip_folder

ADMIN_EMAIL = "admin@alpha.test"
TITLE = "Our Own Broadband: a promise not kept"


@pytest.fixture
def admin(make_user):
    return make_user(Role.CENTRE_ADMIN, email=ADMIN_EMAIL, full_name="Alex Admin")


@pytest.fixture
def our_scenario(tmp_path, admin) -> Path:
    """The bundled test unit and scenario loaded; a copy of the scenario, renamed, to upload."""
    bundle = tmp_path / "bundle"
    shutil.copytree(FIXTURES, bundle)
    load_bundled(bundle)
    db.session.commit()  # the live server reads the database from another thread
    folder = tmp_path / "our-own"
    shutil.copytree(bundle / "minimal", folder)
    manifest = folder / "scenario.yaml"
    text = manifest.read_text().replace("slug: minimal", "slug: our-own", 1)
    text = re.sub(r"(?m)^title: .*$", f'title: "{TITLE}"', text, count=1)
    manifest.write_text(text)
    return folder


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def choose_zip(page: Page, data: bytes) -> None:
    page.get_by_label("Scenario zip file").set_input_files(
        files=[{"name": "our-own.zip", "mimeType": "application/zip", "buffer": data}]
    )
    page.get_by_role("button", name="Upload and validate").click()


def test_admin_uploads_fixes_previews_and_publishes_a_scenario(
    page: Page, live_server: str, admin, our_scenario: Path
):
    manifest = our_scenario / "scenario.yaml"
    log = our_scenario / "complaint_log.csv"
    good_manifest, good_log = manifest.read_text(), log.read_text()
    # Two mistakes in two files: a word where the authority limit's amount goes, and a count
    # written in words in the complaint log.
    manifest.write_text(good_manifest.replace("authority_limit: 50", "authority_limit: fifty"))
    log.write_text(good_log.replace(",35,", ",thirty-five,", 1))
    broken = zip_folder(our_scenario, prefix="our-own/")
    manifest.write_text(good_manifest)
    log.write_text(good_log)
    fixed = zip_folder(our_scenario, prefix="our-own/")

    page.goto(f"{live_server}/auth/login")
    assert_accessible(page)
    page.locator('input[name="email"]').fill(ADMIN_EMAIL)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    heading(page, "Welcome, Alex Admin")
    assert_accessible(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scenarios").click()
    heading(page, "Scenario library")
    assert_accessible(page)
    page.get_by_role("link", name="Upload a scenario").click()
    heading(page, "Upload a scenario")
    expect(page.get_by_text("At most 10 MB.")).to_be_visible()
    assert_accessible(page)

    # The broken zip: every problem listed, each naming its file, line and field.
    choose_zip(page, broken)
    heading(page, "Upload a scenario")
    problems = page.get_by_role("alert")
    expect(problems).to_be_focused()
    expect(problems.get_by_role("heading")).to_have_text(
        "our-own.zip has 2 problems. Nothing was stored."
    )
    items = problems.get_by_role("listitem")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_have_text(
        'our-own/complaint_log.csv:4 count: "thirty-five" is not a whole number of 0 or more'
    )
    expect(items.nth(1)).to_have_text(
        re.compile(
            r"^our-own/scenario\.yaml:\d+ authority_limit: expected an amount in pounds, "
            r'.*got the text "fifty"$'
        )
    )
    assert_accessible(page)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(LibraryScenario.id))) == 1

    # The fixed zip is stored for the centre, not yet published.
    choose_zip(page, fixed)
    heading(page, TITLE)
    expect(page.get_by_role("status")).to_contain_text(
        f"Uploaded {TITLE} as version 1, a draft. Preview it, then publish it to your learners."
    )
    expect(page.get_by_text("Not published", exact=True)).to_be_visible()
    assert_accessible(page)

    # The preview shows what learners never see.
    page.get_by_role("link", name="Preview version 1 with assessor guidance").click()
    heading(page, f"Preview: {TITLE}")
    expect(page.get_by_role("heading", name="Assessor guidance", level=2)).to_be_visible()
    expect(page.get_by_text("Version 1, content hash")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Back to the scenario").click()
    heading(page, TITLE)
    page.get_by_role("button", name="Publish version 1 to learners").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"{TITLE} is published to your learners: version 1 is live."
    )
    expect(page.get_by_text("Published", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Withdraw from learners")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scenarios").click()
    card = page.get_by_role("listitem").filter(has=page.get_by_role("link", name=TITLE))
    expect(card).to_contain_text("Your centre's")
    expect(card).not_to_contain_text("Not published")
    assert_accessible(page)

    db.session.expire_all()
    ours = db.session.scalar(sa.select(LibraryScenario).where(LibraryScenario.slug == "our-own"))
    assert ours.published and ours.centre_id == admin.centre_id
    assert db.session.scalar(sa.select(sa.func.count(ScenarioVersion.id))) == 2


def test_the_format_guide_fits_the_window(page: Page, live_server: str, admin):
    """The guide's long YAML examples scroll in regions of their own: unwrapped, they widened
    the whole page to 1,549px in a 1,280px window."""
    db.session.commit()  # the live server reads the database from another thread
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/auth/login")
    assert_accessible(page)
    page.locator('input[name="email"]').fill(ADMIN_EMAIL)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    heading(page, "Welcome, Alex Admin")
    assert_accessible(page)
    page.goto(f"{live_server}/library/format")
    heading(page, "Scenario file format")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    example = page.get_by_role("region", name="Example 2")
    expect(example).to_contain_text("format: 1")
    assert_accessible(page)
