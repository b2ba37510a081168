"""IQA services: plans, the sampling rules, verdicts, completion on the decision log, the
assessor's response, and standardisation with its agreement report."""

import itertools
from math import ceil

import pytest
import sqlalchemy as sa

from portfolio.extensions import db
from portfolio.review import iqa, log
from portfolio.review.agreement import fleiss_kappa
from portfolio.review.iqa import IqaError, StaleReview
from portfolio.review.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    CriterionDecision,
    DecisionLogEntry,
    IqaReviewStatus,
    Notification,
    Sample,
    SampleStage,
    SamplingPlan,
)
from portfolio.roles import Role
from tests.iqa.builders import C, N, assess

_plan_numbers = itertools.count(1)


def plan_for(world, **rules):
    """A plan of world.iqa's, named afresh each time (an IQA's plans have names of their own)."""
    values = {
        "name": f"Interim sample {next(_plan_numbers)}",
        "stage": SampleStage.INTERIM,
        "share_pct": 20,
        "all_new_assessors": False,
        "each_scenario": False,
    } | rules
    return iqa.create_plan(world.centre, iqa=world.iqa, **values)


def sampled(plan) -> dict[int, str]:
    rows = db.session.execute(
        sa.select(Sample.assessment_id, Sample.reason).where(Sample.plan_id == plan.id)
    )
    return dict(rows.all())


# --- plans ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"share_pct": 0}, "from 1 to 100"),
        ({"share_pct": 101}, "from 1 to 100"),
        ({"share_pct": "20"}, "from 1 to 100"),
        ({"share_pct": True}, "from 1 to 100"),
        ({"name": "   "}, "Give the plan a name"),
        ({"name": "x" * 121}, "too long"),
        ({"stage": "weekly"}, "interim or summative"),
    ],
)
def test_a_plan_is_validated(world, changes, message):
    with pytest.raises(IqaError, match=message):
        plan_for(world, **changes)


def test_only_an_iqa_of_the_centre_makes_its_plans(world, make_user):
    for who in (world.assessor, world.admin, make_user(Role.IQA, world.other_centre)):
        with pytest.raises(IqaError, match="Only an IQA of this centre"):
            iqa.create_plan(world.centre, iqa=who, name="P", stage="interim", share_pct=10)
    plan = iqa.create_plan(world.centre, iqa=world.iqa, name=" P ", stage="summative", share_pct=1)
    assert (plan.name, plan.stage, plan.share_pct) == ("P", SampleStage.SUMMATIVE, 1)


def test_an_iqas_plans_have_names_of_their_own(world, make_user):
    """A second plan of the same name (a second press of the button made a twin) could not be
    told apart from the first in the list: refused, and nothing made."""
    plan_for(world, name="Spring interim")
    with pytest.raises(IqaError, match="You already have a plan named “spring INTERIM”") as err:
        plan_for(world, name=" spring INTERIM ")
    assert err.value.fields == {"name": "Choose a name none of your plans has."}
    assert db.session.scalar(sa.select(sa.func.count(SamplingPlan.id))) == 1
    # Another IQA of the centre may use the name for a plan of theirs.
    other = make_user(Role.IQA, world.centre)
    iqa.create_plan(world.centre, iqa=other, name="Spring interim", stage="interim", share_pct=5)


# --- sampling rules -------------------------------------------------------------------------


def test_a_share_of_each_assessors_assessments(world, make_user, signed_off):
    other = make_user(Role.ASSESSOR, world.centre, full_name="Bea Second")
    mine = [signed_off(world.assessor) for _ in range(10)]
    theirs = [signed_off(other) for _ in range(3)]
    plan = plan_for(world, share_pct=20)
    added = iqa.generate_sample(plan)
    chosen = sampled(plan)
    assert len(added) == len(chosen) == 3
    assert len({a.id for a in mine} & chosen.keys()) == ceil(0.2 * 10) == 2
    assert len({a.id for a in theirs} & chosen.keys()) == ceil(0.2 * 3) == 1
    assert all(reason.startswith("20% of ") for reason in chosen.values())
    assert any("Bea Second's assessments" in reason for reason in chosen.values())


