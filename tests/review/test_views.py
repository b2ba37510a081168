"""Assessor pages: queue, bench, return, sign-off, corrections, assessor evidence, feedback;
tampered forms, other assessors and centres; query counts on the queue and caseload."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portfolio.evidence import services as evidence
from portfolio.evidence.models import EvidenceItem, Mapping, SubmissionStatus
from portfolio.extensions import db
from portfolio.review import log, services
from portfolio.review.models import (
    Assessment,
    AssessmentStatus,
    CriterionDecision,
    Decision,
    DecisionLogEntry,
    Notification,
)
from portfolio.roles import Role
from tests.conftest import PASSWORD, login
from tests.review.conftest import criteria_of, decide, submit, submit_worked


@pytest.fixture
def submitted(worked):  # noqa: F811
    """Version 1 with evidence mapped to every criterion, so each can be judged Competent
    (Competent needs evidence); tests that need a criterion without evidence unmap it."""
    return submit_worked(worked, every_criterion=True)


def _open(w) -> Assessment:
    assessment = services.open_assessment(w.submission, by=w.assessor)
    db.session.commit()
    return assessment


def _form(w, assessment, overall="", **choices) -> dict:
    """The bench form: choices by ref with dots as underscores, e.g. {"1_1": "competent"}."""
    data = {"version": str(assessment.version), "overall_feedback": overall}
    for ref, criterion in criteria_of(w).items():
        value = choices.get(ref.replace(".", "_"), "")
        data[f"decision_{criterion.id}"] = value
        data[f"feedback_{criterion.id}"] = "" if value != "not_yet" else f"More on {ref}."
    return data


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


ALL = {"1_1": "competent", "1_2": "competent", "2_1": "competent"}


def _returned(w) -> Assessment:
    """Version 1 marked (1.1 Competent, the rest Not yet) and returned: its decisions may be
    corrected."""
    assessment = _open(w)
    decide(assessment, w, Decision.NOT_YET, **{"1_1": Decision.COMPETENT})
    services.return_for_resubmission(assessment, by=w.assessor)
    db.session.commit()
    return assessment


def test_queue_start_and_bench_show_evidence_guidance_and_checks(client, submitted):
    w = submitted
    login(client, w.assessor)
    queue = client.get("/assess/")
    assert queue.status_code == 200
    assert w.learner.full_name in queue.text and "Start marking" in queue.text
    started = client.post(f"/assess/submissions/{w.submission.id}/start")
    assert started.status_code == 302
    assert started.headers["Location"].endswith(f"/assess/submissions/{w.submission.id}")
    bench = client.get(f"/assess/submissions/{w.submission.id}")
    assert bench.status_code == 200
    text = bench.text
    assert "The bill was wrong" in text  # the learner's finding, as submitted
    assert "The retention price was never applied." in text  # assessor guidance
    assert "Marking-point checks" in text and "Key documents read" in text
    assert 'name="decision_' in text and "Save and return for resubmission" in text
    assert "Continue marking" in client.get("/assess/").text


def test_the_bench_says_where_a_competence_criterion_has_only_simulated_evidence(client, submitted):
    """Awarding bodies restrict what simulation may evidence: the bench said nothing where an
    assessor judged a competence criterion on a simulated case alone."""
    w = submitted
    _open(w)
    login(client, w.assessor)
    text = client.get(f"/assess/submissions/{w.submission.id}").text
    rows = {
        ref: text[text.index(f"<legend><strong>{ref}</strong>") :][:3000].split("</fieldset>")[0]
        for ref in ("1.1", "1.2", "2.1")
    }
    note = "Simulated evidence only."
    # 1.1 and 1.2 are a competence outcome's; 2.1 is the knowledge outcome's, where a
    # simulated case's work is fair evidence.
    assert note in rows["1.1"] and note in rows["1.2"] and note not in rows["2.1"]
    assert "awarding organisation's assessment strategy" in rows["1.1"]

    # Evidence the assessor recorded (a professional discussion) is not simulation.
    client.post(
        f"/assess/portfolios/{w.portfolio.id}/evidence/new",
        data={
            "source": "professional_discussion",
            "title": "Discussion on the investigation",
            "body": "We talked through how the history was gathered.",
            "occurred_on": date.today().isoformat(),
        },
    )
    record = db.session.scalar(
        sa.select(EvidenceItem).where(EvidenceItem.author_id == w.assessor.id)
    )
    c = criteria_of(w)["1.1"]
    evidence.set_mapping(record, c, justification="Talked through gathering the history.")
    login(client, w.learner)
    version2 = submit(w)
    db.session.commit()
    login(client, w.assessor)
    services.open_assessment(version2, by=w.assessor)
    db.session.commit()
    text = client.get(f"/assess/submissions/{version2.id}").text
    row = text[text.index("<legend><strong>1.1</strong>") :].split("</fieldset>")[0]
    assert note not in row


def test_the_bench_checks_the_complaint_analysis_the_version_holds(client, worked):
    """product.md's marking-point checks include "the Pareto carrying a cumulative percentage
    or not"; the bench checked the case's trail only, never the analysis submitted for LO3."""
    from portfolio.analysis import AnalysisParams
    from portfolio.improvement import services as improvement

    w = worked
    pareto = improvement.save_analysis(w.case, params=AnalysisParams(), title="Complaints by type")
    improvement.save_analysis(
        w.case, params=AnalysisParams(group_by="month"), title="Complaints by month"
    )
    improvement.save_recommendation(
        w.case,
        analysis_id=pareto.id,
        fields={
            "change": "Fix the code catalogue",
            "owner": "Billing lead",
            "benefit": "No more wrong bills",
            "measure": "Repeat complaints",
            "target": "None a month",
            "by_when": "End of May",
            "root_cause_link": "The expired code",
        },
    )
    evidence.sync_case_items(w.case)
    items = db.session.scalars(
        sa.select(EvidenceItem).where(EvidenceItem.case_id == w.case.id)
    ).all()
    w.portfolio = items[0].portfolio
    c = criteria_of(w)["1.1"]
    for item in items:
        evidence.set_mapping(item, c, justification=f"My {item.source} shows how I met it.")
    w.submission = submit(w)
    db.session.commit()
    _open(w)
    login(client, w.assessor)
    text = client.get(f"/assess/submissions/{w.submission.id}").text
    table = text[text.index("Complaint analysis checks") :].split("</table>")[0]
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td>.*?>([^<]+)</span>', table))
    assert rows == {
        "Pareto by category, with cumulative percentage": "Met",
        "Complaints weighted by cost, not only counted": "Not met",
        "Remediation for other affected customers": "Not met",
    }
    assert "“Complaints by type” by count, vital few: " in table
    assert "By cost: none. By count: “Complaints by type”, “Complaints by month”." in table
    assert "The recommendation does not say what happens for other affected customers" in table


