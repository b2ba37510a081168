"""Amounts on the scenario page and the staff preview read '£1250.00', while the case pages a
learner works in say '£1,250.00'."""

import sqlalchemy as sa

from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.services import load_bundled
from tests.conftest import login


def test_amounts_of_a_thousand_pounds_or_more_have_their_comma(client, world, app, bundle):
    manifest = bundle / "minimal" / "scenario.yaml"
    text = manifest.read_text().replace("amount: 42.50", "amount: 1250", 1)
    manifest.write_text(text.replace("authority_limit: 50", "authority_limit: 1500", 1))
    load_bundled(bundle)
    db.session.commit()
    scenario = db.session.scalar(sa.select(LibraryScenario))
    login(client, world.assessor)
    assert "£1,500.00" in client.get(f"/library/{scenario.id}").text
    preview = client.get(f"/library/{scenario.id}/preview").text
    assert "authority limit: £1,500.00" in preview and "£1,250.00" in preview
    assert "£1250.00" not in preview