def test_every_assessment_of_a_new_assessor(world, make_user, signed_off):
    novice = make_user(Role.ASSESSOR, world.centre, full_name="Nia New")
    novice.is_new_assessor = True
    theirs = [signed_off(novice) for _ in range(4)]
    mine = [signed_off(world.assessor) for _ in range(4)]
    plan = plan_for(world, share_pct=25, all_new_assessors=True)
    trial = db.session.begin_nested()  # undone below: another plan never samples them again
    iqa.generate_sample(plan)
    chosen = sampled(plan)
    assert {a.id for a in theirs} <= chosen.keys()
    assert all("new assessor (Nia New)" in chosen[a.id] for a in theirs)
    assert len({a.id for a in mine} & chosen.keys()) == 1
    trial.rollback()
    # Without the rule, a new assessor is sampled at the share like anyone else.
    plain = plan_for(world, share_pct=25, all_new_assessors=False)
    iqa.generate_sample(plain)
    assert len({a.id for a in theirs} & sampled(plain).keys()) == 1


def test_each_scenario_at_least_once(world, signed_off):
    common = [signed_off(scenario="Fibrelink billing") for _ in range(9)]
    rare = signed_off(scenario="Northgate breathing space")
    signed_off(scenario=None)  # workplace evidence only: no scenario to cover
    reasons = []
    for _ in range(5):  # plans draw in different orders (seeded by plan id)
        plan = plan_for(world, share_pct=10, each_scenario=True)
        trial = db.session.begin_nested()  # undone: a later plan never samples them again
        iqa.generate_sample(plan)
        chosen = sampled(plan)
        assert rare.id in chosen and {a.id for a in common} & chosen.keys()
        assert len(chosen) <= ceil(0.1 * 11) + 1  # the share, plus the rare one if needed
        reasons.append(chosen[rare.id])
        trial.rollback()
    assert "Each scenario at least once: Northgate breathing space" in reasons
    without = plan_for(world, share_pct=10, each_scenario=False)
    iqa.generate_sample(without)
    assert len(sampled(without)) == ceil(0.1 * 11)


def test_the_sample_is_deterministic_and_idempotent(world, signed_off):
    for _ in range(12):
        signed_off()
    plan = plan_for(world, share_pct=30, each_scenario=True)
    savepoint = db.session.begin_nested()
    first = {s.assessment_id for s in iqa.generate_sample(plan)}
    savepoint.rollback()
    assert sampled(plan) == {}
    second = {s.assessment_id for s in iqa.generate_sample(plan)}
    assert first == second and len(first) == ceil(0.3 * 12)
    assert iqa.generate_sample(plan) == []  # generating again adds nothing
    assert set(sampled(plan)) == first


def test_the_sampled_assessors_and_their_learners_are_told_once(world, signed_off, make_user):
    other = make_user(Role.ASSESSOR, world.centre)
    first, second = signed_off(world.assessor), signed_off(other)
    plan = plan_for(world, share_pct=100)
    iqa.generate_sample(plan)

    def told():
        rows = db.session.execute(
            sa.select(Notification.user_id, Notification.link, Notification.message).where(
                Notification.kind == "sampled"
            )
        )
        return {user_id: (link, message) for user_id, link, message in rows}

    notes = told()
    assert len(notes) == 4
    link, message = notes[world.assessor.id]
    assert link == f"/assess/submissions/{first.submission_id}"
    assert f"{world.iqa.full_name} (IQA) has sampled your assessment" in message
    assert notes[other.id][0] == f"/assess/submissions/{second.submission_id}"
    link, message = notes[first.submission.portfolio.learner_id]
    assert link == f"/assess/feedback/{first.id}" and "Your result stands" in message
    iqa.generate_sample(plan)  # nothing new is sampled, so nobody is told again
    assert len(told()) == 4
    signed_off(world.assessor)
    iqa.generate_sample(plan)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(Notification.kind == "sampled")
        )
        == 6
    )