def test_the_analysis_checks_read_cost_weighting_remediation_and_old_snapshots():
    from portfolio.review.context import analysis_checks

    def analysis(title, **params):
        return {"source": "analysis", "content": {"title": title, "params": params}}

    def recommendations(*others):
        items = [{"change": f"Change {n}", "other_customers": o} for n, o in enumerate(others)]
        return {"source": "recommendations", "content": {"items": items}}

    assert analysis_checks([{"source": "investigation", "content": {}}]) == []
    checks = analysis_checks(
        [
            analysis("By cost", group_by="category", measure="cost"),
            recommendations("", "Find every customer on the expired code."),
        ]
    )
    assert [c.met for c in checks] == [True, True, True]
    assert checks[2].detail == (
        "1 of the 2 recommendations says what happens for other affected customers: “Change 1”."
    )
    # by month only, and an analysis whose content an older snapshot did not record
    checks = analysis_checks(
        [analysis("Trend", group_by="month"), {"source": "analysis", "title": "Old"}]
    )
    assert [c.met for c in checks] == [False, False, False]
    assert checks[0].detail == "No analysis by category in this version; by month only: “Trend”."


def test_save_then_return_with_feedback(client, submitted):
    w = submitted
    assessment = _open(w)
    login(client, w.assessor)
    url = f"/assess/submissions/{w.submission.id}"
    saved = client.post(url, data=_form(w, assessment, **{"1_1": "competent"}))
    assert saved.status_code == 302
    db.session.expire_all()
    assert [d.decision for d in assessment.decisions] == [Decision.COMPETENT]
    # Returning without overall feedback: refused, nothing changes, the entries stay on screen.
    form = _form(w, assessment, **{"1_1": "competent", "1_2": "not_yet", "2_1": "not_yet"})
    refused = client.post(f"{url}/return", data=form)
    assert refused.status_code == 422
    assert "Write your overall feedback" in refused.text and "More on 1.2." in refused.text
    db.session.expire_all()
    assert assessment.status == AssessmentStatus.IN_PROGRESS and len(assessment.decisions) == 1
    assert _count(DecisionLogEntry) == 0
    returned = client.post(f"{url}/return", data=form | {"overall_feedback": "Add a letter."})
    assert returned.status_code == 302
    db.session.expire_all()
    assert assessment.status == AssessmentStatus.RETURNED
    assert w.submission.status == SubmissionStatus.RETURNED
    assert _count(DecisionLogEntry) == 4 and log.verify().ok
    # The completed bench shows final decisions and offers corrections, not the form.
    bench = client.get(url)
    assert "Correct the decision on 1.2" in bench.text and "Save decisions" not in bench.text


def test_learner_reads_feedback_and_acknowledges(client, submitted):
    w = submitted
    assessment = _returned(w)
    login(client, w.learner)
    assert '1<span class="visually-hidden"> unread' in client.get("/dashboard").text
    inbox = client.get("/notifications/")
    assert "returned version 1" in inbox.text
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == w.learner.id))
    opened = client.post(f"/notifications/{note.id}/open")
    assert opened.headers["Location"] == f"/assess/feedback/{assessment.id}"
    page = client.get(f"/assess/feedback/{assessment.id}")
    assert page.status_code == 200
    assert "Say more about 1.2." in page.text and "Good work overall." in page.text
    assert "The retention price" not in page.text  # never the assessor guidance
    assert "I have read this feedback" in page.text
    assert client.post(f"/assess/feedback/{assessment.id}/acknowledge").status_code == 302
    db.session.expire_all()
    assert assessment.acknowledged_at is not None and note.read_at is not None
    assert "I have read this feedback" not in client.get(f"/assess/feedback/{assessment.id}").text


@pytest.mark.parametrize(
    ("choices", "overall", "name", "password", "message"),
    [
        ({"1_1": "competent"}, "Good.", None, PASSWORD, "still undecided"),
        (ALL | {"2_1": "not_yet"}, "Good.", None, PASSWORD, "judged Not yet"),
        (ALL, "  ", None, PASSWORD, "Write your overall feedback on the marking bench"),
        (ALL, "Good.", "Not My Name", PASSWORD, "full name exactly"),
        (ALL, "Good.", None, "wrong password here", "password is not right"),
    ],
    ids=["undecided", "not-yet", "no-overall-feedback", "name-mismatch", "wrong-password"],
)
def test_sign_off_refusals_change_nothing(
    client, submitted, choices, overall, name, password, message
):
    w = submitted
    assessment = _open(w)
    login(client, w.assessor)
    url = f"/assess/submissions/{w.submission.id}"
    # (with no overall feedback the bench refuses to go on: see the test below)
    moved = client.post(url, data=_form(w, assessment, "Good.", **choices) | {"then": "sign_off"})
    assert moved.headers["Location"].endswith(f"{url}/sign-off")
    if not overall.strip():  # cleared in another tab, then the sign-off page reached
        db.session.refresh(assessment)
        assessment.overall_feedback = overall
        db.session.commit()
    db.session.expire_all()
    page = client.get(f"{url}/sign-off")
    assert page.status_code == 200
    assert ("No overall feedback yet" in page.text) == (not overall.strip())
    # A signature is asked for only when it can be accepted: the name and password were asked
    # for beside the notice saying what stood in the way, and every use was refused.
    blocked = message.startswith(("still undecided", "judged Not yet", "Write your overall"))
    assert ('name="password"' in page.text) == (not blocked)
    signed = client.post(
        f"{url}/sign-off",
        data={
            "signed_name": name or w.assessor.full_name,
            "password": password,
            "version": str(assessment.version),
        },
    )
    assert signed.status_code == 422 and message in signed.text
    db.session.expire_all()
    assert assessment.status == AssessmentStatus.IN_PROGRESS
    assert w.submission.status == SubmissionStatus.SUBMITTED
    assert _count(DecisionLogEntry) == 0


