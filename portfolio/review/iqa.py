"""Writes for internal quality assurance (IQA): sampling plans and the samples they generate,
the IQA's verdicts on a sampled assessment, the assessor's response, and standardisation.

The IQA never changes an assessor's decision: nothing here writes a CriterionDecision. Their
verdicts sit beside the decisions, and a completed review goes on the decision log.

Sampling rules (generate_sample):

- The candidates are the completed primary assessments of learners in the plan's centre who
  are allocated to the plan's IQA (an IQA quality-assures their own learners); an interim plan
  samples returned and signed-off markings, a summative plan signed-off ones only.
- Every assessment by an assessor marked as new, when the plan says so.
- Otherwise a share of each assessor's assessments: ceil(share% x their candidates), counting
  what has been sampled already.
- An assessment already sampled by another plan (an interim sample, say), reviewed or not, is
  counted by a later plan but not added to it again: sampled twice, it was announced twice and,
  once reviewed in one plan, stayed "not started" in the other, awaiting a second review.
- Each scenario at least once, when the plan says so: a scenario is named by the submission's
  snapshot (the scenario title its case items came from, as submitted).
- The choice is deterministic: candidates are taken in an order fixed by a hash of (plan id,
  assessment id), so generating again adds nothing unless new assessments have completed, and a
  newly completed assessment never changes the order of the others.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from portfolio.accounts.models import Centre, User
from portfolio.control_characters import has_control_character
from portfolio.db import utcnow
from portfolio.evidence.models import Portfolio, Submission
from portfolio.extensions import db
from portfolio.framework.models import Criterion
from portfolio.framework.queries import criteria_of
from portfolio.notifications.services import notify
from portfolio.review import iqa_queries as queries
from portfolio.review import log
from portfolio.review.agreement import SubjectAgreement, fleiss_kappa_of, subject_agreement
from portfolio.review.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    Decision,
    IqaReview,
    IqaReviewStatus,
    IqaVerdict,
    Sample,
    SampleStage,
    SamplingPlan,
)
from portfolio.review.services import link_to
from portfolio.roles import Role

MAX_NAME = 120
MAX_TEXT = 5_000
MAX_REASON = 300


class IqaError(Exception):
    """An IQA action was refused; the message is shown as it is."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        # {form field name: what is wrong there}, for messages beside the fields
        self.fields = fields or {}


class StaleReview(IqaError):
    def __init__(self) -> None:
        super().__init__(
            "This review changed after you opened it (saved in another tab or device, or a "
            "verdict cleared because the assessor corrected that decision), so your changes "
            "were not applied. Your text is still below: copy anything you need, reload the "
            "page to see the newer version, then make your change again."
        )


def _clean(text: str | None, *, label: str, limit: int = MAX_TEXT, field: str | None = None) -> str:
    """The text stripped; refused when over `limit`, said beside the form's `field` if named."""
    value = (text or "").strip()
    if len(value) > limit:
        message = f"{label} is too long: at most {limit:,} characters."
        raise IqaError(message, {field: message} if field else None)
    # Per-criterion feedback comes from the raw form: PostgreSQL refuses a NUL.
    if has_control_character(value):
        message = (
            f"{label} holds an invisible control character (it often comes with pasted "
            "text): remove it, then save again."
        )
        raise IqaError(message, {field: message} if field else None)
    return value


# --- plans and samples --------------------------------------------------------------------