def test_a_learner_told_to_resubmit_is_not_told_they_need_do_nothing(world, signed_off):
    """An interim sample takes returned markings, whose learner has been told to act on the
    feedback and resubmit; the sampling notice told them "you need do nothing"."""
    returned = signed_off(status=AssessmentStatus.RETURNED)
    iqa.generate_sample(plan_for(world, share_pct=100))
    message = db.session.scalar(
        sa.select(Notification.message).where(
            Notification.kind == "sampled",
            Notification.user_id == returned.submission.portfolio.learner_id,
        )
    )
    assert "need do nothing" not in message
    assert "Your feedback stands: carry on acting on it and resubmit as it asks" in message


def test_generating_again_adds_only_what_new_assessments_need(world, signed_off):
    for _ in range(5):
        signed_off()
    plan = plan_for(world, share_pct=20)
    before = set(sampled(plan)) | {s.assessment_id for s in iqa.generate_sample(plan)}
    assert len(before) == 1
    for _ in range(5):
        signed_off()
    added = iqa.generate_sample(plan)
    assert len(added) == 1  # ceil(20% of 10) = 2, one of which was already sampled
    assert before <= set(sampled(plan))


def test_only_completed_primary_assessments_of_the_iqas_learners(
    world, make_user, signed_off, unit
):
    _, criteria = unit
    other_iqa = make_user(Role.IQA, world.centre)
    counted = signed_off()
    returned = signed_off(status=AssessmentStatus.RETURNED)
    signed_off(status=AssessmentStatus.IN_PROGRESS)
    signed_off(iqa=other_iqa)  # someone else's learner
    # A standardisation marking of the counted submission is never sampled.
    assess(
        counted.submission,
        make_user(Role.ASSESSOR, world.centre),
        {c: C for c in criteria},
        status=AssessmentStatus.COMPLETED,
        kind=AssessmentKind.STANDARDISATION,
    )
    interim = plan_for(world, share_pct=100)
    trial = db.session.begin_nested()  # undone: the summative plan would not sample it again
    iqa.generate_sample(interim)
    assert set(sampled(interim)) == {counted.id, returned.id}
    trial.rollback()
    summative = plan_for(world, share_pct=100, stage="summative")
    iqa.generate_sample(summative)
    assert set(sampled(summative)) == {counted.id}


def test_an_assessment_sampled_by_one_plan_is_not_sampled_again_by_another(world, signed_off):
    """Another plan sampled an assessment already in a plan, unreviewed: the assessor and
    learner were told twice, and once it was reviewed in one plan it stayed "not started" in
    the other, awaiting a second review of the same marking."""
    assessment = signed_off()
    [first] = iqa.generate_sample(plan_for(world, share_pct=100, name="Interim"))
    later = plan_for(world, share_pct=100, stage="summative", name="Summative")
    assert iqa.generate_sample(later) == []
    assert sampled(later) == {}
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Sample.id)).where(Sample.assessment_id == assessment.id)
        )
        == 1
        and first.assessment_id == assessment.id
    )
    told = sa.select(sa.func.count(Notification.id)).where(Notification.kind == "sampled")
    assert db.session.scalar(told) == 2  # the assessor and the learner, once each
    # it counts towards the later plan's rules, and the IQA is told why nothing was added
    assert "1 of your learners' 1 signed-off assessment is already sampled in another plan" in (
        iqa.why_nothing_added(later)
    )


# --- verdicts -------------------------------------------------------------------------------


@pytest.fixture
def review(world, signed_off, unit):
    """A started review of a sampled assessment decided C, C, N."""
    _, criteria = unit
    assessment = signed_off(
        status=AssessmentStatus.RETURNED,
        decisions={criteria[0]: C, criteria[1]: C, criteria[2]: N},
    )
    plan = plan_for(world, share_pct=100)
    [sample] = iqa.generate_sample(plan)
    assert sample.assessment_id == assessment.id
    return iqa.start_review(sample, by=world.iqa)


def decisions_now(assessment_id):
    db.session.expire_all()
    return [
        (d.criterion_id, d.decision, d.feedback, d.updated_at)
        for d in db.session.scalars(
            sa.select(CriterionDecision)
            .where(CriterionDecision.assessment_id == assessment_id)
            .order_by(CriterionDecision.id)
        )
    ]