def test_going_on_to_sign_off_without_overall_feedback_stays_on_the_bench(client, submitted):
    """The bench's hint said overall feedback was 'Required to return' only, and 'Save and
    continue to sign-off' with none led to a sign-off page that sent the assessor back to the
    bench to write it. The bench now refuses there, at the field, keeping what was entered."""
    w = submitted
    assessment = _open(w)
    login(client, w.assessor)
    url = f"/assess/submissions/{w.submission.id}"
    assert "Required to return or to sign off." in client.get(url).text
    form = _form(w, assessment, "  ", **ALL)
    form[f"feedback_{criteria_of(w)['1.1'].id}"] = "Clear findings."
    refused = client.post(url, data=form | {"then": "sign_off"})
    assert refused.status_code == 422
    page = refused.text
    assert '<a href="#overall_feedback">Write your overall feedback before you sign off' in page
    assert 'id="overall_feedback-error"' in page and "Clear findings." in page
    db.session.expire_all()
    assert assessment.decisions == []  # nothing saved, as a refused return
    # With the feedback written it goes on to sign-off.
    moved = client.post(url, data=form | {"then": "sign_off", "overall_feedback": "Well done."})
    assert moved.headers["Location"].endswith(f"{url}/sign-off")


@pytest.mark.parametrize(
    ("name", "password", "target", "message"),
    [
        ("", PASSWORD, "signed_name", "Type your full name to sign."),
        (None, "", "password", "Re-enter your password to sign."),
        ("Not My Name", PASSWORD, "signed_name", "Type your full name exactly"),
        (None, "wrong password here", "password", "That password is not right"),
    ],
    ids=["no-name", "no-password", "name-mismatch", "wrong-password"],
)
def test_sign_off_errors_are_said_at_the_name_or_password(
    client, submitted, name, password, target, message
):
    """A mistyped name or a wrong password was said only at the top of the page, the field
    carrying no message; an empty one read 'This field is required.'"""
    w = submitted
    assessment = _open(w)
    decide(assessment, w)
    db.session.commit()
    login(client, w.assessor)
    refused = client.post(
        f"/assess/submissions/{w.submission.id}/sign-off",
        data={
            "signed_name": w.assessor.full_name if name is None else name,
            "password": password,
            "version": str(assessment.version),
        },
    )
    assert refused.status_code == 422
    page = refused.text
    assert re.search(rf'<a href="#{target}">[^<]*: {message}', page)
    assert f'id="{target}-error"' in page and "This field is required." not in page


def test_sign_off_with_name_and_password(client, submitted):
    w = submitted
    assessment = _open(w)
    decide(assessment, w)
    db.session.commit()
    login(client, w.assessor)
    # The page does not promise what a correction can still do.
    page = client.get(f"/assess/submissions/{w.submission.id}/sign-off").text
    assert "can no longer change" not in page and "a later change can only be a correction" in page
    signed = client.post(
        f"/assess/submissions/{w.submission.id}/sign-off",
        data={
            "signed_name": w.assessor.full_name,
            "password": PASSWORD,
            "version": str(assessment.version),
        },
    )
    assert signed.status_code == 302
    db.session.expire_all()
    assert assessment.status == AssessmentStatus.SIGNED_OFF
    assert [e.kind for e in db.session.scalars(sa.select(DecisionLogEntry))][-1] == "sign_off"


@pytest.mark.parametrize(
    "key",
    ["decision_999999", "feedback_999999", "decision_abc", "decision_²", "decision_" + "9" * 30],
)
def test_a_tampered_criterion_field_changes_nothing(client, submitted, key):
    w = submitted
    assessment = _open(w)
    login(client, w.assessor)
    url = f"/assess/submissions/{w.submission.id}"
    data = _form(w, assessment, **ALL) | {key: "competent"}
    for target in (url, f"{url}/return"):
        response = client.post(target, data=data | {"overall_feedback": "Fine."})
        assert response.status_code == 422
        assert "not part of this unit" in response.text
    assert _count(CriterionDecision) == 0 and _count(DecisionLogEntry) == 0


def test_a_decision_on_another_units_criterion_changes_nothing(client, submitted):
    from portfolio.framework.models import Criterion, Outcome, Unit

    w = submitted
    assessment = _open(w)
    unit = Unit(code="OTHER", title="Another unit", level=3)
    outcome = Outcome(unit=unit, ref="1", title="Another", kind="competence")
    db.session.add_all([unit, outcome])
    db.session.flush()
    foreign = Criterion(unit_id=unit.id, outcome=outcome, ref="9.9", text="Elsewhere")
    db.session.add(foreign)
    db.session.commit()
    login(client, w.assessor)
    data = _form(w, assessment, **ALL) | {f"decision_{foreign.id}": "competent"}
    response = client.post(f"/assess/submissions/{w.submission.id}", data=data)
    assert response.status_code == 422 and "not part of this unit" in response.text
    assert _count(CriterionDecision) == 0


def test_a_stale_bench_save_is_refused(client, submitted):
    w = submitted
    assessment = _open(w)
    login(client, w.assessor)
    url = f"/assess/submissions/{w.submission.id}"
    old = _form(w, assessment, **{"1_1": "competent"})
    assert client.post(url, data=old).status_code == 302
    again = client.post(url, data=old | {f"decision_{criteria_of(w)['1.1'].id}": "not_yet"})
    assert again.status_code == 422 and "saved elsewhere" in again.text
    db.session.expire_all()
    assert [d.decision for d in assessment.decisions] == [Decision.COMPETENT]


def test_saving_again_from_a_refused_stale_bench_is_still_refused(client, submitted):
    """The refused page kept the assessor's entries but carried the newer version, so pressing
    Save again wrote them over the other tab's work without a word."""
    w = submitted
    assessment = _open(w)
    login(client, w.assessor)
    url = f"/assess/submissions/{w.submission.id}"
    first = criteria_of(w)["1.1"].id
    opened = _form(w, assessment)  # both tabs open the bench at this version
    other_tab = opened | {f"decision_{first}": "competent"}
    assert client.post(url, data=other_tab).status_code == 302
    this_tab = opened | {f"decision_{first}": "not_yet", f"feedback_{first}": "Say more."}
    refused = client.post(url, data=this_tab)
    assert refused.status_code == 422 and "saved elsewhere" in refused.text
    carried = re.search(r'<input type="hidden" name="version" value="(\d+)">', refused.text)
    assert carried.group(1) == opened["version"]
    again = client.post(url, data=this_tab | {"version": carried.group(1)})
    assert again.status_code == 422 and "saved elsewhere" in again.text
    db.session.expire_all()
    assert [d.decision for d in assessment.decisions] == [Decision.COMPETENT]


