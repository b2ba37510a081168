"""Reports: the cohort grid in three forms, CSV injection neutralised, the decision log."""

import codecs
import csv
import io
import json
from datetime import date

from openpyxl import load_workbook

from portfolio.evidence import services as evidence
from portfolio.extensions import db
from portfolio.framework.services import import_unit
from portfolio.reports.queries import cohort_grid
from portfolio.review import caseload, log, services
from portfolio.review import queries as review_queries
from portfolio.review.context import log_rows
from portfolio.review.models import Assessment, AssessmentKind, Decision
from portfolio.scenarios.loader import load_bundle
from tests.conftest import login
from tests.library.conftest import FIXTURES
from tests.review.conftest import (  # noqa: F401  (fixtures)
    bundle,
    correct_to_met,
    criteria_of,
    decide,
    submit,
    submitted,
    worked,
)


def _grid_csv(client, world) -> str:
    """The cohort grid CSV's text, without the byte-order mark it begins with for Excel."""
    return client.get(f"/reports/cohorts/{world.cohort.id}.csv").get_data().decode("utf-8-sig")


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
    rows = list(csv.reader(io.StringIO(_grid_csv(client, world))))
    assert rows[0][:3] == ["Learner", "Email", "1.1"]
    assert {r[0] for r in rows[1:]} == {world.learner.full_name, "'=HYPERLINK(evil)"}
    assert all(cell == "No evidence" for r in rows[1:] for cell in r[2:-1])
    assert rows[0][-1] == "Account" and {r[-1] for r in rows[1:]} == {"Active"}
    xlsx = client.get(f"/reports/cohorts/{world.cohort.id}.xlsx")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book["Tracking grid"]["C1"].value == "1.1"
    assert book["Criteria"]["A2"].value == "1.1"
    widths = book["Tracking grid"].column_dimensions
    assert widths["A"].width >= 20 and widths["C"].width >= len("Submitted, awaiting assessment")
    texts = [row[1] for row in book["Criteria"].iter_rows(min_row=2, values_only=True)]
    assert texts and not any(text.endswith("\n") for text in texts)


def test_a_deactivated_learner_is_marked_in_the_grid_and_its_downloads(client, world):
    """The board and dashboard leave a deactivated learner off; the grid keeps them (their
    evidence stands) but says so, on screen and in both downloads."""
    _unit()
    world.peer.active = False
    db.session.commit()
    login(client, world.admin)
    page = client.get(f"/reports/cohorts/{world.cohort.id}").text
    row = page.split(f"{world.peer.full_name}")[1].split("</th>")[0]
    assert '<span class="tag">deactivated</span>' in row
    assert "1 of these learners is deactivated" in page
    rows = list(csv.reader(io.StringIO(_grid_csv(client, world))))
    accounts = {r[0]: r[-1] for r in rows[1:]}
    assert accounts == {world.learner.full_name: "Active", world.peer.full_name: "Deactivated"}
    book = load_workbook(io.BytesIO(client.get(f"/reports/cohorts/{world.cohort.id}.xlsx").data))
    sheet = book["Tracking grid"]
    assert sheet.cell(1, sheet.max_column).value == "Account"
    states = {row[0]: row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert states[world.peer.full_name] == "Deactivated"


def test_the_grid_page_says_what_its_counts_and_downloads_cover(client, world):
    """The counts are learner-by-criterion cells (34 for two learners, not 34 learners), the
    decision log is the whole centre's, and the downloads are named after the cohort."""
    _unit()
    login(client, world.admin)
    page = client.get(f"/reports/cohorts/{world.cohort.id}").text
    criteria = page.count('<th scope="col" class="num"><abbr')
    assert f"Criteria of the cohort's 2 learners ({criteria} each), counted learner by" in page
    assert "The decision log of your whole centre" in page
    assert "Download every learner's row: <a" in page
    row_links = page.split("Download every learner's row:")[1].split("</p>")[0]
    assert "decision-log" not in row_links
    today = date.today().isoformat()
    for ext in ("csv", "xlsx"):
        response = client.get(f"/reports/cohorts/{world.cohort.id}.{ext}")
        disposition = response.headers["Content-Disposition"]
        assert f'filename="alpha-cohort-tracking-grid-{today}.{ext}"' in disposition


def test_decision_log_csv_holds_only_the_centres_entries(client, world):
    log.append("note", actor=world.assessor, payload={"x": 1})
    log.append("note", actor=world.other_assessor, payload={"x": 2})
    db.session.commit()
    login(client, world.admin)
    rows = list(csv.reader(io.StringIO(client.get("/reports/decision-log.csv").text)))
    assert len(rows) == 2 and rows[1][3] == world.assessor.full_name


def _agree(w):
    """The cohort report and the assessor's caseload give the learner the same statuses."""
    grid = cohort_grid(w.cohort)
    row = next(cells for learner, cells in grid.rows if learner.id == w.learner.id)
    reported = dict(zip([c.ref for c in grid.criteria], row, strict=True))
    [unit] = caseload.caseload(w.assessor).grids
    [mine] = [r for r in unit.rows if r.learner.id == w.learner.id]
    assert reported == {c.ref: mine.cells[c.id] for c in unit.criteria}
    return reported


def test_the_cohort_report_reads_decisions_as_they_stand(submitted):  # noqa: F811
    w = submitted
    assert _agree(w)["1.1"] == "submitted"
    assessment = services.open_assessment(w.submission, by=w.assessor)
    # the evidence a later correction rests on: the assessor's record, mapped to 1.2 while the
    # marking is open (a record added after it completes belongs to the next version)
    record = services.record_assessor_evidence(
        w.portfolio,
        source="professional_discussion",
        title="",
        body="We discussed how the complaint was put right.",
        occurred_on=date.today(),
        by=w.assessor,
    )
    evidence.set_mapping(record, criteria_of(w)["1.2"], justification="Explained the remedy well.")
    decide(assessment, w, Decision.NOT_YET, **{"1_1": Decision.COMPETENT})
    services.return_for_resubmission(assessment, by=w.assessor)
    assert _agree(w) == {"1.1": "met", "1.2": "not_yet", "2.1": "not_yet"}
    correct_to_met(assessment, w, "1.2")
    assert _agree(w)["1.2"] == "met"  # the correction, not the stored decision
    submit(w)  # resubmitted: what the new version maps waits for the assessor
    assert _agree(w)["2.1"] == "not_yet"


def test_decision_log_csv_names_the_learner_inertly(client, submitted):  # noqa: F811
    w = submitted
    w.learner.full_name = "=Learner Name"
    log.append("note", actor=w.assessor, payload={}, submission_id=w.submission.id)
    log.append("other", actor=w.assessor, payload={})
    db.session.commit()
    login(client, w.admin)
    rows = list(csv.DictReader(io.StringIO(client.get("/reports/decision-log.csv").text)))
    by_kind = {r["kind"]: r for r in rows}
    assert by_kind["note"]["learner"] == "'=Learner Name"
    assert by_kind["note"]["submission"] == str(w.submission.id)
    # the version as the pages number it, beside the record's id
    assert by_kind["note"]["version"] == str(w.submission.number)
    assert by_kind["other"]["learner"] == "" and by_kind["other"]["version"] == ""


def test_the_decision_log_is_streamed_in_order_across_chunks(client, world):
    """A large centre's log (tens of megabytes) is sent as it is written, a thousand entries
    at a time; every entry arrives once, in order, across the chunk boundary."""
    for n in range(1001):
        log.append("note", actor=world.assessor, payload={"n": n})
    db.session.commit()
    login(client, world.admin)
    response = client.get("/reports/decision-log.csv")
    assert response.is_streamed and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffseq,")  # the byte-order mark Excel needs for accents
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0][0] == "seq" and len(rows) == 1002
    assert [r[8] for r in rows[1:]] == [f"n={n}" for n in range(1001)]
    assert [int(r[0]) for r in rows[1:]] == sorted(int(r[0]) for r in rows[1:])