def save(review, verdicts, *, actions="", overall="", version=None):
    return iqa.save_verdicts(
        review,
        verdicts,
        overall_feedback=overall,
        actions=actions,
        expected_version=review.version if version is None else version,
    )


def test_start_review_is_idempotent_and_for_the_plans_iqa(world, review, make_user):
    assert iqa.start_review(review.sample, by=world.iqa) is review
    with pytest.raises(IqaError, match="Only the IQA whose plan"):
        iqa.start_review(review.sample, by=make_user(Role.IQA, world.centre))


def test_verdicts_are_checked(world, review, unit, make_user):
    _, criteria = unit
    c1, c2, c3 = (c.id for c in criteria)
    with pytest.raises(IqaError, match="Say why you disagree with the decision on 1.2"):
        save(review, {c1: (True, ""), c2: (False, "  ")})
    with pytest.raises(IqaError, match="does not belong to this unit"):
        save(review, {999_999: (True, "")})
    with pytest.raises(StaleReview):
        save(review, {c1: (True, "")}, version=review.version - 1)
    assert review.verdicts == []
    version = review.version
    save(review, {c1: (True, ""), c2: (False, "The letter omits the ombudsman.")})
    assert review.version == version + 1
    save(review, {c2: (True, "On reflection, fine."), c3: (True, "")}, overall="Sound.")
    assert {v.criterion_id: (v.agree, v.feedback) for v in review.verdicts} == {
        c1: (True, ""),
        c2: (True, "On reflection, fine."),
        c3: (True, ""),
    }
    assert review.overall_feedback == "Sound." and review.version == version + 2


def test_a_verdict_needs_a_decision_to_judge(world, signed_off, unit):
    _, criteria = unit
    signed_off(decisions={criteria[0]: C, criteria[1]: C})  # 2.1 undecided
    [sample] = iqa.generate_sample(plan_for(world, share_pct=100))
    review = iqa.start_review(sample, by=world.iqa)
    with pytest.raises(IqaError, match="made no decision on 2.1"):
        save(review, {criteria[2].id: (True, "")})


def test_completing_writes_the_verdicts_to_the_log(world, review, unit):
    _, criteria = unit
    c1, c2, c3 = (c.id for c in criteria)
    assessment = review.sample.assessment
    before = decisions_now(assessment.id)
    save(review, {c1: (True, ""), c2: (False, "No ombudsman named.")})
    with pytest.raises(IqaError, match="2.1 has none yet"):
        iqa.complete_review(review, by=world.iqa)
    save(review, {c3: (True, "")})
    with pytest.raises(IqaError, match="set out the actions"):
        iqa.complete_review(review, by=world.iqa)
    save(review, {}, actions="Re-read the letter against the ombudsman rule by Friday.")
    iqa.complete_review(review, by=world.iqa)
    assert review.status == IqaReviewStatus.COMPLETED and review.completed_at

    entry = db.session.scalar(
        sa.select(DecisionLogEntry).where(DecisionLogEntry.kind == "iqa_verdict")
    )
    assert entry.actor_id == world.iqa.id and entry.submission_id == assessment.submission_id
    assert entry.payload["assessment_id"] == assessment.id
    assert [
        (v["criterion"], v["assessor_decision"], v["agree"]) for v in entry.payload["verdicts"]
    ] == [("1.1", "competent", True), ("1.2", "competent", False), ("2.1", "not_yet", True)]
    assert entry.payload["actions"].startswith("Re-read the letter")
    assert log.verify().ok
    note = db.session.scalar(
        sa.select(Notification).where(
            Notification.user_id == assessment.assessor_id, Notification.kind == "iqa_verdict"
        )
    )
    assert "disagrees on 1 criterion" in note.message
    assert note.link == f"/iqa/reviews/{review.id}/respond"
    # The assessor's decisions are exactly as they were.
    assert decisions_now(assessment.id) == before
    with pytest.raises(IqaError, match="complete"):
        save(review, {c1: (False, "Changed my mind.")})
    with pytest.raises(IqaError, match="already complete"):
        iqa.complete_review(review, by=world.iqa)