def test_the_bench_saves_drafts_as_the_assessor_works(client, submitted, make_user):
    """The bench had no draft saving and no warning on leaving: feedback typed for twenty
    minutes went with a click on the case log, a record link or the header."""
    w = submitted
    assessment = _open(w)
    login(client, w.assessor)
    bench = f"/assess/submissions/{w.submission.id}"
    page = client.get(bench).text
    assert f'data-autosave="{bench}?draft=1"' in page and 'class="autosave-status' in page
    first = criteria_of(w)["1.1"].id
    data = _form(w, assessment, overall="Half way.") | {
        f"decision_{first}": "not_yet",
        f"feedback_{first}": "Say where the history came from.",
    }
    opened_at = assessment.version
    saved = client.post(f"{bench}?draft=1", data=data)
    assert saved.status_code == 200 and saved.json["version"] == opened_at + 1
    assert re.fullmatch(r"\d\d:\d\d:\d\d", saved.json["saved_at"])
    db.session.expire_all()
    assert assessment.overall_feedback == "Half way."
    assert [(d.decision, d.feedback) for d in assessment.decisions] == [
        (Decision.NOT_YET, "Say where the history came from.")
    ]
    # the page's old version: another tab saved first
    stale = client.post(f"{bench}?draft=1", data=data | {f"feedback_{first}": "Other."})
    assert stale.status_code == 409 and stale.json["stale"] is True
    # a rule broken: said, nothing saved
    refused = client.post(
        f"{bench}?draft=1",
        data=data | {"version": str(saved.json["version"]), f"decision_{first}": ""},
    )
    assert refused.status_code == 422 and refused.json["error"].startswith("Draft not saved:")
    db.session.expire_all()
    assert assessment.decisions[0].feedback == "Say where the history came from."
    # a refused bench save is marked stale for the script, so it saves no draft over it
    page = client.post(bench, data=data | {f"feedback_{first}": "Other."}).text
    assert "data-unsaved data-stale" in page
    # only the marking assessor drafts
    login(client, make_user(Role.ASSESSOR, w.centre))
    assert client.post(f"{bench}?draft=1", data=data).status_code == 404


def test_other_assessors_and_centres_are_kept_out(client, submitted, make_user):
    w = submitted
    assessment = _open(w)
    decide(assessment, w, Decision.NOT_YET)
    db.session.commit()
    stranger = make_user(Role.ASSESSOR, w.centre)
    url = f"/assess/submissions/{w.submission.id}"
    for outsider in (stranger, w.other_assessor):
        login(client, outsider)
        assert client.get(url).status_code == 404
        assert client.post(f"{url}/start").status_code == 404
        assert client.post(f"{url}/return", data={"overall_feedback": "x"}).status_code == 404
        assert client.get(f"{url}/sign-off").status_code == 404
        assert client.get(f"/assess/assessments/{assessment.id}").status_code == 404
        assert client.get(f"/assess/portfolios/{w.portfolio.id}/evidence/new").status_code == 404
        assert w.learner.full_name not in client.get("/assess/").text
        assert w.learner.full_name not in client.get("/assess/caseload").text
    for not_assessor in (w.learner, w.iqa, w.admin):
        login(client, not_assessor)
        assert client.get(url).status_code == 403
        assert client.get("/assess/").status_code == 403
    db.session.expire_all()
    assert assessment.status == AssessmentStatus.IN_PROGRESS


def test_feedback_is_hidden_until_complete_and_only_the_learner_acknowledges(client, submitted):
    w = submitted
    assessment = _open(w)
    login(client, w.learner)
    assert client.get(f"/assess/feedback/{assessment.id}").status_code == 404  # a draft
    decide(assessment, w, Decision.NOT_YET)
    services.return_for_resubmission(assessment, by=w.assessor)
    db.session.commit()
    for reader in (w.assessor, w.iqa, w.admin):
        login(client, reader)
        assert client.get(f"/assess/feedback/{assessment.id}").status_code == 200
        assert client.post(f"/assess/feedback/{assessment.id}/acknowledge").status_code == 403
    for outsider in (w.peer, w.other_admin, w.other_assessor):
        login(client, outsider)
        assert client.get(f"/assess/feedback/{assessment.id}").status_code == 404
    db.session.expire_all()
    assert assessment.acknowledged_at is None


def test_correction_through_the_bench(client, submitted):
    w = submitted
    assessment = _returned(w)
    c = criteria_of(w)["1.2"]
    login(client, w.assessor)
    url = f"/assess/assessments/{assessment.id}/correct/{c.id}"
    refused = client.post(url, data={f"c{c.id}-decision": "competent", f"c{c.id}-reason": ""})
    assert refused.status_code == 422 and "Say why" in refused.text
    ok = client.post(
        url, data={f"c{c.id}-decision": "competent", f"c{c.id}-reason": "Misread the letter."}
    )
    assert ok.status_code == 302
    page = client.get(f"/assess/submissions/{w.submission.id}")
    assert "Misread the letter." in page.text
    assert _count(DecisionLogEntry) == 5 and log.verify().ok
    login(client, w.other_assessor)
    assert client.post(url, data={}).status_code == 404


def test_a_correction_from_a_page_opened_before_another_is_refused(client, submitted):
    """Two tabs of a completed bench: the second tab's correction of 1.2, made on the decision
    as it stood before the first tab's, was recorded over it without a word."""
    w = submitted
    assessment = _returned(w)
    c = criteria_of(w)["1.2"]
    login(client, w.assessor)
    bench = client.get(f"/assess/submissions/{w.submission.id}").text
    seen = re.search(rf'id="c{c.id}-seen" name="c{c.id}-seen" type="hidden" value="(\d+)"', bench)
    assert seen and seen.group(1) == "0"
    url = f"/assess/assessments/{assessment.id}/correct/{c.id}"
    first = {f"c{c.id}-decision": "competent", f"c{c.id}-reason": "Misread the letter."}
    assert client.post(url, data=first | {f"c{c.id}-seen": "0"}).status_code == 302
    second = {
        f"c{c.id}-decision": "not_yet",
        f"c{c.id}-feedback": "Map the letter to 1.2.",
        f"c{c.id}-reason": "The letter is not evidence of it.",
        f"c{c.id}-seen": "0",
    }
    refused = client.post(url, data=second)
    assert refused.status_code == 422
    assert "was corrected elsewhere (another tab or device)" in refused.text
    assert "The letter is not evidence of it.</textarea>" in refused.text
    assert _count(DecisionLogEntry) == 5  # 3 decisions, the return and the first correction
    # the reloaded page carries the newer correction, and correcting from it is recorded
    bench = client.get(f"/assess/submissions/{w.submission.id}").text
    now = re.search(rf'id="c{c.id}-seen" name="c{c.id}-seen" type="hidden" value="(\d+)"', bench)
    assert client.post(url, data=second | {f"c{c.id}-seen": now.group(1)}).status_code == 302


