"""The staff preview says what meets each deadline (the final response, a remedy, or nothing
the learner does) and which remedies the manager always refuses."""

import re
from html import unescape

import sqlalchemy as sa

from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.services import load_bundled
from tests.conftest import login


def test_the_preview_says_what_meets_each_deadline(client, world, bundle):
    manifest = bundle / "minimal" / "scenario.yaml"
    manifest.write_text(
        manifest.read_text().replace(
            "      day: 28\n", "      day: 28\n      met_by_remedy: refund-overcharge\n", 1
        )
    )
    load_bundled(bundle)
    db.session.commit()
    scenario = db.session.scalar(sa.select(LibraryScenario))
    login(client, world.assessor)
    page = unescape(client.get(f"/library/{scenario.id}/preview").text)
    rows = {
        re.sub(r"<[^>]+>", " ", row).split()[0]: " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in (r.split("</tr>")[0] for r in page.split("<tr>")[1:])
        if "Internal reminder" in row or "Final response or ADR" in row
    }
    assert rows["Internal"].endswith("A response offering: Refund the overcharge")
    assert rows["Final"].endswith("Yes The final response")


def test_the_preview_shows_a_remedy_the_manager_always_refuses(client, world, bundle):
    manifest = bundle / "minimal" / "scenario.yaml"
    manifest.write_text(
        manifest.read_text().replace(
            "  - id: refund-overcharge\n",
            "  - id: refund-overcharge\n    manager_declines: Not while the bill is wrong.\n",
            1,
        )
    )
    load_bundled(bundle)
    db.session.commit()
    scenario = db.session.scalar(sa.select(LibraryScenario))
    login(client, world.assessor)
    page = unescape(client.get(f"/library/{scenario.id}/preview").text)
    row = next(r for r in page.split("<tr>") if "Refund the overcharge" in r).split("</tr>")[0]
    assert "always refused: <em>Not while the bill is wrong.</em>" in row