def test_a_review_agreeing_everywhere_still_asks_for_the_response_it_awaits(world, review, unit):
    """The review waits for the assessor's response (the plan shows "Complete, awaiting
    response", the assessor's dashboard lists it) even when the IQA agrees with every
    decision, but the notice only said so and asked nothing."""
    _, criteria = unit
    save(review, {c.id: (True, "") for c in criteria})
    iqa.complete_review(review, by=world.iqa)
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == "iqa_verdict"))
    assert note.message.endswith("agrees with every decision. Please read the review and respond.")


def test_only_the_sampled_assessor_responds_once(world, review, unit, make_user):
    _, criteria = unit
    assessment = review.sample.assessment
    with pytest.raises(IqaError, match="not completed this review yet"):
        iqa.respond(review, by=world.assessor, response="Noted.")
    save(review, {c.id: (True, "") for c in criteria})
    iqa.complete_review(review, by=world.iqa)
    for outsider in (world.iqa, make_user(Role.ASSESSOR, world.centre), world.learner):
        with pytest.raises(IqaError, match="Only the assessor whose assessment"):
            iqa.respond(review, by=outsider, response="Noted.")
    with pytest.raises(IqaError, match="Write your response"):
        iqa.respond(review, by=world.assessor, response="   ")
    iqa.respond(review, by=world.assessor, response="Thank you; noted for next time.")
    assert review.status == IqaReviewStatus.RESPONDED and review.responded_at
    entry = db.session.scalar(
        sa.select(DecisionLogEntry).where(DecisionLogEntry.kind == "assessor_response")
    )
    assert entry.actor_id == assessment.assessor_id
    assert entry.payload == {
        "review_id": review.id,
        "assessment_id": assessment.id,
        "iqa_id": world.iqa.id,
        "response": "Thank you; noted for next time.",
    }
    assert log.verify().ok
    told = db.session.scalar(
        sa.select(Notification.message).where(
            Notification.user_id == world.iqa.id, Notification.kind == "assessor_response"
        )
    )
    # which review it is about: the IQA may review several of this assessor's assessments
    learner = assessment.submission.portfolio.learner
    assert (
        f"{world.assessor.full_name} has responded to your review of their assessment of "
        f"{learner.full_name}'s version {assessment.submission.number}." == told
    )
    with pytest.raises(IqaError, match="already responded"):
        iqa.respond(review, by=world.assessor, response="Again.")


# --- standardisation ------------------------------------------------------------------------


def test_starting_standardisation(world, signed_off, make_user):
    primary = signed_off()
    submission = primary.submission
    second = make_user(Role.ASSESSOR, world.centre)
    third = make_user(Role.ASSESSOR, world.centre)
    with pytest.raises(IqaError, match="Only the learner's IQA"):
        iqa.start_standardisation(submission, assessors=[second], by=make_user(Role.IQA))
    with pytest.raises(IqaError, match="at least one assessor"):
        iqa.start_standardisation(submission, assessors=[], by=world.iqa)
    with pytest.raises(IqaError, match="not an active assessor of this centre"):
        iqa.start_standardisation(submission, assessors=[world.other_assessor], by=world.iqa)
    with pytest.raises(IqaError, match="own assessor: their marking is compared already"):
        iqa.start_standardisation(submission, assessors=[world.assessor], by=world.iqa)
    iqa.start_standardisation(submission, assessors=[second], by=world.iqa)
    with pytest.raises(IqaError, match="already marking"):
        iqa.start_standardisation(submission, assessors=[second], by=world.iqa)
    created = iqa.start_standardisation(submission, assessors=[second, third], by=world.iqa)
    assert {a.assessor_id for a in created} == {third.id}
    assert all(
        a.kind == AssessmentKind.STANDARDISATION and a.status == AssessmentStatus.IN_PROGRESS
        for a in created
    )
    notes = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "standardisation")
    ).all()
    assert {n.user_id for n in notes} == {second.id, third.id}
    assert all(n.link.startswith("/assess/assessments/") for n in notes)