def test_decision_log_csv_names_each_kind_as_the_on_screen_log_does(client, submitted):  # noqa: F811
    """The kind column holds the label of the bench's log (not the internal code), including
    a standardisation marking's decisions, told apart from the learner's own."""
    w = submitted
    primary = services.open_assessment(w.submission, by=w.assessor)
    other = Assessment(
        submission_id=w.submission.id, assessor_id=w.admin.id, kind=AssessmentKind.STANDARDISATION
    )
    db.session.add(other)
    db.session.flush()
    decision = {"criterion": "1.1", "decision": "competent"}
    for kind, payload in (
        ("decision", decision | {"assessment_id": primary.id}),
        ("decision", decision | {"assessment_id": other.id}),
        ("iqa_verdict", {"verdicts": []}),
        ("sign_off", {}),
    ):
        log.append(kind, actor=w.assessor, payload=payload, submission_id=w.submission.id)
    db.session.commit()
    login(client, w.admin)
    rows = list(csv.DictReader(io.StringIO(client.get("/reports/decision-log.csv").text)))
    kinds = [r["kind"] for r in rows]
    assert kinds == ["decision", "standardisation decision", "IQA verdict", "sign off"]
    entries = review_queries.log_of_portfolio(w.portfolio)
    on_screen = log_rows(entries, review_queries.standardisation_ids(w.portfolio))
    assert kinds == [row.label for row in on_screen]


def test_the_decision_log_csv_says_each_entry_in_words_and_its_lists_as_json(
    client,
    submitted,  # noqa: F811
):
    """The details column was Python's repr of the entry ("verdicts=[{'agree': True, ...}]"):
    an admin read no summary of an entry, and no tool could parse its lists."""
    w = submitted
    verdicts = [
        {"criterion": "1.1", "agree": True, "feedback": ""},
        {"criterion": "1.2", "agree": False, "feedback": "Too thin."},
    ]
    log.append(
        "decision",
        actor=w.assessor,
        payload={"criterion": "1.2", "decision": "not_yet", "feedback": "Map your remedy."},
        submission_id=w.submission.id,
    )
    log.append("iqa_verdict", actor=w.iqa, payload={"verdicts": verdicts, "review_id": 7})
    db.session.commit()
    login(client, w.admin)
    rows = list(csv.DictReader(io.StringIO(client.get("/reports/decision-log.csv").text)))
    decision, verdict = rows
    assert decision["summary"] == "1.2: Not yet competent"
    assert "decision=not_yet" in decision["details"]
    assert verdict["summary"] == "Disagrees on 1.2 (agrees on 1)"
    listed = verdict["details"].split("verdicts=", 1)[1]
    assert json.loads(listed) == verdicts
    assert verdict["details"].startswith("review_id=7, ")


def test_the_grid_csv_opens_in_excel_with_accents_intact(client, world):
    """Excel read the grid CSV as Windows-1252 ("ZoÃ«" for Zoë) for want of a byte-order mark."""
    _unit()
    world.peer.full_name = "Zoë Łukasz"
    db.session.commit()
    login(client, world.admin)
    data = client.get(f"/reports/cohorts/{world.cohort.id}.csv").get_data()
    assert data.startswith(codecs.BOM_UTF8 + b"Learner,")
    assert "Zoë Łukasz" in data.decode("utf-8-sig")