def create_plan(
    centre: Centre,
    *,
    iqa: User,
    name: str,
    stage: SampleStage | str,
    share_pct: int,
    all_new_assessors: bool = True,
    each_scenario: bool = True,
) -> SamplingPlan:
    """A sampling plan of the centre's IQA: its name, stage (interim or summative), the share of
    each assessor's assessments to sample (1-100%), and whether to sample every assessment of
    a new assessor and each scenario at least once."""
    if iqa.role != Role.IQA or iqa.centre_id != centre.id:
        raise IqaError("Only an IQA of this centre can make its sampling plans.")
    name = _clean(name, label="The plan's name", limit=MAX_NAME)
    if not name:
        raise IqaError("Give the plan a name, such as “Interim sample, spring cohort”.")
    # Two plans of one name could not be told apart in the list (and a second press of the
    # button used to make a twin).
    same_name = sa.select(SamplingPlan.id).where(
        SamplingPlan.centre_id == centre.id,
        SamplingPlan.iqa_id == iqa.id,
        sa.func.lower(SamplingPlan.name) == name.lower(),
    )
    if db.session.scalar(same_name) is not None:
        raise IqaError(
            f"You already have a plan named “{name}”: open it from your plans, or give this "
            "one another name.",
            {"name": "Choose a name none of your plans has."},
        )
    try:
        stage = SampleStage(stage)
    except ValueError:
        raise IqaError("Choose interim or summative sampling.") from None
    if isinstance(share_pct, bool) or not isinstance(share_pct, int) or not 1 <= share_pct <= 100:
        raise IqaError("The share to sample must be a whole number from 1 to 100 (per cent).")
    plan = SamplingPlan(
        centre_id=centre.id,
        iqa_id=iqa.id,
        name=name,
        stage=stage,
        share_pct=share_pct,
        all_new_assessors=bool(all_new_assessors),
        each_scenario=bool(each_scenario),
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def scenarios_of(submission: Submission) -> list[str]:
    """The scenarios a submission's evidence came from, as named in its snapshot."""
    return sorted(
        {i["scenario"] for i in submission.snapshot.get("items", []) if i.get("scenario")}
    )


def _draw_order(plan: SamplingPlan, assessment: Assessment) -> str:
    return hashlib.sha256(f"{plan.id}:{assessment.id}".encode()).hexdigest()


def _reason(text: str) -> str:
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def _taken(candidates: list[Assessment]) -> set[int]:
    """Ids of the candidates sampled already, by this plan or another (an interim sample's
    assessment is not sampled again by the summative plan): never added again, and they count
    towards the plan's share and scenario coverage."""
    return set(
        db.session.scalars(
            sa.select(Sample.assessment_id).where(
                Sample.assessment_id.in_([a.id for a in candidates])
            )
        )
    )


def why_nothing_added(plan: SamplingPlan) -> str:
    """Why generating the plan's sample added nothing, in the IQA's words: no assessment at
    the plan's stage yet, or the rules already met, counting assessments sampled by another
    plan (which are never sampled twice)."""
    kinds = "returned or signed-off" if plan.stage == SampleStage.INTERIM else "signed-off"
    candidates = queries.sampling_candidates(plan)
    if not candidates:
        return f"Nothing to sample yet: none of your learners has a {kinds} assessment."
    in_plan = set(
        db.session.scalars(sa.select(Sample.assessment_id).where(Sample.plan_id == plan.id))
    )
    elsewhere = len(_taken(candidates) - in_plan)
    if elsewhere:
        return (
            f"Nothing to add: {elsewhere} of your learners' {len(candidates)} {kinds} "
            f"assessment{'' if len(candidates) == 1 else 's'} "
            f"{'is' if elsewhere == 1 else 'are'} already sampled in another plan. "
            "They count towards this plan's rules but are not sampled twice."
        )
    return "The sample is up to date: no assessment completed since needs adding."


def generate_sample(plan: SamplingPlan) -> list[Sample]:
    """Add to the plan the assessments its rules choose (see the module docstring), each with
    the rule that chose it. Returns the samples added: none when the plan is up to date."""
    candidates = sorted(queries.sampling_candidates(plan), key=lambda a: _draw_order(plan, a))
    taken = _taken(candidates)
    chosen: dict[int, str] = {}

    by_assessor: dict[int, list[Assessment]] = defaultdict(list)
    for assessment in candidates:
        by_assessor[assessment.assessor_id].append(assessment)
    for mine in by_assessor.values():
        assessor = mine[0].assessor
        if plan.all_new_assessors and assessor.is_new_assessor:
            for assessment in mine:
                if assessment.id not in taken:
                    chosen[assessment.id] = _reason(
                        f"Every assessment of a new assessor ({assessor.full_name})"
                    )
            continue
        target = -(-plan.share_pct * len(mine) // 100)  # ceiling, in whole numbers
        have = sum(1 for a in mine if a.id in taken)
        for assessment in mine:
            if have >= target:
                break
            if assessment.id not in taken:
                chosen[assessment.id] = _reason(
                    f"{plan.share_pct}% of {assessor.full_name}'s assessments"
                )
                have += 1

    if plan.each_scenario:
        covered = {
            title
            for a in candidates
            if a.id in taken or a.id in chosen
            for title in scenarios_of(a.submission)
        }
        for assessment in candidates:
            missing = [t for t in scenarios_of(assessment.submission) if t not in covered]
            if missing and assessment.id not in taken:
                chosen.setdefault(
                    assessment.id, _reason(f"Each scenario at least once: {missing[0]}")
                )
                covered.update(missing)

    added = [
        Sample(plan_id=plan.id, assessment_id=a.id, reason=chosen[a.id])
        for a in candidates
        if a.id in chosen
    ]
    db.session.add_all(added)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        raise IqaError(
            "The sample was being generated elsewhere at the same time. Reload the plan to see it."
        ) from None
    _tell_sampled(plan, [a for a in candidates if a.id in chosen])
    return added


def _tell_sampled(plan: SamplingPlan, sampled: list[Assessment]) -> None:
    """Tell each newly sampled assessment's assessor, with a link to that marking, and its
    learner. The learner is told too because IQA sampling is part of how their qualification
    is assured and is not hidden from them: centres tell learners at induction that their work
    may be sampled, and the IQA may ask to talk with them about it. The notice says their
    result stands and asks nothing of them, so it informs without alarming. (Standardisation
    is different: a comparison of assessors the learner never sees.)"""
    if not sampled:
        return
    learners = dict(
        db.session.execute(
            sa.select(Portfolio.id, User)
            .join(User, User.id == Portfolio.learner_id)
            .where(Portfolio.id.in_({a.submission.portfolio_id for a in sampled}))
        ).all()
    )
    iqa_name = plan.iqa.full_name
    for assessment in sampled:
        learner = learners[assessment.submission.portfolio_id]
        number = assessment.submission.number
        notify(
            assessment.assessor,
            kind="sampled",
            message=(
                f"{iqa_name} (IQA) has sampled your assessment of {learner.full_name}'s "
                f"version {number}. You will be told when their review is complete."
            ),
            link=link_to("review.bench", submission_id=assessment.submission_id),
        )
        # a returned version's learner has been told to resubmit: "you need do nothing" would
        # contradict that notice, so theirs says to carry on with the feedback
        stands = (
            "Your feedback stands: carry on acting on it and resubmit as it asks"
            if assessment.status == AssessmentStatus.RETURNED
            else "Your result stands and you need do nothing"
        )
        notify(
            learner,
            kind="sampled",
            message=(
                f"The assessment of version {number} of your portfolio was chosen for internal "
                f"quality assurance: the IQA checks how it was assessed. {stands}, though the "
                "IQA may ask to talk with you about your work."
            ),
            link=link_to("review.feedback", assessment_id=assessment.id),
        )


# --- reviewing a sample -------------------------------------------------------------------


def _require_plan_iqa(sample: Sample, user: User) -> None:
    if user.id != sample.plan.iqa_id:
        raise IqaError("Only the IQA whose plan chose this sample can review it.")


def start_review(sample: Sample, *, by: User) -> IqaReview:
    """The IQA's review of a sample, begun on first use (idempotent)."""
    _require_plan_iqa(sample, by)
    if sample.review is not None:
        return sample.review
    review = IqaReview(sample=sample, iqa_id=by.id)
    db.session.add(review)
    db.session.flush()
    return review


def save_verdicts(
    review: IqaReview,
    verdicts: Mapping[int, tuple[bool | None, str]],
    *,
    overall_feedback: str,
    actions: str,
    expected_version: int | None,
    by: User | None = None,
) -> IqaReview:
    """Record the IQA's verdicts: {criterion id: (agrees, feedback)} on the criteria the assessor
    decided, with overall feedback and actions for the assessor. A verdict given before is
    replaced; one not named stays as it was. Refused, with nothing changed, when the review was
    saved since `expected_version`, is complete, names a criterion outside the unit or one the
    assessor did not decide, disagrees without saying why, or has feedback with no verdict
    chosen (agrees None: the feedback would otherwise be dropped)."""
    sample = review.sample
    if by is not None:
        _require_plan_iqa(sample, by)
    if review.status != IqaReviewStatus.IN_PROGRESS:
        raise IqaError("This review is complete: its verdicts are on the decision log.")
    if expected_version != review.version:
        raise StaleReview()
    assessment = sample.assessment
    unit_id = assessment.submission.portfolio.unit_id
    decided = queries.decisions_of(assessment)
    unit_criteria = {c.id: c for c in criteria_of(unit_id)}
    cleaned: dict[int, tuple[bool, str]] = {}
    unexplained: list[Criterion] = []
    unchosen: list[Criterion] = []
    for criterion_id, (agree, feedback) in verdicts.items():
        criterion = unit_criteria.get(criterion_id)
        if criterion is None:
            raise IqaError(
                "A criterion in the form does not belong to this unit. Nothing was saved."
            )
        if criterion_id not in decided:
            raise IqaError(
                f"The assessor made no decision on {criterion.ref}, so there is nothing to agree "
                "or disagree with. Nothing was saved."
            )
        text = _clean(
            feedback, label=f"Feedback on {criterion.ref}", field=f"feedback_{criterion_id}"
        )
        if agree is None:  # feedback written but no verdict chosen: refused, not dropped
            if text:
                unchosen.append(criterion)
            continue
        if not agree and not text:
            unexplained.append(criterion)
        cleaned[criterion_id] = (bool(agree), text)
    if unchosen:
        refs = [c.ref for c in sorted(unchosen, key=lambda c: list(unit_criteria).index(c.id))]
        raise IqaError(
            f"Choose Agree or Disagree on {', '.join(refs)} to keep your feedback there. "
            "Nothing was saved.",
            {
                f"verdict_{c.id}": f"Choose Agree or Disagree on {c.ref} to keep your feedback."
                for c in unchosen
            },
        )
    if unexplained:
        refs = [c.ref for c in sorted(unexplained, key=lambda c: list(unit_criteria).index(c.id))]
        raise IqaError(
            f"Say why you disagree with the decision on {', '.join(refs)}: the assessor needs "
            "your reasons to act on them. Nothing was saved.",
            {f"feedback_{c.id}": f"Say why you disagree on {c.ref}." for c in unexplained},
        )
    overall = _clean(overall_feedback, label="Overall feedback")
    actions_text = _clean(actions, label="Actions for the assessor")

    existing = {v.criterion_id: v for v in review.verdicts}
    for criterion_id, (agree, text) in cleaned.items():
        verdict = existing.get(criterion_id)
        if verdict is None:
            review.verdicts.append(
                IqaVerdict(criterion_id=criterion_id, agree=agree, feedback=text)
            )
        else:
            verdict.agree, verdict.feedback = agree, text
    review.overall_feedback = overall
    review.actions = actions_text
    sa.orm.attributes.flag_modified(review, "overall_feedback")  # every save is a new version
    try:
        db.session.flush()
    except (StaleDataError, sa.exc.IntegrityError):
        raise StaleReview() from None
    return review


def corrections_seen(assessment: Assessment) -> int:
    """The log position of the latest correction of the assessment's decisions (0 if none).
    The sample page carries it, so that a save can tell the decisions changed under it."""
    entries = queries.corrections_of([assessment])[assessment.id]
    return entries[-1].seq if entries else 0


def _refuse_if_corrected_since(assessment: Assessment, seen: int) -> None:
    """A verdict is on the decision the IQA was shown. A correction since the page was opened
    clears a verdict already saved on it (clear_verdicts_on_correction), but a verdict still
    only on the page, or a first save before any review existed, would be stored against a
    decision the IQA never saw; such a save is refused, naming the criteria."""
    newer = [e for e in queries.corrections_of([assessment])[assessment.id] if e.seq > seen]
    if not newer:
        return
    refs = sorted({e.payload["criterion"] for e in newer}, key=_ref_key)
    named = ", ".join(refs)
    message = (
        f"The assessor corrected the decision on {named} after you opened this page, so "
        "nothing was saved: a verdict here would have been on the decision as it was. Your "
        "text is still below: copy anything you need, reload the page to see the corrected "
        f"decision{'s' if len(refs) > 1 else ''}, then give your verdicts again."
    )
    by_ref = {e.payload["criterion"]: e.payload["criterion_id"] for e in newer}
    raise IqaError(
        message,
        {
            f"verdict_{by_ref[r]}": f"The assessor corrected the decision on {r} after you "
            "opened the page."
            for r in refs
        },
    )


def _ref_key(ref: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in ref.split("."))


def save_sample_verdicts(
    sample: Sample,
    verdicts: Mapping[int, tuple[bool | None, str]],
    *,
    by: User,
    overall_feedback: str,
    actions: str,
    expected_version: int | None,
    corrections_seen: int | None = None,
) -> IqaReview:
    """save_verdicts from the sample's page: `expected_version` None means the page showed no
    review yet, so one is started; if another tab started one meanwhile, the save is stale.
    With `corrections_seen` (the page's), a decision corrected since then refuses the save."""
    if corrections_seen is not None:
        _refuse_if_corrected_since(sample.assessment, corrections_seen)
    if sample.review is None:
        if expected_version is not None:
            raise StaleReview()
        review = start_review(sample, by=by)
        expected_version = review.version
    return save_verdicts(
        sample.review,
        verdicts,
        overall_feedback=overall_feedback,
        actions=actions,
        expected_version=expected_version,
        by=by,
    )


def clear_verdicts_on_correction(assessment: Assessment, criterion: Criterion, *, by: User) -> int:
    """After the assessor corrects a decision, a review still in progress must not keep a
    verdict given on the decision as it was, or completing it would record agreement with a
    decision the IQA never saw. The verdict is cleared, the review's version moves on (a page
    opened before refuses to save over it) and the IQA is told to give it again. A completed
    review keeps its verdicts: the sample page shows what they were given on. Returns how many
    verdicts were cleared."""
    reviews = db.session.scalars(
        sa.select(IqaReview)
        .join(Sample, Sample.id == IqaReview.sample_id)
        .where(
            Sample.assessment_id == assessment.id,
            IqaReview.status == IqaReviewStatus.IN_PROGRESS,
        )
    )
    cleared = 0
    for review in reviews:
        verdict = next((v for v in review.verdicts if v.criterion_id == criterion.id), None)
        if verdict is None:
            continue
        review.verdicts.remove(verdict)
        sa.orm.attributes.flag_modified(review, "overall_feedback")  # a new version
        cleared += 1
        learner = assessment.submission.portfolio.learner
        # the verdict's feedback is kept nowhere else: the notice quotes it (shortened to fit)
        said = " ".join(verdict.feedback.split())
        if len(said) > 160:
            said = said[:159].rstrip() + "…"
        notify(
            review.iqa,
            "verdict_cleared",
            f"{by.full_name} corrected the decision on {criterion.ref} in {learner.full_name}'s "
            f"version {assessment.submission.number} after you gave your verdict on it. Your "
            f"verdict ({'Agree' if verdict.agree else 'Disagree'}"
            f"{f': “{said}”' if said else ''}) was cleared: give it again on the corrected "
            "decision.",
            link_to("iqa.sample", sample_id=review.sample_id),
        )
    db.session.flush()
    return cleared


def criteria_without_verdict(review: IqaReview) -> list[Criterion]:
    """The criteria the assessor decided that the review has no verdict on yet, in the unit's
    order: what stands between a saved review and completing it."""
    assessment = review.sample.assessment
    decided = queries.decisions_of(assessment)
    given = {v.criterion_id for v in review.verdicts}
    return [
        c
        for c in criteria_of(assessment.submission.portfolio.unit_id)
        if c.id in decided and c.id not in given
    ]


def complete_review(review: IqaReview, *, by: User) -> IqaReview:
    """Finish the review: every criterion the assessor decided needs a verdict, and a
    disagreement needs actions for the assessor. The verdicts go on the decision log as an
    "iqa_verdict" entry, and the assessor is told."""
    sample = review.sample
    _require_plan_iqa(sample, by)
    if review.status != IqaReviewStatus.IN_PROGRESS:
        raise IqaError("This review is already complete.")
    assessment = sample.assessment
    decided = queries.decisions_of(assessment)
    criteria = {c.id: c for c in criteria_of(assessment.submission.portfolio.unit_id)}
    given = {v.criterion_id: v for v in review.verdicts}
    missing = [criteria[cid] for cid in criteria if cid in decided and cid not in given]
    if missing:
        raise IqaError(
            "Give a verdict on every criterion the assessor decided before completing: "
            f"{', '.join(c.ref for c in missing)} {'has' if len(missing) == 1 else 'have'} "
            "none yet.",
            {f"verdict_{c.id}": f"Agree or disagree on {c.ref}." for c in missing},
        )
    if any(not v.agree for v in given.values()) and not review.actions.strip():
        raise IqaError(
            "You disagree with at least one decision: set out the actions the assessor should "
            "take before completing.",
            {"actions": "Set out the actions the assessor should take."},
        )
    review.status = IqaReviewStatus.COMPLETED
    review.completed_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleReview() from None
    plan = sample.plan
    log.append(
        "iqa_verdict",
        actor=by,
        submission_id=assessment.submission_id,
        payload={
            "review_id": review.id,
            "sample_id": sample.id,
            "plan_id": plan.id,
            "plan": plan.name,
            "stage": plan.stage.value,
            "reason": sample.reason,
            "assessment_id": assessment.id,
            "assessor_id": assessment.assessor_id,
            "verdicts": [
                {
                    "criterion_id": cid,
                    "criterion": criterion.ref,
                    "assessor_decision": decided[cid].decision.value,
                    "corrected": decided[cid].corrected,
                    "agree": given[cid].agree,
                    "feedback": given[cid].feedback,
                }
                for cid, criterion in criteria.items()
                if cid in decided
            ],
            "overall_feedback": review.overall_feedback,
            "actions": review.actions,
        },
    )
    disagreed = sum(1 for v in given.values() if not v.agree)
    learner = assessment.submission.portfolio.learner
    notify(
        assessment.assessor,
        kind="iqa_verdict",
        message=(
            f"{by.full_name} (IQA) has reviewed your assessment of {learner.full_name}'s "
            f"version {assessment.submission.number}: "
            + (
                f"disagrees on {disagreed} {'criterion' if disagreed == 1 else 'criteria'}. "
                "Please read the actions and respond."
                if disagreed
                # a response is still awaited (the IQA's plan shows it as awaited), so ask
                else "agrees with every decision. Please read the review and respond."
            )
        ),
        link=link_to("iqa.respond", review_id=review.id),
    )
    return review


def respond(review: IqaReview, *, by: User, response: str) -> IqaReview:
    """The assessor's response to a completed review (only the assessor whose assessment was
    sampled, once). It goes on the decision log as an "assessor_response" entry, and the IQA
    is told."""
    assessment = review.sample.assessment
    if by.id != assessment.assessor_id:
        raise IqaError("Only the assessor whose assessment was sampled can respond.")
    if review.status == IqaReviewStatus.IN_PROGRESS:
        raise IqaError("The IQA has not completed this review yet.")
    if review.status == IqaReviewStatus.RESPONDED:
        raise IqaError("You have already responded to this review.")
    text = _clean(response, label="Your response")
    if not text:
        raise IqaError("Write your response: what you will do about the IQA's feedback.")
    review.assessor_response = text
    review.responded_at = utcnow()
    review.status = IqaReviewStatus.RESPONDED
    try:
        db.session.flush()
    except StaleDataError:
        raise IqaError(
            "This review changed while you were writing. Reload and try again."
        ) from None
    log.append(
        "assessor_response",
        actor=by,
        submission_id=assessment.submission_id,
        payload={
            "review_id": review.id,
            "assessment_id": assessment.id,
            "iqa_id": review.iqa_id,
            "response": text,
        },
    )
    # name the learner and version: an IQA reviewing several of this assessor's assessments
    # could not tell which review the notice was about
    learner = assessment.submission.portfolio.learner
    notify(
        review.iqa,
        kind="assessor_response",
        message=(
            f"{by.full_name} has responded to your review of their assessment of "
            f"{learner.full_name}'s version {assessment.submission.number}."
        ),
        link=link_to("iqa.sample", sample_id=review.sample_id),
    )
    return review


# --- standardisation ----------------------------------------------------------------------


def start_standardisation(
    submission: Submission, *, assessors: Iterable[User], by: User
) -> list[Assessment]:
    """Ask other assessors of the centre to mark the same submission for comparison only
    (STANDARDISATION assessments: they mark on the assessor bench, and the learner never sees
    them). The learner's own assessor is not asked (their primary marking is compared); an
    assessor already marking the submission is skipped. Returns the new markings."""
    learner = submission.portfolio.learner
    if by.role != Role.IQA or by.centre_id != learner.centre_id or learner.iqa_id != by.id:
        raise IqaError("Only the learner's IQA can start standardisation on their work.")
    chosen = list({a.id: a for a in assessors}.values())
    if not chosen:
        raise IqaError("Choose at least one assessor to mark this submission.")
    for assessor in chosen:
        if (
            assessor.role != Role.ASSESSOR
            or assessor.centre_id != learner.centre_id
            or not assessor.active
        ):
            raise IqaError(f"{assessor.full_name} is not an active assessor of this centre.")
        if assessor.id == learner.assessor_id:
            raise IqaError(
                f"{assessor.full_name} is {learner.full_name}'s own assessor: their marking "
                "is compared already. Choose other assessors."
            )
    marking = set(
        db.session.scalars(
            sa.select(Assessment.assessor_id).where(Assessment.submission_id == submission.id)
        )
    )
    fresh = [a for a in chosen if a.id not in marking]
    if not fresh:
        raise IqaError("Every assessor you chose is already marking this submission.")
    created = []
    for assessor in fresh:
        assessment = Assessment(
            submission_id=submission.id,
            assessor_id=assessor.id,
            kind=AssessmentKind.STANDARDISATION,
            status=AssessmentStatus.IN_PROGRESS,
        )
        db.session.add(assessment)
        created.append(assessment)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        raise IqaError(
            "Someone started a marking of this submission at the same time. Reload and try again."
        ) from None
    for assessment, assessor in zip(created, fresh, strict=True):
        notify(
            assessor,
            kind="standardisation",
            message=(
                f"Standardisation: {by.full_name} (IQA) asks you to mark {learner.full_name}'s "
                f"version {submission.number}, for comparison only: the learner never sees it."
            ),
            link=_standardisation_link(assessment),
        )
    return created


def _standardisation_link(assessment: Assessment) -> str:
    """Where the assessor marks: their bench (/assess/assessments/<id> leads there)."""
    return link_to("review.bench", assessment_id=assessment.id)


@dataclass(frozen=True)
class CriterionComparison:
    criterion: Criterion
    decisions: dict[int, Decision | None]  # assessor id -> decision (None: not decided)
    feedback: dict[int, str]
    agreement: SubjectAgreement


@dataclass(frozen=True)
class StandardisationReport:
    submission: Submission
    markers: list[Assessment]  # completed markings, compared
    pending: list[Assessment]  # markings still in progress, not compared yet
    rows: list[CriterionComparison]
    kappa: float | None  # Fleiss' kappa over the criteria every marker decided
    mean_agreement: float | None  # mean pair agreement over the criteria with 2+ decisions

    @property
    def differing(self) -> list[CriterionComparison]:
        return [row for row in self.rows if row.agreement.differs]


def standardisation_report(submission: Submission) -> StandardisationReport:
    """How the completed markings of a submission agree, criterion by criterion: each
    assessor's decision, the share of assessor pairs agreeing, where they differ, and Fleiss'
    kappa overall (see portfolio.review.agreement for the definitions and edge cases)."""
    assessments = queries.assessments_of(submission)
    markers = [a for a in assessments if a.status != AssessmentStatus.IN_PROGRESS]
    pending = [a for a in assessments if a.status == AssessmentStatus.IN_PROGRESS]
    effective = queries.decisions_of_each(markers)
    by_assessor = {a.assessor_id: effective[a.id] for a in markers}
    rows = []
    for criterion in criteria_of(submission.portfolio.unit_id):
        decisions = {
            aid: (d[criterion.id].decision if criterion.id in d else None)
            for aid, d in by_assessor.items()
        }
        feedback = {
            aid: d[criterion.id].feedback for aid, d in by_assessor.items() if criterion.id in d
        }
        rows.append(
            CriterionComparison(
                criterion=criterion,
                decisions=decisions,
                feedback=feedback,
                agreement=subject_agreement(decisions),
            )
        )
    subjects = [{aid: (d.value if d else None) for aid, d in r.decisions.items()} for r in rows]
    kappa = fleiss_kappa_of(subjects, [d.value for d in Decision]) if len(markers) >= 2 else None
    shares = [r.agreement.agreement for r in rows if r.agreement.agreement is not None]
    return StandardisationReport(
        submission=submission,
        markers=markers,
        pending=pending,
        rows=rows,
        kappa=kappa,
        mean_agreement=sum(shares) / len(shares) if shares else None,
    )