def test_a_return_says_every_missing_feedback_at_once(client, submitted):
    """Return with no overall feedback and a Not yet criterion without feedback said only the
    overall feedback; the criterion's was said on the next try."""
    w = submitted
    assessment = _open(w)
    login(client, w.assessor)
    c = criteria_of(w)["1.2"]
    data = _form(w, assessment, **{"1_1": "competent", "1_2": "not_yet"})
    data[f"feedback_{c.id}"] = ""
    page = client.post(f"/assess/submissions/{w.submission.id}/return", data=data).text
    assert '<a href="#overall_feedback">Write your overall feedback before you return' in page
    assert f'<a href="#feedback_{c.id}">Say what the learner needs to do for 1.2.</a>' in page
    db.session.expire_all()
    assert assessment.status == AssessmentStatus.IN_PROGRESS and assessment.decisions == []


def test_correction_errors_link_to_the_correction_fields(client, submitted):
    """A refused correction showed its message at the top of the long bench only; the
    correction form further down carried no message and no aria-invalid. Every missing field
    is said at once."""
    import re

    w = submitted
    assessment = _returned(w)
    c = criteria_of(w)["1.1"]
    login(client, w.assessor)
    url = f"/assess/assessments/{assessment.id}/correct/{c.id}"
    no_reason = client.post(url, data={f"c{c.id}-decision": "not_yet"}).text
    assert f'<a href="#c{c.id}-reason">Say why the decision is being corrected.</a>' in no_reason
    assert re.search(
        rf'<textarea aria-describedby="c{c.id}-reason-error" aria-invalid="true"', (no_reason)
    )
    # ...and the missing feedback at the same time (it was said only on the next try).
    assert f'<a href="#c{c.id}-feedback">Say what the learner needs to do for 1.1.</a>' in (
        no_reason
    )
    no_feedback = client.post(
        url, data={f"c{c.id}-decision": "not_yet", f"c{c.id}-reason": "Misread it."}
    ).text
    assert f'<a href="#c{c.id}-feedback">Say what the learner needs to do for 1.1.</a>' in (
        no_feedback
    )
    assert f'id="c{c.id}-feedback-error"' in no_feedback
    # Each criterion's correction fields are named for it (not seventeen "Feedback" labels).
    assert f'<label for="c{c.id}-feedback">Feedback (1.1)</label>' in no_feedback
    assert f'<label for="c{c.id}-reason">Reason for the correction (1.1)</label>' in no_feedback
    same = client.post(
        url, data={f"c{c.id}-decision": "competent", f"c{c.id}-reason": "Misread it."}
    ).text
    assert f'<a href="#c{c.id}-decision-0">That is already the decision on 1.1' in same
    assert re.search(rf"<input[^>]*aria-invalid=\"true\"[^>]*id=\"c{c.id}-decision-0\"", same)


def test_an_assessor_records_date_errors_are_said_at_the_date(client, submitted):
    """A future date was refused only at the top of the page (the Date field carried no
    message and no aria-invalid), and no date at all read 'This field is required.'"""
    w = submitted
    login(client, w.assessor)
    url = f"/assess/portfolios/{w.portfolio.id}/evidence/new"
    data = {"source": "observation", "body": "Watched a call.", "title": ""}
    later = (date.today() + timedelta(days=3)).isoformat()
    future = client.post(url, data=data | {"occurred_on": later})
    assert future.status_code == 422
    assert '<a href="#occurred_on">Date: The date of the record cannot be in the future.</a>' in (
        future.text
    )
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="occurred_on"', future.text) or (
        re.search(r'<input[^>]*id="occurred_on"[^>]*aria-invalid="true"', future.text)
    )
    # a date input takes any year from 1: '1 Jan 1' on the bench is a mistyped year
    for typo in ("0001-01-01", "1899-12-31"):
        ancient = client.post(url, data=data | {"occurred_on": typo})
        assert ancient.status_code == 422
        year = int(typo[:4])
        assert f'<a href="#occurred_on">Date: The date of the record says the year {year}' in (
            ancient.text
        )
    missing = client.post(url, data=data | {"occurred_on": ""})
    assert missing.status_code == 422
    assert "Enter the date it took place." in missing.text
    assert "This field is required." not in missing.text
    assert (
        db.session.scalars(
            sa.select(EvidenceItem).where(EvidenceItem.author_id == w.assessor.id)
        ).all()
        == []
    )


def test_assessor_records_evidence_and_maps_it(client, submitted):
    w = submitted
    login(client, w.assessor)
    url = f"/assess/portfolios/{w.portfolio.id}/evidence/new"
    assert client.get(url).status_code == 200
    empty = client.post(
        url, data={"source": "observation", "body": "", "occurred_on": "2026-01-05"}
    )
    assert empty.status_code == 422
    made = client.post(
        url,
        data={
            "source": "professional_discussion",
            "title": "Discussion on the ombudsman",
            "body": "We talked through the ombudsman's time limits.",
            "occurred_on": date.today().isoformat(),
        },
    )
    assert made.status_code == 302
    item = db.session.scalar(sa.select(EvidenceItem).where(EvidenceItem.author_id == w.assessor.id))
    assert made.headers["Location"] == f"/portfolio/{w.portfolio.id}/items/{item.id}"
    page = client.get(made.headers["Location"])
    # The assessor who wrote the record maps it, and may withdraw it from future versions.
    assert "Save mappings" in page.text and "Withdraw" in page.text
    c = criteria_of(w)["2.1"]
    mapped = client.post(
        made.headers["Location"],
        data={f"criterion_{c.id}": "on", f"justification_{c.id}": "Explained the time limits."},
    )
    assert mapped.status_code == 302
    assert db.session.scalar(sa.select(Mapping.confirmed).where(Mapping.item_id == item.id))
    # The assessor maps only their own record; the learner cannot remap it.
    learner_item = f"/portfolio/{w.portfolio.id}/items/{w.item.id}"
    assert "Save mappings" not in client.get(learner_item).text
    assert client.post(learner_item, data={}).status_code == 403
    login(client, w.learner)
    assert client.post(made.headers["Location"], data={}).status_code == 403
    assert client.post(learner_item, data={}).status_code == 302


def test_only_the_latest_versions_bench_lists_records_added_since(client, submitted):
    """A record added after version 1 went into version 2: version 1's bench no longer offers
    it as evidence "added since" (it cannot count for version 1)."""
    w = submitted
    assessment = _open(w)
    decide(assessment, w, Decision.NOT_YET)
    services.return_for_resubmission(assessment, by=w.assessor)
    services.record_assessor_evidence(
        w.portfolio,
        source="observation",
        title="Observed call",
        body="Explained the ombudsman's time limits on the call.",
        occurred_on=date.today(),
        by=w.assessor,
    )
    db.session.commit()
    login(client, w.assessor)
    first = f"/assess/submissions/{w.submission.id}"
    assert "Assessor records added since this version" in client.get(first).text
    second = submit(w)
    db.session.commit()
    assert "Assessor records added since this version" not in client.get(first).text
    assert "Observed call" in client.get(f"/assess/submissions/{second.id}").text


