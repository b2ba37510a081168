"""Assessment services: opening, drafts with stale refusal, return, sign-off, corrections,
acknowledgement and assessor evidence; and the queue and caseload they feed."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portfolio.db import utcnow
from portfolio.evidence import overview
from portfolio.evidence import services as evidence
from portfolio.evidence.models import EvidenceKind, SubmissionStatus
from portfolio.extensions import db
from portfolio.framework.models import Criterion, Outcome, Unit
from portfolio.main.learner_dashboard import learner_context
from portfolio.review import caseload, log, queries, services
from portfolio.review.models import (
    AssessmentKind,
    AssessmentStatus,
    CriterionDecision,
    Decision,
    DecisionLogEntry,
    Notification,
)
from portfolio.review.services import ReviewError, StaleAssessment
from portfolio.roles import Role
from tests.conftest import PASSWORD
from tests.review.conftest import correct_to_met, criteria_of, decide, submit, submit_worked


@pytest.fixture
def submitted(worked):  # noqa: F811
    """Version 1 with evidence mapped to every criterion, so each can be judged Competent
    (Competent needs evidence); tests that need a criterion without evidence unmap it."""
    return submit_worked(worked, every_criterion=True)


def _entries(kind: str | None = None) -> list[DecisionLogEntry]:
    query = sa.select(DecisionLogEntry).order_by(DecisionLogEntry.seq)
    if kind:
        query = query.where(DecisionLogEntry.kind == kind)
    return list(db.session.scalars(query))


def _returned(w):
    assessment = services.open_assessment(w.submission, by=w.assessor)
    decide(assessment, w, Decision.NOT_YET, **{"1_1": Decision.COMPETENT})
    return services.return_for_resubmission(assessment, by=w.assessor)


# --- opening ---------------------------------------------------------------------------------


def test_only_the_allocated_assessor_opens_an_assessment(submitted, make_user):
    w = submitted
    stranger = make_user(Role.ASSESSOR, w.centre)
    for outsider in (stranger, w.other_assessor, w.iqa, w.admin, w.learner):
        with pytest.raises(ReviewError, match="allocated assessor"):
            services.open_assessment(w.submission, by=outsider)
    first = services.open_assessment(w.submission, by=w.assessor)
    assert first.kind == AssessmentKind.PRIMARY and first.status == AssessmentStatus.IN_PROGRESS
    assert services.open_assessment(w.submission, by=w.assessor).id == first.id  # one each


def test_only_the_latest_version_is_opened(submitted):
    w = submitted
    older = w.submission
    evidence.set_mapping(w.item, w.item.mappings[0].criterion, justification="Revised: it all.")
    submit(w)
    with pytest.raises(ReviewError, match="newer submission"):
        services.open_assessment(older, by=w.assessor)


# --- drafts ----------------------------------------------------------------------------------


def test_save_decisions_keeps_drafts_and_moves_the_version_on(submitted):
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    c = criteria_of(w)
    version = assessment.version
    services.save_decisions(
        assessment,
        {c["1.1"].id: ("competent", ""), c["1.2"].id: (Decision.NOT_YET, "Add the letter.")},
        overall_feedback="  Draft  ",
        expected_version=version,
        by=w.assessor,
    )
    assert assessment.version == version + 1
    assert assessment.overall_feedback == "Draft"
    assert {d.criterion_id: d.decision for d in assessment.decisions} == {
        c["1.1"].id: Decision.COMPETENT,
        c["1.2"].id: Decision.NOT_YET,
    }
    # Clearing a draft decision removes it; nothing reaches the log while in progress.
    services.save_decisions(
        assessment,
        {c["1.2"].id: (None, "")},
        overall_feedback="Draft",
        expected_version=assessment.version,
    )
    assert [d.criterion_id for d in assessment.decisions] == [c["1.1"].id]
    assert _entries() == []


def test_a_stale_save_is_refused_and_changes_nothing(submitted):
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    opened_at = assessment.version
    decide(assessment, w)
    db.session.commit()
    c = criteria_of(w)
    with pytest.raises(StaleAssessment, match="saved elsewhere"):
        services.save_decisions(
            assessment,
            {c["1.1"].id: ("not_yet", "Overwrite")},
            overall_feedback="",
            expected_version=opened_at,
        )
    db.session.rollback()
    assert {d.decision for d in assessment.decisions} == {Decision.COMPETENT}


def test_criteria_outside_the_unit_are_refused(submitted):
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    unit = Unit(code="OTHER", title="Another unit", level=3)
    outcome = Outcome(unit=unit, ref="1", title="Another", kind="competence")
    db.session.add_all([unit, outcome])
    db.session.flush()
    foreign = Criterion(unit_id=unit.id, outcome=outcome, ref="1.1", text="Elsewhere")
    db.session.add(foreign)
    db.session.flush()
    c = criteria_of(w)
    with pytest.raises(ReviewError, match="not part of this unit"):
        services.save_decisions(
            assessment,
            {c["1.1"].id: ("competent", ""), foreign.id: ("competent", "")},
            overall_feedback="",
            expected_version=assessment.version,
        )
    assert assessment.decisions == []


def test_bad_decision_values_and_orphan_feedback_are_refused(submitted):
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    cid = criteria_of(w)["1.1"].id
    with pytest.raises(ReviewError, match="not a decision"):
        services.save_decisions(
            assessment, {cid: ("pass", "")}, overall_feedback="", expected_version=None
        )
    with pytest.raises(ReviewError, match="to keep its feedback"):
        services.save_decisions(
            assessment, {cid: (None, "Words")}, overall_feedback="", expected_version=None
        )


def test_another_assessor_cannot_save_into_an_assessment(submitted):
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    with pytest.raises(ReviewError, match="Only the assessor"):
        services.save_decisions(
            assessment, {}, overall_feedback="", expected_version=None, by=w.other_assessor
        )


# --- return ----------------------------------------------------------------------------------


def test_return_needs_overall_feedback_and_feedback_on_not_yet(submitted):
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    c = criteria_of(w)
    services.save_decisions(
        assessment, {c["1.2"].id: ("not_yet", "")}, overall_feedback="", expected_version=None
    )
    with pytest.raises(ReviewError, match="overall feedback"):
        services.return_for_resubmission(assessment, by=w.assessor)
    assessment.overall_feedback = "Needs more."
    with pytest.raises(ReviewError, match=r"Not yet competent \(1\.2\)"):
        services.return_for_resubmission(assessment, by=w.assessor)
    assert assessment.status == AssessmentStatus.IN_PROGRESS and _entries() == []


def test_return_logs_each_decision_and_tells_the_learner(submitted):
    w = submitted
    assessment = _returned(w)
    assert assessment.status == AssessmentStatus.RETURNED and assessment.completed_at
    assert w.submission.status == SubmissionStatus.RETURNED
    entries = _entries()
    assert [e.kind for e in entries] == ["decision"] * 3 + ["return"]
    assert entries[-1].payload["decisions"] == {
        "1.1": "competent",
        "1.2": "not_yet",
        "2.1": "not_yet",
    }
    assert entries[-1].payload["snapshot_hash"] == w.submission.snapshot_hash
    assert all(e.submission_id == w.submission.id for e in entries)
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == w.learner.id))
    assert note.kind == "returned" and note.link == f"/assess/feedback/{assessment.id}"
    assert log.verify().ok
    # The decisions are final now: the model guard refuses any change.
    assessment.decisions[0].feedback = "Changed after the event"
    with pytest.raises(RuntimeError, match="cannot change"):
        db.session.flush()
    db.session.rollback()


def test_a_completed_assessment_refuses_more_drafts_and_a_second_return(submitted):
    w = submitted
    assessment = _returned(w)
    with pytest.raises(ReviewError, match="complete"):
        services.save_decisions(assessment, {}, overall_feedback="x", expected_version=None)
    with pytest.raises(ReviewError, match="complete"):
        services.return_for_resubmission(assessment, by=w.assessor)


def test_the_resubmission_is_queued_and_marked_afresh(submitted):
    w = submitted
    _returned(w)
    second = submit(w)
    assert [r.submission_id for r in queries.queue_rows(w.assessor)] == [second.id]
    assessment = services.open_assessment(second, by=w.assessor)
    assert assessment.decisions == [] and assessment.submission_id == second.id


# --- sign-off --------------------------------------------------------------------------------


def test_sign_off_refuses_undecided_not_yet_wrong_name_and_wrong_password(submitted):
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    c = criteria_of(w)
    services.save_decisions(
        assessment, {c["1.1"].id: ("competent", "")}, overall_feedback="", expected_version=None
    )
    good = {"signed_name": w.assessor.full_name, "password": PASSWORD}
    with pytest.raises(ReviewError, match=r"1\.2, 2\.1 are still undecided"):
        services.sign_off(assessment, by=w.assessor, **good)
    decide(assessment, w, **{"2_1": Decision.NOT_YET})
    with pytest.raises(ReviewError, match=r"2\.1 is judged Not yet competent"):
        services.sign_off(assessment, by=w.assessor, **good)
    decide(assessment, w)
    with pytest.raises(ReviewError, match="full name exactly"):
        services.sign_off(assessment, by=w.assessor, signed_name="Someone Else", password=PASSWORD)
    with pytest.raises(ReviewError, match="password is not right"):
        services.sign_off(assessment, by=w.assessor, signed_name=w.assessor.full_name, password="x")
    assert assessment.status == AssessmentStatus.IN_PROGRESS and _entries() == []
    assert w.submission.status == SubmissionStatus.SUBMITTED


def test_sign_off_writes_the_signature_to_the_log(submitted):
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    decide(assessment, w)
    name = f"  {w.assessor.full_name.upper()} "
    services.sign_off(assessment, by=w.assessor, signed_name=name, password=PASSWORD)
    assert assessment.status == AssessmentStatus.SIGNED_OFF
    assert assessment.signed_name == w.assessor.full_name.upper()
    assert w.submission.status == SubmissionStatus.SIGNED_OFF
    entries = _entries()
    assert [e.kind for e in entries] == ["decision"] * 3 + ["sign_off"]
    assert entries[-1].payload["signed_name"] == name.strip()
    assert set(entries[-1].payload["decisions"].values()) == {"competent"}
    assert (
        db.session.scalar(sa.select(Notification.kind).where(Notification.user_id == w.learner.id))
        == "signed_off"
    )
    assert queries.queue_rows(w.assessor) == []


def test_a_stale_sign_off_is_refused(submitted):
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    seen = assessment.version
    decide(assessment, w)
    with pytest.raises(StaleAssessment):
        services.sign_off(
            assessment,
            by=w.assessor,
            signed_name=w.assessor.full_name,
            password=PASSWORD,
            expected_version=seen,
        )


def test_an_assessor_who_lost_the_learner_cannot_complete(submitted, make_user):
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    decide(assessment, w)
    w.learner.assessor = make_user(Role.ASSESSOR, w.centre)
    db.session.flush()
    with pytest.raises(ReviewError, match="not .* allocated assessor"):
        services.sign_off(
            assessment, by=w.assessor, signed_name=w.assessor.full_name, password=PASSWORD
        )


# --- corrections -----------------------------------------------------------------------------


def test_a_correction_is_a_new_entry_and_never_an_edit(submitted):
    w = submitted
    assessment = _returned(w)
    c = criteria_of(w)
    stored = db.session.scalar(
        sa.select(CriterionDecision).where(CriterionDecision.criterion_id == c["1.2"].id)
    )
    entry = services.correct_decision(
        assessment,
        c["1.2"],
        decision="competent",
        feedback="The letter does meet it.",
        reason="IQA pointed out the revised letter.",
        by=w.assessor,
    )
    assert entry.kind == "correction" and entry.payload["previous_decision"] == "not_yet"
    db.session.expire_all()
    assert stored.decision == Decision.NOT_YET  # the stored decision is untouched
    effective = services.effective_decisions(assessment)
    assert effective[c["1.2"].id].decision == Decision.COMPETENT
    assert effective[c["1.2"].id].corrected and effective[c["1.2"].id].reason
    assert effective[c["1.1"].id].decision == Decision.COMPETENT
    assert not effective[c["1.1"].id].corrected
    assert log.verify().ok


def test_corrections_are_refused_when_pointless_or_unexplained(submitted, make_user):
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    c = criteria_of(w)
    kwargs = {"decision": "competent", "feedback": "", "reason": "Because", "by": w.assessor}
    with pytest.raises(ReviewError, match="still in progress"):
        services.correct_decision(assessment, c["1.1"], **kwargs)
    decide(assessment, w, Decision.NOT_YET, **{"1_1": Decision.COMPETENT})
    services.return_for_resubmission(assessment, by=w.assessor)
    with pytest.raises(ReviewError, match="already the decision"):
        services.correct_decision(assessment, c["1.1"], **kwargs)
    with pytest.raises(ReviewError, match="Say why"):
        services.correct_decision(assessment, c["1.2"], **(kwargs | {"reason": " "}))
    with pytest.raises(ReviewError, match="Only the assessor"):
        services.correct_decision(assessment, c["1.2"], **(kwargs | {"by": w.other_assessor}))
    assert _entries("correction") == []


# --- acknowledgement and notifications -------------------------------------------------------


def _feedback_due(learner):
    return learner_context(learner, date.today())["feedback_due"]


def test_the_learner_acknowledges_feedback_once(submitted):
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    with pytest.raises(ReviewError, match="no feedback"):
        services.acknowledge(assessment, by=w.learner)
    decide(assessment, w, Decision.NOT_YET)
    services.return_for_resubmission(assessment, by=w.assessor)
    assert [a.id for a in _feedback_due(w.learner)] == [assessment.id]
    with pytest.raises(ReviewError, match="Only the learner"):
        services.acknowledge(assessment, by=w.assessor)
    services.acknowledge(assessment, by=w.learner)
    first = assessment.acknowledged_at
    services.acknowledge(assessment, by=w.learner)
    assert assessment.acknowledged_at == first
    assert len(_entries("acknowledgement")) == 1
    assert _feedback_due(w.learner) == []


# --- assessor evidence -----------------------------------------------------------------------


def test_assessor_records_evidence_for_their_own_learner_only(submitted, make_user):
    w = submitted
    kwargs = {
        "source": "professional_discussion",
        "title": "",
        "body": "We discussed the ombudsman's role and time limits.",
        "occurred_on": date.today(),
    }
    with pytest.raises(ReviewError, match="allocated assessor"):
        services.record_assessor_evidence(w.portfolio, by=w.other_assessor, **kwargs)
    with pytest.raises(ReviewError, match="future"):
        services.record_assessor_evidence(
            w.portfolio, by=w.assessor, **(kwargs | {"occurred_on": date.today() + timedelta(1)})
        )
    with pytest.raises(ReviewError, match="Choose professional discussion"):
        services.record_assessor_evidence(
            w.portfolio, by=w.assessor, **(kwargs | {"source": "upload"})
        )
    item = services.record_assessor_evidence(w.portfolio, by=w.assessor, **kwargs)
    assert item.kind == EvidenceKind.ASSESSOR and item.title == "Professional discussion"
    assert item.author_id == w.assessor.id
    # Mapped like any other item, and part of the learner's next version.
    evidence.set_mapping(item, criteria_of(w)["2.1"], justification="Explained the stages well.")
    second = submit(w)
    assert any(i["kind"] == "assessor" and i["mappings"] for i in second.snapshot["items"])


# --- Competent needs evidence ----------------------------------------------------------------


def _unmapped_resubmission(w, ref="2.1"):
    """Version 1 returned, then version 2 submitted with nothing mapped to `ref`."""
    _returned(w)
    evidence.remove_mapping(w.item, criteria_of(w)[ref])
    second = submit(w)
    return services.open_assessment(second, by=w.assessor)


def test_competent_is_refused_where_the_version_has_no_evidence(submitted):
    w = submitted
    assessment = _unmapped_resubmission(w)
    version = assessment.version
    with pytest.raises(ReviewError, match=r"No evidence is mapped to 2\.1 in version 2") as err:
        decide(assessment, w)
    assert "Nothing was saved" in err.value.message
    db.session.rollback()
    assert assessment.decisions == [] and assessment.version == version
    # Not yet competent is accepted, and Competent on the evidenced criteria.
    decide(assessment, w, **{"2_1": Decision.NOT_YET})
    assert len(assessment.decisions) == 3


def test_sign_off_and_correction_refuse_competent_without_evidence(submitted):
    w = submitted
    assessment = _unmapped_resubmission(w)
    c = criteria_of(w)
    # A draft that got in before the rule (written directly) still cannot be signed off.
    for criterion in c.values():
        assessment.decisions.append(
            CriterionDecision(criterion_id=criterion.id, decision=Decision.COMPETENT)
        )
    assessment.overall_feedback = "Met."
    db.session.flush()
    with pytest.raises(ReviewError, match=r"No evidence is mapped to 2\.1"):
        services.sign_off(
            assessment, by=w.assessor, signed_name=w.assessor.full_name, password=PASSWORD
        )
    assert assessment.status == AssessmentStatus.IN_PROGRESS
    decide(assessment, w, **{"2_1": Decision.NOT_YET})
    services.return_for_resubmission(assessment, by=w.assessor)
    with pytest.raises(ReviewError, match=r"No evidence is mapped to 2\.1"):
        correct_to_met(assessment, w, "2.1")


def test_a_mapped_assessor_record_the_bench_shows_counts_as_evidence(submitted):
    w = submitted
    assessment = _unmapped_resubmission(w)
    record = services.record_assessor_evidence(
        w.portfolio,
        source="professional_discussion",
        title="",
        body="We discussed the ombudsman's role and time limits.",
        occurred_on=date.today(),
        by=w.assessor,
    )
    evidence.set_mapping(record, criteria_of(w)["2.1"], justification="Explained the stages well.")
    decide(assessment, w)
    assert {d.decision for d in assessment.decisions} == {Decision.COMPETENT}


def test_a_record_added_after_completion_cannot_justify_correcting_to_competent(submitted):
    """The record belongs to the learner's next version: the completed assessment of this one
    is corrected only on the evidence the version holds."""
    w = submitted
    assessment = _unmapped_resubmission(w)
    decide(assessment, w, **{"2_1": Decision.NOT_YET})
    services.return_for_resubmission(assessment, by=w.assessor)
    record = services.record_assessor_evidence(
        w.portfolio,
        source="professional_discussion",
        title="",
        body="We discussed the ombudsman's role and time limits.",
        occurred_on=date.today(),
        by=w.assessor,
    )
    evidence.set_mapping(record, criteria_of(w)["2.1"], justification="Explained the stages well.")
    with pytest.raises(ReviewError, match=r"No evidence is mapped to 2\.1 in version 2"):
        correct_to_met(assessment, w, "2.1")
    assert _entries("correction") == []


# --- queue and caseload ----------------------------------------------------------------------


def test_queue_lists_the_assessors_latest_waiting_versions_oldest_first(submitted, make_user):
    w = submitted
    other = make_user(Role.LEARNER, w.centre, assessor=w.assessor)
    portfolio = evidence.portfolio_for(other, w.portfolio.unit)
    item = evidence.add_assessor_evidence(
        portfolio,
        source="observation",
        title="Observed call",
        body="Handled a live escalation.",
        occurred_on=date.today(),
        by=w.assessor,
    )
    evidence.set_mapping(item, criteria_of(w)["1.2"], justification="Resolved it on the call.")
    later = evidence.submit(
        portfolio, declared_name=other.full_name, declared_on=date.today(), by=other
    )
    rows = queries.queue_rows(w.assessor)
    assert [r.submission_id for r in rows] == [w.submission.id, later.id]
    age = queries.age_label(utcnow() - rows[0].submitted_at)
    assert rows[0].marking is None and age == "under an hour"
    services.open_assessment(w.submission, by=w.assessor)
    assert queries.queue_rows(w.assessor)[0].marking is not None
    assert queries.queue_rows(w.other_assessor) == []
    assert queries.queue_summary(w.assessor)[0] == 2
    assert queries.queue_rows(w.iqa) == []


def test_age_labels():
    assert queries.age_label(timedelta(minutes=5)) == "under an hour"
    assert queries.age_label(timedelta(hours=1)) == "1 hour"
    assert queries.age_label(timedelta(hours=30)) == "30 hours"
    assert queries.age_label(timedelta(days=9, hours=3)) == "9 days"


def test_caseload_statuses_follow_decisions_and_resubmissions(submitted):
    w = submitted
    c = criteria_of(w)
    grid = caseload.caseload(w.assessor).grids[0]
    assert grid.rows[0].cells == {
        cid: "submitted" for cid in (c["1.1"].id, c["1.2"].id, c["2.1"].id)
    }
    _returned(w)
    row = caseload.caseload(w.assessor).grids[0].rows[0]
    assert row.cells[c["1.1"].id] == "met" and row.cells[c["1.2"].id] == "not_yet"
    assert row.met == 1
    evidence.remove_mapping(w.item, c["2.1"])
    submit(w)
    row = caseload.caseload(w.assessor).grids[0].rows[0]
    assert row.cells[c["1.1"].id] == "met"  # met stays met
    assert row.cells[c["2.1"].id] == "not_yet"  # not resubmitted with evidence
    # the learner's own grid leaves out a Not yet while a later version waits
    decided = {r.ref: r.status for r in _grid(w).values() if r.status in ("met", "not_yet")}
    assert decided == {"1.1": "met"}
    assert caseload.caseload(w.other_assessor).grids == []


def _grid(w):
    """The learner's tracking grid as the portfolio page reads it, rows by criterion id."""
    db.session.expire_all()
    seen = overview.with_cells(overview.overview(overview.head_of(w.portfolio.id)))
    return {row.id: row for o in seen.outcomes for row in o.rows}


