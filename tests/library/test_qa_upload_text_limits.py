"""Uploads whose text the database cannot hold: a NUL escaped into the title, a title over the
library's 200-character column. SQLite stored both; PostgreSQL refused them with a server error.
The upload page now lists them, naming the file and field, and stores nothing."""

import io

import pytest
import sqlalchemy as sa

from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from tests.conftest import login
from tests.library.conftest import zip_folder

OLD = 'title: "Minimal Broadband: a bill that went wrong"'


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ('"Ours\\0 too"', "invisible control character (U+0000)"),
        (f'"{"T" * 250}"', "must be at most 200 characters (it has 250)"),
    ],
)
def test_text_the_database_cannot_hold_is_listed_not_a_server_error(
    client, world, loaded, bundle, title, said
):
    login(client, world.admin)
    manifest = bundle / "minimal" / "scenario.yaml"
    text = manifest.read_text().replace("slug: minimal", "slug: our-own", 1)
    manifest.write_text(text.replace(OLD, f"title: {title}", 1))
    response = client.post(
        "/library/upload",
        data={"archive": (io.BytesIO(zip_folder(bundle / "minimal")), "ours.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "Nothing was stored" in response.text and said in response.text
    assert "scenario.yaml:3</code> <strong>title</strong>" in response.text
    assert (
        db.session.scalar(sa.select(LibraryScenario).where(LibraryScenario.slug == "our-own"))
        is None
    )