def test_opening_the_bench_reads_its_notifications(client, submitted):
    """The 'version 1 is waiting' notice links to the bench: opening the bench (not only the
    inbox's Open button) reads it, so the header no longer counts work already opened."""
    w = submitted
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == w.assessor.id))
    assert note.link == f"/assess/submissions/{w.submission.id}" and note.read_at is None
    login(client, w.assessor)
    assert "unread" in client.get("/dashboard").text
    page = client.get(note.link)
    assert page.status_code == 200 and "unread" not in page.text
    db.session.expire_all()
    assert note.read_at is not None


def test_a_page_that_reads_notices_writes_nothing_when_none_is_unread(
    client, submitted, count_queries
):
    """Opening the bench with nothing unread ran an UPDATE of the notifications anyway, and
    that write made the header count them again: with the count read with the user at 0, the
    page neither writes nor counts again."""
    w = submitted
    login(client, w.assessor)
    client.get(f"/assess/submissions/{w.submission.id}")  # reads the waiting notice
    with count_queries() as queries:
        page = client.get(f"/assess/submissions/{w.submission.id}")
    assert page.status_code == 200 and "unread" not in page.text
    touching = [sql for sql in queries if "notifications" in sql]
    assert len(touching) == 1 and "FROM users" in touching[0]  # the count read with the user


def test_a_standardisation_request_is_read_when_its_marking_is_opened_from_the_queue(
    client, submitted, make_user
):
    from portfolio.review import iqa

    w = submitted
    second = make_user(Role.ASSESSOR, w.centre)
    [marking] = iqa.start_standardisation(w.submission, assessors=[second], by=w.iqa)
    db.session.commit()
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == second.id))
    assert note.link == f"/assess/assessments/{marking.id}"
    login(client, second)
    assert client.get(f"/assess/submissions/{w.submission.id}").status_code == 200
    db.session.expire_all()
    assert note.read_at is not None


def test_a_draft_marking_of_a_superseded_version_points_to_the_new_one(client, submitted):
    """The learner submitted version 2 while version 1's marking was in progress: version 1's
    bench still said 'Version submitted' and offered its form with no word of version 2."""
    w = submitted
    assessment = _open(w)
    decide(assessment, w)
    evidence.set_mapping(w.item, w.item.mappings[0].criterion, justification="Revised: it all.")
    second = submit(w)
    db.session.commit()
    login(client, w.assessor)
    page = client.get(f"/assess/submissions/{w.submission.id}").text
    assert "Version superseded by version 2" in page
    # Its sign-off page, reached by its address, offers no signature that would be refused.
    sign = client.get(f"/assess/submissions/{w.submission.id}/sign-off")
    assert sign.status_code == 302 and sign.headers["Location"].endswith(
        f"/assess/submissions/{w.submission.id}"
    )
    assert "has submitted version 2 since this one" in page
    assert f'href="/assess/submissions/{second.id}">Mark version 2</a>' in page


def test_a_standardisation_marker_is_not_told_the_versions_outcome(client, submitted, make_user):
    """Standardisation markers mark 'without seeing the others' decisions', yet the bench's
    header said 'Version signed off' (or returned): the learner's assessor's verdict."""
    from portfolio.review import iqa

    w = submitted
    assessment = _open(w)
    decide(assessment, w)
    services.sign_off(
        assessment, by=w.assessor, signed_name=w.assessor.full_name, password=PASSWORD
    )
    second = make_user(Role.ASSESSOR, w.centre)
    iqa.start_standardisation(w.submission, assessors=[second], by=w.iqa)
    db.session.commit()
    login(client, second)
    page = client.get(f"/assess/submissions/{w.submission.id}").text
    assert "Standardisation marking" in page and "signed off" not in page.casefold()
    # Its overall feedback is for comparison: the marker can neither return nor sign off.
    assert "for comparison with the other assessors'" in page
    assert "Required to return or to sign off" not in page
    login(client, w.assessor)
    assert "Version signed off" in client.get(f"/assess/submissions/{w.submission.id}").text


def test_dashboards_show_the_queue_and_feedback_to_act_on(client, submitted):
    w = submitted
    login(client, w.assessor)
    page = client.get("/dashboard")
    assert "<strong>1</strong> submission waiting" in page.text
    assessment = _open(w)
    decide(assessment, w, Decision.NOT_YET)
    services.return_for_resubmission(assessment, by=w.assessor)
    db.session.commit()
    assert "Nothing is waiting" in client.get("/dashboard").text
    login(client, w.learner)
    page = client.get("/dashboard")
    assert "Feedback to act on" in page.text and f"/assess/feedback/{assessment.id}" in page.text


def test_read_all_clears_the_header_count(client, submitted):
    w = submitted
    from portfolio.notifications.services import notify

    for n in range(3):
        notify(w.learner, "note", f"Message {n}", "")
    db.session.commit()
    login(client, w.learner)
    assert '3<span class="visually-hidden"> unread' in client.get("/notifications/").text
    assert client.post("/notifications/read-all").status_code == 302
    assert 'visually-hidden"> unread' not in client.get("/notifications/").text


# --- query counts ----------------------------------------------------------------------------


def _more_learners(w, make_user, n: int) -> None:
    """n more learners for the assessor, each with a submitted portfolio (some assessed)."""
    criteria = criteria_of(w)
    for i in range(n):
        learner = make_user(Role.LEARNER, w.centre, assessor=w.assessor)
        portfolio = evidence.portfolio_for(learner, w.portfolio.unit)
        item = evidence.add_assessor_evidence(
            portfolio,
            source="observation",
            title=f"Observation {i}",
            body="Handled an escalation.",
            occurred_on=date.today(),
            by=w.assessor,
        )
        evidence.set_mapping(item, criteria["1.2"], justification="Resolved it on the call.")
        submission = evidence.submit(
            portfolio, declared_name=learner.full_name, declared_on=date.today(), by=learner
        )
        if i % 2:
            assessment = services.open_assessment(submission, by=w.assessor)
            services.save_decisions(
                assessment,
                {criteria["1.2"].id: ("not_yet", "More please.")},
                overall_feedback="More.",
                expected_version=None,
            )
            services.return_for_resubmission(assessment, by=w.assessor)
            evidence.submit(
                portfolio, declared_name=learner.full_name, declared_on=date.today(), by=learner
            )
    db.session.commit()


