"""Re-uploading an earlier draft's files while a newer draft waits: the page said the match
was 'still a draft: preview it, then publish it', but Preview and Publish act on the newest
draft, so the admin previewed and published the version they were trying to go back from."""

import io

import sqlalchemy as sa

from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from tests.conftest import login
from tests.library.conftest import zip_folder


def _upload(client, data: bytes):
    return client.post(
        "/library/upload",
        data={"archive": (io.BytesIO(data), "ours.zip")},
        content_type="multipart/form-data",
    )


def _two_drafts(client, bundle, *, publish_first: bool) -> tuple[bytes, LibraryScenario]:
    manifest = bundle / "minimal" / "scenario.yaml"
    first = manifest.read_text().replace("slug: minimal", "slug: our-own", 1)
    manifest.write_text(first)
    v1 = zip_folder(bundle / "minimal", prefix="our-own/")
    _upload(client, v1)
    ours = db.session.scalar(sa.select(LibraryScenario).where(LibraryScenario.slug == "our-own"))
    if publish_first:
        client.post(f"/library/{ours.id}/publish", data={"action": "publish", "version": "1"})
    manifest.write_text(first.replace("authority_limit: 50", "authority_limit: 60", 1))
    _upload(client, zip_folder(bundle / "minimal", prefix="our-own/"))
    return v1, ours


def test_reuploading_an_earlier_draft_says_the_newer_draft_is_what_publish_puts_live(
    client, world, loaded, bundle
):
    login(client, world.admin)
    v1, ours = _two_drafts(client, bundle, publish_first=False)

    page = client.get(_upload(client, v1).headers["Location"]).text
    assert "It is still a draft: preview it, then publish it" not in page
    assert "Version 2, uploaded since, is the draft that Publish puts live" in page
    # How to go back: a stored version is never stored twice, so the files must differ.
    assert "change any file" in page
    db.session.expire_all()
    assert ours.current_number == 2


def test_reuploading_a_superseded_live_version_says_how_to_go_back(client, world, loaded, bundle):
    login(client, world.admin)
    v1, ours = _two_drafts(client, bundle, publish_first=True)
    client.post(f"/library/{ours.id}/publish", data={"action": "publish", "version": "2"})

    page = client.get(_upload(client, v1).headers["Location"]).text
    assert "Version 2 stays the live version." in page
    assert "change any file" in page


def test_reuploading_the_newest_draft_still_says_to_preview_and_publish_it(
    client, world, loaded, bundle
):
    login(client, world.admin)
    _two_drafts(client, bundle, publish_first=False)
    again = zip_folder(bundle / "minimal", prefix="our-own/")

    page = client.get(_upload(client, again).headers["Location"]).text
    assert "identical to version 2" in page
    assert "It is still a draft: preview it, then publish it to your learners." in page


def test_reuploading_a_never_published_draft_passed_over_says_which_version_is_live(
    client, world, loaded, bundle
):
    """Version 1 never went live (version 2 was published over it): it is no draft waiting to
    be published, whatever its empty publication date says."""
    login(client, world.admin)
    v1, ours = _two_drafts(client, bundle, publish_first=False)
    client.post(f"/library/{ours.id}/publish", data={"action": "publish", "version": "2"})

    page = client.get(_upload(client, v1).headers["Location"]).text
    assert "It is still a draft" not in page
    assert "Version 2 stays the live version." in page and "change any file" in page
