"""Reports: the cohort grid in three forms, CSV injection neutralised, the decision log."""

import csv
import io

from openpyxl import load_workbook

from portfolio.extensions import db
from portfolio.framework.services import import_unit
from portfolio.review import log
from portfolio.scenarios.loader import load_bundle
from tests.conftest import login
from tests.library.conftest import FIXTURES


def _unit():
    [criteria], _ = load_bundle(FIXTURES)
    import_unit(criteria)
    db.session.commit()


def test_cohort_grid_csv_and_xlsx(client, world):
    _unit()
    world.peer.full_name = "=HYPERLINK(evil)"
    db.session.commit()
    login(client, world.admin)
    page = client.get(f"/reports/cohorts/{world.cohort.id}")
    assert page.status_code == 200 and "1.1" in page.text
    rows = list(csv.reader(io.StringIO(client.get(f"/reports/cohorts/{world.cohort.id}.csv").text)))
    assert rows[0][:3] == ["Learner", "Email", "1.1"]
    assert {r[0] for r in rows[1:]} == {world.learner.full_name, "'=HYPERLINK(evil)"}
    assert all(cell == "No evidence" for r in rows[1:] for cell in r[2:])
    book = load_workbook(io.BytesIO(client.get(f"/reports/cohorts/{world.cohort.id}.xlsx").data))
    assert book["Tracking grid"]["C1"].value == "1.1"
    assert book["Criteria"]["A2"].value == "1.1"


def test_decision_log_csv_holds_only_the_centres_entries(client, world):
    log.append("note", actor=world.assessor, payload={"x": 1})
    log.append("note", actor=world.other_assessor, payload={"x": 2})
    db.session.commit()
    login(client, world.admin)
    rows = list(csv.reader(io.StringIO(client.get("/reports/decision-log.csv").text)))
    assert len(rows) == 2 and rows[1][3] == world.assessor.full_name