@pytest.mark.parametrize("path", ["/assess/", "/assess/caseload", "/dashboard"])
def test_queue_and_caseload_queries_do_not_grow(client, submitted, make_user, count_queries, path):
    w = submitted
    _more_learners(w, make_user, 2)  # one waiting, one returned and resubmitted
    login(client, w.assessor)
    with count_queries() as few:
        assert client.get(path).status_code == 200
    _more_learners(w, make_user, 6)
    with count_queries() as many:
        page = client.get(path)
        assert page.status_code == 200
    assert len(many) == len(few)
    if path == "/assess/":
        assert page.text.count("Start marking<span") == 9


def test_a_standardisation_marking_on_the_bench(client, submitted, make_user):
    """The IQA asks another assessor of the centre to mark the same version for comparison:
    their link leads to the bench, where they save and finish but never return or sign off."""
    w = submitted
    second = make_user(Role.ASSESSOR, w.centre)
    marking = Assessment(
        submission_id=w.submission.id, assessor_id=second.id, kind="standardisation"
    )
    db.session.add(marking)
    db.session.commit()
    login(client, second)
    link = client.get(f"/assess/assessments/{marking.id}")
    assert link.headers["Location"] == f"/assess/submissions/{w.submission.id}"
    bench = client.get(link.headers["Location"])
    assert bench.status_code == 200 and "Standardisation marking" in bench.text
    assert "Save and finish marking" in bench.text and "return for resubmission" not in bench.text
    url = link.headers["Location"]
    assert client.post(f"{url}/return", data=_form(w, marking, "x", **ALL)).status_code == 422
    unfinished = client.post(
        url, data=_form(w, marking, **{"1_1": "competent"}) | {"then": "finish"}
    )
    assert unfinished.status_code == 422 and "still undecided" in unfinished.text
    db.session.expire_all()
    done = client.post(url, data=_form(w, marking, **ALL) | {"then": "finish"})
    assert done.status_code == 302
    db.session.expire_all()
    assert marking.status == AssessmentStatus.COMPLETED
    assert [e.kind for e in db.session.scalars(sa.select(DecisionLogEntry))][-1] == (
        "standardisation"
    )
    assert w.submission.status == SubmissionStatus.SUBMITTED  # the learner's version waits on
    login(client, w.learner)
    assert client.get(f"/assess/feedback/{marking.id}").status_code == 404
    # The allocated assessor's own marking is unaffected and still to do.
    login(client, w.assessor)
    assert "Start marking" in client.get("/assess/").text


def test_wrong_sign_off_passwords_are_throttled(client, submitted, app):
    w = submitted
    assessment = _open(w)
    decide(assessment, w)
    db.session.commit()
    login(client, w.assessor)
    url = f"/assess/submissions/{w.submission.id}/sign-off"
    data = {"signed_name": w.assessor.full_name, "version": str(assessment.version)}
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_EMAIL"]):
        wrong = client.post(url, data=data | {"password": "guess number one"})
        assert "password is not right" in wrong.text
    app.config["LOGIN_THROTTLE_WINDOW_SECONDS"] = 10 * 60
    blocked = client.post(url, data=data | {"password": PASSWORD})
    assert blocked.status_code == 422 and "Too many wrong passwords" in blocked.text
    assert "Wait 10 minutes" in blocked.text  # the setting, not a fixed 15
    db.session.expire_all()
    assert assessment.status == AssessmentStatus.IN_PROGRESS


def test_feedback_and_dashboard_headline_follow_a_correction_after_sign_off(client, submitted):
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    decide(assessment, w)
    services.sign_off(
        assessment, by=w.assessor, signed_name=w.assessor.full_name, password=PASSWORD
    )
    db.session.commit()
    url = f"/assess/feedback/{assessment.id}"
    login(client, w.learner)
    assert "Every criterion of unit" in client.get(url).text
    assert ">signed off</span>" in client.get("/dashboard").text
    services.correct_decision(
        assessment,
        criteria_of(w)["1.2"],
        decision="not_yet",
        feedback="Name the ombudsman in the letter.",
        reason="The IQA found the letter does not name the ombudsman.",
        by=w.assessor,
    )
    db.session.commit()
    page = client.get(url).text
    assert "Every criterion of unit" not in page
    assert "Signed off, since corrected" in page and "1.2 is Not yet competent" in page
    assert "then submit a new version from your portfolio" in page  # what to do about it
    dashboard = client.get("/dashboard").text
    assert "signed off, since corrected: 1.2 not yet competent" in dashboard


def test_the_assessors_pages_say_a_sign_off_was_corrected_below_met(client, submitted):
    """The learner's pages say 'signed off, since corrected'; the assessor's bench and caseload
    said only 'signed off' beside a Not yet competent decision."""
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    decide(assessment, w)
    services.sign_off(
        assessment, by=w.assessor, signed_name=w.assessor.full_name, password=PASSWORD
    )
    db.session.commit()
    login(client, w.assessor)
    bench = f"/assess/submissions/{w.submission.id}"
    assert "since corrected" not in client.get(bench).text
    assert "signed off<span" in client.get("/assess/caseload").text
    services.correct_decision(
        assessment,
        criteria_of(w)["1.2"],
        decision="not_yet",
        feedback="Name the ombudsman in the letter.",
        reason="The IQA found the letter does not name the ombudsman.",
        by=w.assessor,
    )
    db.session.commit()
    page = client.get(bench).text
    assert "Signed off, since corrected: 1.2 is Not yet competent now" in page
    assert "signed off, since corrected<span" in client.get("/assess/caseload").text
    # The learner's portfolio page says so beside the version too.
    login(client, w.learner)
    versions = client.get(f"/portfolio/{w.portfolio.id}").text
    assert "signed off, since corrected: not every criterion is met now" in versions
    assert "this unit is complete" not in versions


def test_bench_errors_link_to_the_fields_and_mark_them_invalid(client, submitted):
    w = submitted
    assessment = _open(w)
    c = criteria_of(w)
    login(client, w.assessor)
    url = f"/assess/submissions/{w.submission.id}"
    form = _form(w, assessment, **{"1_1": "competent", "1_2": "not_yet", "2_1": "not_yet"})
    form[f"feedback_{c['1.2'].id}"] = ""
    form[f"feedback_{c['2.1'].id}"] = ""
    refused = client.post(f"{url}/return", data=form | {"overall_feedback": "Add a letter."})
    assert refused.status_code == 422
    page = refused.text
    for ref in ("1.2", "2.1"):
        cid = c[ref].id
        assert f'<a href="#feedback_{cid}">Say what the learner needs to do for {ref}.</a>' in page
        assert f'id="feedback_{cid}-error"' in page
        assert f'aria-invalid="true" aria-describedby="feedback_{cid}-error"' in page
    assert f'id="feedback_{c["1.1"].id}-error"' not in page
    # Missing overall feedback is linked and marked too.
    refused = client.post(f"{url}/return", data=_form(w, assessment, **ALL))
    assert '<a href="#overall_feedback">Write your overall feedback' in refused.text
    assert 'id="overall_feedback-error"' in refused.text
    # The summary links the message once: it also listed it unlinked above the link.
    assert refused.text.count("Write your overall feedback") == 2  # the link and the field
    assert refused.text.count("Nothing was saved") == 1


