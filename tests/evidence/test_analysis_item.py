"""An analysis as evidence shows its figures as the analysis page does, total row included."""

import sqlalchemy as sa

from portfolio.analysis.params import AnalysisParams
from portfolio.evidence.models import EvidenceItem
from portfolio.evidence.services import sync_case_items
from portfolio.extensions import db
from portfolio.improvement import services
from portfolio.roles import Role
from tests.conftest import login
from tests.improvement.builders import open_case


def test_an_analysis_item_keeps_the_total_row(app, client, make_user):
    learner = make_user(Role.LEARNER)
    case = open_case(learner)
    services.save_analysis(
        case,
        params=AnalysisParams(measure="cost"),
        title="Pareto by cost",
        commentary="Installation dominates by cost.",
    )
    sync_case_items(case)
    db.session.commit()
    item = db.session.scalar(sa.select(EvidenceItem).where(EvidenceItem.source == "analysis"))
    login(client, learner)
    page = client.get(f"/portfolio/{item.portfolio_id}/items/{item.id}").text
    footer = page.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    assert '<th scope="row">Total</th>' in footer