def _agrees_with_the_caseload(w):
    """Until a later version is submitted, the learner's grid and the assessor's caseload give
    every criterion the same status."""
    rows = _grid(w)
    [unit] = caseload.caseload(w.assessor).grids
    assert {cid: r.status for cid, r in rows.items()} == unit.rows[0].cells
    return rows


def test_the_portfolio_grid_reads_decisions_as_they_stand(submitted):
    w = submitted
    c = criteria_of(w)
    assert _agrees_with_the_caseload(w)[c["1.1"].id].status == "submitted"
    assessment = _returned(w)
    assert _agrees_with_the_caseload(w)[c["1.2"].id].status == "not_yet"
    correct_to_met(assessment, w, "1.2")
    assert _agrees_with_the_caseload(w)[c["1.2"].id].status == "met"
    head = overview.head_of(w.portfolio.id)
    assert overview.overview(head).feedback == {w.submission.id: assessment.id}
    again = submit(w)
    seen = overview.overview(head)
    assert [v.id for v in seen.submissions] == [again.id, w.submission.id]
    assert _grid(w)[c["1.1"].id].status == "met"


@pytest.mark.parametrize("kind", ["sign_off", "acknowledgement", "decision"])
def test_a_cut_off_end_of_the_log_is_caught_by_the_cross_check(submitted, runner, kind):
    """A hash chain cannot see its own newest entries deleted: every sign-off, decision and
    acknowledgement in the tables must still have its entry."""
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    decide(assessment, w)
    services.sign_off(
        assessment, by=w.assessor, signed_name=w.assessor.full_name, password=PASSWORD
    )
    services.acknowledge(assessment, by=w.learner)
    db.session.commit()
    assert log.verify().ok
    cut = max(e.seq for e in _entries() if e.kind == kind)
    db.session.execute(sa.text("DELETE FROM decision_log WHERE seq >= :seq"), {"seq": cut})
    db.session.commit()
    result = log.verify()
    assert not result.ok and result.first_bad_seq is None
    said = {
        "sign_off": f"the sign-off of assessment {assessment.id}",
        "acknowledgement": "the learner's acknowledgement",
        "decision": "the decision on 2.1",
    }[kind]
    assert said in result.missing and w.learner.full_name in result.missing
    output = runner.invoke(args=["audit", "verify"])
    assert output.exit_code == 1 and said in output.output
