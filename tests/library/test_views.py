"""Library pages: browsing without spoilers, guidance for staff only, upload and publish."""

import io
import zipfile

import sqlalchemy as sa

from portfolio.extensions import db
from portfolio.library.models import LibraryScenario, ScenarioVersion
from tests.conftest import login
from tests.library.conftest import zip_folder


def _scenario():
    return db.session.scalar(sa.select(LibraryScenario))


def test_learner_browses_without_spoilers(client, world, loaded):
    login(client, world.learner)
    page = client.get("/library/")
    assert "Minimal Broadband" in page.text
    detail = client.get(f"/library/{_scenario().id}")
    assert detail.status_code == 200
    assert "Assessor guidance" not in detail.text and "root cause" not in detail.text.lower()
    assert client.get(f"/library/{_scenario().id}/preview").status_code == 403
    # "Read-only" is about managing the file: to a learner it read as "you cannot work this".
    assert "read-only" not in detail.text and ">Bundled<" in detail.text


def test_staff_preview_includes_guidance(client, world, loaded):
    login(client, world.assessor)
    page = client.get(f"/library/{_scenario().id}/preview")
    assert page.status_code == 200
    assert "Assessor guidance" in page.text and "misleading" in page.text
    # The account has a row of its own, as on the case's overview: folded into the customer's
    # row it read "(account Current account ending 4417 (customer no. 7730518))".
    assert "<dt>Account</dt><dd>MB-1001</dd>" in page.text
    assert "(account " not in page.text
    # A reply rule names its deadline as the deadlines table does, not by the file's id.
    assert "(sent by deadline: Final response or ADR letter (8 weeks), day 56)" in page.text
    assert "sent by deadline: adr-letter" not in page.text


def _upload(client, data: bytes, name="mine.zip"):
    return client.post(
        "/library/upload",
        data={"archive": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_admin_uploads_fixes_and_publishes(client, world, loaded, bundle):
    login(client, world.admin)
    folder = bundle / "minimal"
    manifest = folder / "scenario.yaml"
    good = manifest.read_text().replace("slug: minimal", "slug: our-own", 1)
    manifest.write_text(good.replace("authority_limit:", "authority_limitt:", 1))
    broken = _upload(client, zip_folder(folder, prefix="our-own/"))
    assert broken.status_code == 200
    assert "Nothing was stored" in broken.text and "authority_limit" in broken.text
    assert db.session.scalar(sa.select(sa.func.count(LibraryScenario.id))) == 1

    manifest.write_text(good)
    stored = _upload(client, zip_folder(folder, prefix="our-own/"))
    assert stored.status_code == 302
    ours = db.session.scalar(sa.select(LibraryScenario).where(LibraryScenario.slug == "our-own"))
    assert ours.centre_id == world.centre.id and not ours.published

    login(client, world.learner)
    assert "our-own" not in client.get("/library/").text
    assert client.get(f"/library/{ours.id}").status_code == 404

    login(client, world.admin)
    assert client.post(f"/library/{ours.id}/publish", data={"action": "publish"}).status_code == 302
    db.session.refresh(ours)
    assert ours.published
    login(client, world.learner)
    assert client.get(f"/library/{ours.id}").status_code == 200
    login(client, world.other_admin)
    assert client.get(f"/library/{ours.id}").status_code == 404
    assert client.post(f"/library/{ours.id}/publish").status_code == 404

    login(client, world.admin)
    same = _upload(client, zip_folder(folder))
    assert same.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ScenarioVersion.id))) == 2


def test_upload_rejections_store_nothing(client, world, loaded):
    login(client, world.admin)
    not_zip = _upload(client, b"just some text", "notes.zip")
    assert "Not a zip file" in not_zip.text
    empty = client.post("/library/upload", data={}, content_type="multipart/form-data")
    assert "Choose a zip file" in empty.text
    assert db.session.scalar(sa.select(sa.func.count(LibraryScenario.id))) == 1


def test_bundled_scenarios_cannot_be_unpublished(client, world, loaded):
    login(client, world.admin)
    assert client.post(f"/library/{_scenario().id}/publish").status_code == 403


def test_learners_cannot_upload(client, world):
    login(client, world.learner)
    assert client.get("/library/upload").status_code == 403


def test_upload_errors_name_files_inside_the_zip_and_the_zip_once(client, world, loaded, bundle):
    login(client, world.admin)
    folder = bundle / "minimal"
    manifest = folder / "scenario.yaml"
    manifest.write_text(manifest.read_text().replace("authority_limit:", "authority_limitt:", 1))
    page = _upload(client, zip_folder(folder, prefix="our-own/"), "mine.zip").text
    assert "<code>mine.zip</code> has" in page
    assert "<code>our-own/scenario.yaml:" in page and "mine.zip/" not in page

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for top in ("a", "b"):
            with zipfile.ZipFile(io.BytesIO(zip_folder(folder))) as one:
                for name in one.namelist():
                    archive.writestr(f"two-folders/{top}/{name}", one.read(name))
    page = _upload(client, buffer.getvalue(), "two-folders.zip").text
    assert "must hold exactly one scenario folder" in page
    assert "two-folders/a/, two-folders/b/" in page
    assert "file not found" not in page


def test_re_uploading_an_earlier_version_says_which_version_stays_live(
    client, world, loaded, bundle
):
    """Uploading version 1's files again once version 2 is live stores nothing; the message
    said only 'identical to a version already stored', so an admin trying to go back to
    version 1 could believe it was live again."""
    login(client, world.admin)
    manifest = bundle / "minimal" / "scenario.yaml"
    first = manifest.read_text().replace("slug: minimal", "slug: our-own", 1)
    manifest.write_text(first)
    v1 = zip_folder(bundle / "minimal", prefix="our-own/")
    _upload(client, v1)
    ours = db.session.scalar(sa.select(LibraryScenario).where(LibraryScenario.slug == "our-own"))
    client.post(f"/library/{ours.id}/publish", data={"action": "publish"})
    manifest.write_text(first.replace("authority_limit: 50", "authority_limit: 60", 1))
    _upload(client, zip_folder(bundle / "minimal", prefix="our-own/"))
    client.post(f"/library/{ours.id}/publish", data={"action": "publish"})

    page = client.get(_upload(client, v1).headers["Location"]).text
    assert (
        "That file is identical to version 1, already stored: nothing changed. "
        "Version 2 stays the live version."
    ) in page