def test_a_competent_without_evidence_links_to_its_decision(client, submitted):
    w = submitted
    c = criteria_of(w)
    evidence.remove_mapping(w.item, c["2.1"])
    w.submission = submit(w)  # version 2 has nothing mapped to 2.1
    db.session.commit()
    assessment = services.open_assessment(w.submission, by=w.assessor)
    db.session.commit()
    login(client, w.assessor)
    refused = client.post(
        f"/assess/submissions/{w.submission.id}", data=_form(w, assessment, **ALL)
    )
    assert refused.status_code == 422
    cid = c["2.1"].id
    assert f'<a href="#decision_{cid}_competent">No evidence is mapped to 2.1' in refused.text
    assert f'id="decision_{cid}-error"' in refused.text
    assert refused.text.count("Nothing was saved") == 1  # the summary says it once
    assert (
        f'id="decision_{cid}_competent" name="decision_{cid}" value="competent" checked '
        'aria-invalid="true"' in refused.text
    )
    db.session.expire_all()
    assert assessment.decisions == []


def test_opening_added_evidence_reads_its_notice(client, submitted):
    w = submitted
    record = services.record_assessor_evidence(
        w.portfolio,
        source="observation",
        title="Observed call",
        body="Handled the escalation calmly.",
        occurred_on=date.today(),
        by=w.assessor,
    )
    db.session.commit()
    login(client, w.learner)
    assert "nav-count" in client.get("/dashboard").text
    assert client.get(f"/portfolio/{w.portfolio.id}/items/{record.id}").status_code == 200
    assert "nav-count" not in client.get("/dashboard").text


def test_the_bench_offers_the_versions_pdf_to_those_who_may_see_it(client, submitted, make_user):
    """The learner's assessor downloads the version's PDF from the bench; a standardisation
    marker, who may not see the learner's work, is not offered a link that would be 404."""
    from portfolio.review import iqa

    w = submitted
    pdf = f'href="/export/submissions/{w.submission.id}.pdf"'
    login(client, w.assessor)
    assert pdf in client.get(f"/assess/submissions/{w.submission.id}").text
    second = make_user(Role.ASSESSOR, w.centre)
    iqa.start_standardisation(w.submission, assessors=[second], by=w.iqa)
    db.session.commit()
    login(client, second)
    page = client.get(f"/assess/submissions/{w.submission.id}").text
    assert "Standardisation marking" in page and pdf not in page


def test_a_sign_off_page_with_nothing_to_sign_says_why(client, submitted):
    """The sign-off page of a version not started, returned or already signed off sent the
    assessor to the bench with only 'There is nothing to sign off here.'"""
    w = submitted
    login(client, w.assessor)
    url = f"/assess/submissions/{w.submission.id}"

    def said() -> str:
        moved = client.get(f"{url}/sign-off")
        assert moved.status_code == 302 and moved.headers["Location"].endswith(url)
        return client.get(url).text

    assert "Start marking version 1 before you sign it off." in said()
    assessment = _open(w)
    decide(assessment, w, Decision.NOT_YET)
    services.return_for_resubmission(assessment, by=w.assessor)
    db.session.commit()
    assert "Version 1 was returned for resubmission, so it cannot be signed off" in said()


def test_the_caseload_says_a_version_waits_for_marking_in_view(client, submitted):
    """The caseload showed 'Version 1 waits' with 'for marking' hidden from sighted users."""
    login(client, submitted.assessor)
    page = client.get("/assess/caseload").text
    bench = f"/assess/submissions/{submitted.submission.id}"
    assert f'href="{bench}" class="hint">Version 1 waits for marking</a>' in page


def test_bench_feedback_holding_a_control_character_is_refused_at_its_box(client, submitted):
    """The bench reads its feedback from the raw form, past the forms' check: a pasted NUL
    was a server error on PostgreSQL (and stored on SQLite). It is refused at the box, with
    nothing saved."""
    w = submitted
    assessment = _open(w)
    login(client, w.assessor)
    c = criteria_of(w)["1.2"]
    data = _form(w, assessment, **{"1_1": "competent", "1_2": "not_yet"})
    data[f"feedback_{c.id}"] = "Map your\x00 resolution work."
    page = client.post(f"/assess/submissions/{w.submission.id}", data=data)
    assert page.status_code == 422
    assert f'<a href="#feedback_{c.id}">Remove the invisible control character from the ' in (
        page.text
    )
    data = _form(w, assessment, overall="Sound\x00 work.", **ALL)
    page = client.post(f"/assess/submissions/{w.submission.id}", data=data)
    assert page.status_code == 422
    assert '<a href="#overall_feedback">Remove the invisible control character' in page.text
    db.session.expire_all()
    assert assessment.decisions == [] and assessment.overall_feedback in ("", None)


def test_the_assessor_finds_the_way_back_to_the_bench(client, submitted):
    """'Record a discussion...' on the bench led to the new item's page, which linked only
    'Back to the portfolio', and the portfolio page had no link to the bench: the assessor went
    round by the queue. Both now link the version waiting for marking; the learner sees none."""
    w = submitted
    login(client, w.assessor)
    made = client.post(
        f"/assess/portfolios/{w.portfolio.id}/evidence/new",
        data={
            "source": "professional_discussion",
            "body": "We talked through the ombudsman's time limits.",
            "occurred_on": date.today().isoformat(),
        },
    )
    bench = f'href="/assess/submissions/{w.submission.id}"'
    item = client.get(made.headers["Location"]).text
    assert f"{bench}>Back to marking version 1</a>" in item
    assert bench in client.get(f"/portfolio/{w.portfolio.id}").text
    login(client, w.learner)
    assert bench not in client.get(made.headers["Location"]).text
    assert bench not in client.get(f"/portfolio/{w.portfolio.id}").text


def test_long_staff_writing_asks_before_it_is_left_unsent(client, submitted):
    """The assessor's record (up to 20,000 characters) and the response to an IQA's review
    do not autosave: their pages ask before leaving with what was typed (app.js)."""
    w = submitted
    login(client, w.assessor)
    page = client.get(f"/assess/portfolios/{w.portfolio.id}/evidence/new").text
    assert re.search(r'<form method="post" novalidate class="narrow" data-warn-unsaved>', page)
