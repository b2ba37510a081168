"""A trainer makes a second scenario by copying the first one's folder and forgets to change
its slug: the upload became version 2 of the first scenario, titled as the second, with only
'Uploaded <new title> as version 2, a draft', and publishing it replaced the first scenario."""

import io

from tests.conftest import login
from tests.library.conftest import zip_folder


def _upload(client, data: bytes):
    response = client.post(
        "/library/upload",
        data={"archive": (io.BytesIO(data), "ours.zip")},
        content_type="multipart/form-data",
    )
    return client.get(response.headers["Location"]).text


def test_a_new_title_on_an_existing_slug_says_which_scenario_it_replaces(
    client, world, loaded, bundle
):
    login(client, world.admin)
    manifest = bundle / "minimal" / "scenario.yaml"
    first = manifest.read_text().replace("slug: minimal", "slug: our-own", 1)
    manifest.write_text(first)
    _upload(client, zip_folder(bundle / "minimal"))
    title = next(line for line in first.splitlines() if line.startswith("title:"))
    manifest.write_text(first.replace(title, 'title: "Another company entirely"', 1))

    page = _upload(client, zip_folder(bundle / "minimal"))
    assert "Uploaded Another company entirely as version 2" in page
    old_title = title.removeprefix("title:").strip().strip('"')
    assert f"It replaces “{old_title}” (version 1)" in page
    assert "give it a slug of its own" in page


def test_a_new_version_keeping_its_title_says_nothing_of_slugs(client, world, loaded, bundle):
    login(client, world.admin)
    manifest = bundle / "minimal" / "scenario.yaml"
    first = manifest.read_text().replace("slug: minimal", "slug: our-own", 1)
    manifest.write_text(first)
    _upload(client, zip_folder(bundle / "minimal"))
    manifest.write_text(first.replace("authority_limit: 50", "authority_limit: 60", 1))

    page = _upload(client, zip_folder(bundle / "minimal"))
    assert "as version 2" in page and "It replaces" not in page