def test_the_standardisation_report(world, signed_off, make_user, unit):
    _, criteria = unit
    c1, c2, c3 = criteria
    primary = signed_off(decisions={c1: C, c2: C, c3: N})
    submission = primary.submission
    others = [make_user(Role.ASSESSOR, world.centre) for _ in range(3)]
    for assessor, decisions in zip(
        others[:2], ({c1: C, c2: N, c3: N}, {c1: C, c2: N, c3: C}), strict=True
    ):
        assess(
            submission,
            assessor,
            decisions,
            status=AssessmentStatus.COMPLETED,
            kind=AssessmentKind.STANDARDISATION,
        )
    iqa.start_standardisation(submission, assessors=[others[2]], by=world.iqa)

    report = iqa.standardisation_report(submission)
    markers = [a.assessor_id for a in report.markers]
    assert markers == [world.assessor.id, others[0].id, others[1].id]
    assert [a.assessor_id for a in report.pending] == [others[2].id]
    by_ref = {row.criterion.ref: row for row in report.rows}
    assert by_ref["1.1"].agreement.agreement == 1.0 and not by_ref["1.1"].agreement.differs
    # 1.2: C, N, N -> one agreeing pair of three; 2.1: N, N, C likewise.
    for ref in ("1.2", "2.1"):
        assert by_ref[ref].agreement.agreement == pytest.approx(1 / 3)
        assert by_ref[ref].agreement.differs
    assert by_ref["1.2"].decisions == {world.assessor.id: C, others[0].id: N, others[1].id: N}
    assert by_ref["1.2"].feedback[others[0].id] == "Say more about 1.2."
    assert [r.criterion.ref for r in report.differing] == ["1.2", "2.1"]
    assert report.kappa == pytest.approx(fleiss_kappa([[3, 0], [1, 2], [1, 2]]))
    assert report.mean_agreement == pytest.approx((1 + 1 / 3 + 1 / 3) / 3)


def test_a_report_with_one_marking_has_no_agreement(world, signed_off):
    report = iqa.standardisation_report(signed_off().submission)
    assert len(report.markers) == 1 and report.kappa is None and report.mean_agreement is None
    assert report.differing == []


def test_standardisation_never_touches_the_primary_decisions(world, signed_off, make_user):
    primary = signed_off()
    before = decisions_now(primary.id)
    iqa.start_standardisation(
        primary.submission, assessors=[make_user(Role.ASSESSOR, world.centre)], by=world.iqa
    )
    assert decisions_now(primary.id) == before
    assert db.session.scalar(sa.select(sa.func.count(Assessment.id))) == 2


def test_standardisation_markings_are_made_on_the_assessor_bench(world, signed_off, make_user):
    """Through the assessor side's services: the colleague saves decisions on their
    standardisation marking and finishes it; the report compares it with the primary."""
    from portfolio.review import services as review

    primary = signed_off(learner=world.learner)
    colleague = make_user(Role.ASSESSOR, world.centre)
    [marking] = iqa.start_standardisation(primary.submission, assessors=[colleague], by=world.iqa)
    criteria = [d.criterion_id for d in primary.decisions]
    review.save_decisions(
        marking,
        {
            cid: (N if i == 1 else C, "Needs more." if i == 1 else "")
            for i, cid in enumerate(criteria)
        },
        overall_feedback="",
        expected_version=marking.version,
        by=colleague,
    )
    review.complete_standardisation(marking, by=colleague)
    [told] = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "standardisation_marked")
    )
    assert told.user_id == world.iqa.id
    assert told.link == f"/iqa/standardisation/{primary.submission_id}"
    assert "finished marking" in told.message
    report = iqa.standardisation_report(primary.submission)
    assert [a.id for a in report.markers] == [primary.id, marking.id]
    assert [r.criterion.ref for r in report.differing] == ["1.2"]
    assert report.kappa == pytest.approx(fleiss_kappa([[2, 0], [1, 1], [2, 0]]))
    assert log.verify().ok
