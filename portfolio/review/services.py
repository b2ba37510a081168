"""Writes for assessment: opening a submission for marking, draft decisions, returning for
resubmission, sign-off with an e-signature, corrections (new log entries, never edits), the
learner's acknowledgement, and assessor-authored evidence.

Every completed action is written to the hash-chained decision log (`review.log.append`)."""

from datetime import date

from flask import current_app
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from portfolio import authz
from portfolio.accounts.models import User
from portfolio.auth.passwords import verify_password
from portfolio.control_characters import has_control_character
from portfolio.db import EARLIEST_DATE, utcnow
from portfolio.evidence import services as evidence_services
from portfolio.evidence.models import EvidenceItem, Portfolio, Submission, SubmissionStatus
from portfolio.evidence.services import EvidenceError
from portfolio.extensions import db
from portfolio.framework.models import Criterion
from portfolio.notifications.services import notify
from portfolio.review import log
from portfolio.review.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    CriterionDecision,
    Decision,
    DecisionLogEntry,
)
from portfolio.review.queries import (
    effective_decisions,
    evidenced_refs,
    find_assessment,
    is_latest,
    last_correction_seq,
    unit_criteria,
)
from portfolio.roles import Role

MAX_FEEDBACK = 10_000
# The bench's fields are read from the raw form, past the forms' plain_text check: PostgreSQL
# refuses a NUL (SQLite would store it), and the others show as garbage in the PDF.
CONTROL_CHARACTER = (
    "Remove the invisible control character from {} (it often comes with pasted text), "
    "then save again."
)


MAX_REASON = 2_000


class ReviewError(Exception):
    """An assessment rule was broken; the message is shown as it is and nothing is changed."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        # {bench field name: what is wrong there}, for messages beside the fields
        self.fields = fields or {}


class WrongPassword(ReviewError):
    """The re-entered password did not match: counted towards sign-in throttling."""

    def __init__(self) -> None:
        message = "That password is not right. Re-enter your password to sign off."
        super().__init__(message, {"password": message})


class StaleAssessment(ReviewError):
    """A save named an older version of the assessment than the one stored."""

    def __init__(self) -> None:
        super().__init__(
            "This assessment was saved elsewhere (another tab or device) after you opened it, "
            "so your changes were not applied. Your entries are still below: copy anything you "
            "need, reload the page to see the newer version, then make your change again."
        )


def link_to(endpoint: str, **values) -> str:
    """A path within the app, built without a request (services also run from the CLI)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _normal(name: str) -> str:
    return " ".join(name.split()).casefold()


def _learner(assessment: Assessment) -> User:
    return assessment.submission.portfolio.learner


def _require_marker(assessment: Assessment, by: User) -> None:
    """The assessment's own assessor, still entitled to mark the learner's work."""
    learner = _learner(assessment)
    if by.id != assessment.assessor_id or by.role != Role.ASSESSOR:
        raise ReviewError("Only the assessor who opened this assessment may change it.")
    if assessment.kind == AssessmentKind.PRIMARY and not authz.can_assess_learner(by, learner):
        raise ReviewError(f"You are not {learner.full_name}'s allocated assessor.")
    if not authz.same_centre(by, learner.centre_id):
        raise ReviewError("That learner belongs to another centre.")


def _require_open(assessment: Assessment) -> None:
    if assessment.completed:
        raise ReviewError(
            "This assessment is complete and its decisions are final. To change a decision, "
            "record a correction."
        )


def _require_awaiting(assessment: Assessment) -> None:
    """Return and sign-off act on the latest version, while it awaits assessment."""
    submission = assessment.submission
    if assessment.kind != AssessmentKind.PRIMARY:
        raise ReviewError("A standardisation marking is never returned or signed off.")
    if not is_latest(submission):
        raise ReviewError(
            f"Version {submission.number} has been replaced by a newer submission: mark that."
        )
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ReviewError(f"Version {submission.number} has already been assessed.")


def _require_evidence(
    assessment: Assessment, decisions: dict[int, Decision | None], criteria: list[Criterion]
) -> None:
    """Competent needs evidence: refuse it for any criterion with nothing mapped to it in the
    version being marked (nor in an assessor record the bench shows beside it)."""
    competent = {cid for cid, d in decisions.items() if d == Decision.COMPETENT}
    if not competent:
        return
    evidenced = evidenced_refs(assessment)
    bare = [c for c in criteria if c.id in competent and c.ref not in evidenced]
    if bare:
        raise ReviewError(
            f"No evidence is mapped to {', '.join(c.ref for c in bare)} in version "
            f"{assessment.submission.number}, so {'it' if len(bare) == 1 else 'they'} cannot "
            "be judged Competent. Choose Not yet competent and say what evidence is needed. "
            "Nothing was saved.",
            {
                f"decision_{c.id}": f"No evidence is mapped to {c.ref}: it cannot be Competent."
                for c in bare
            },
        )


def open_assessment(submission: Submission, *, by: User) -> Assessment:
    """Open (or reopen) the assessor's marking of a submission. Only the learner's allocated
    assessor, only the latest version, and one assessment per assessor and version."""
    learner = submission.portfolio.learner
    if not authz.can_assess_learner(by, learner):
        raise ReviewError(f"Only {learner.full_name}'s allocated assessor marks their work.")
    existing = find_assessment(submission, by)
    if existing is not None:
        return existing
    if not is_latest(submission):
        raise ReviewError(
            f"Version {submission.number} has been replaced by a newer submission: mark that."
        )
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ReviewError(f"Version {submission.number} has already been assessed.")
    assessment = Assessment(submission=submission, assessor=by, kind=AssessmentKind.PRIMARY)
    db.session.add(assessment)
    db.session.flush()
    return assessment


def _decision(value) -> Decision | None:
    if value is None or value == "":
        return None
    try:
        return Decision(value)
    except ValueError as exc:
        raise ReviewError(
            f"“{value}” is not a decision: choose Competent or Not yet competent."
        ) from exc


def save_decisions(
    assessment: Assessment,
    decisions: dict[int, tuple[Decision | str | None, str]],
    *,
    overall_feedback: str,
    expected_version: int | None,
    by: User | None = None,
) -> Assessment:
    """Save draft decisions {criterion id: (decision, feedback)} and the overall feedback.

    A decision of None clears that criterion's draft. Refused, with nothing saved, when the
    assessment is complete, when `expected_version` is not the stored version (another tab
    saved first), or when any criterion is not one of the portfolio's unit."""
    if by is not None:
        _require_marker(assessment, by)
    _require_open(assessment)
    if expected_version is not None and expected_version != assessment.version:
        raise StaleAssessment()
    unit = {c.id: c for c in unit_criteria(assessment.submission.portfolio)}
    outside = sorted(str(cid) for cid in decisions if cid not in unit)
    if outside:
        raise ReviewError(
            "The form named a criterion that is not part of this unit "
            f"({', '.join(outside)}). Nothing was saved."
        )
    cleaned: dict[int, tuple[Decision | None, str]] = {}
    for cid, (value, feedback) in decisions.items():
        decision, feedback = _decision(value), (feedback or "").strip()
        if len(feedback) > MAX_FEEDBACK:
            message = f"Keep the feedback on {unit[cid].ref} to {MAX_FEEDBACK:,} characters."
            raise ReviewError(message, {f"feedback_{cid}": message})
        if has_control_character(feedback):
            message = CONTROL_CHARACTER.format(f"the feedback on {unit[cid].ref}")
            raise ReviewError(message, {f"feedback_{cid}": message})
        if decision is None and feedback:
            message = (
                f"Choose Competent or Not yet competent for {unit[cid].ref} to keep its feedback."
            )
            raise ReviewError(message, {f"decision_{cid}": message})
        cleaned[cid] = (decision, feedback)
    _require_evidence(assessment, {cid: d for cid, (d, _) in cleaned.items()}, list(unit.values()))
    overall_feedback = (overall_feedback or "").strip()
    if len(overall_feedback) > MAX_FEEDBACK:
        message = f"Keep the overall feedback to {MAX_FEEDBACK:,} characters."
        raise ReviewError(message, {"overall_feedback": message})
    if has_control_character(overall_feedback):
        message = CONTROL_CHARACTER.format("the overall feedback")
        raise ReviewError(message, {"overall_feedback": message})
    stored = {d.criterion_id: d for d in assessment.decisions}
    for cid, (decision, feedback) in cleaned.items():
        row = stored.get(cid)
        if decision is None:
            if row is not None:
                assessment.decisions.remove(row)
        elif row is None:
            assessment.decisions.append(
                CriterionDecision(criterion_id=cid, decision=decision, feedback=feedback)
            )
        elif (row.decision, row.feedback) != (decision, feedback):
            row.decision, row.feedback = decision, feedback
    assessment.overall_feedback = overall_feedback
    flag_modified(assessment, "overall_feedback")  # every save moves the version on
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise StaleAssessment() from exc
    return assessment


def _decided(assessment: Assessment) -> dict[int, CriterionDecision]:
    return {d.criterion_id: d for d in assessment.decisions}


def _require_evidence_for_all(assessment: Assessment, criteria: list[Criterion]) -> None:
    _require_evidence(
        assessment, {cid: d.decision for cid, d in _decided(assessment).items()}, criteria
    )


def _not_yet_without_feedback(assessment: Assessment, criteria: list[Criterion]) -> list:
    """The criteria judged Not yet competent with no feedback saying what to do."""
    decided = _decided(assessment)
    return [
        c
        for c in criteria
        if c.id in decided
        and decided[c.id].decision == Decision.NOT_YET
        and not decided[c.id].feedback.strip()
    ]


def _require_feedback_where_not_yet(assessment: Assessment, criteria: list[Criterion]) -> None:
    missing = _not_yet_without_feedback(assessment, criteria)
    if missing:
        raise ReviewError(
            "Say what the learner needs to do for each criterion judged Not yet competent "
            f"({', '.join(c.ref for c in missing)}).",
            {f"feedback_{c.id}": f"Say what the learner needs to do for {c.ref}." for c in missing},
        )


def _log_decisions(assessment: Assessment, criteria: list[Criterion], by: User) -> dict[str, str]:
    """One log entry per decision; returns {criterion ref: decision} for the closing entry."""
    decided = _decided(assessment)
    summary = {}
    for criterion in criteria:
        row = decided.get(criterion.id)
        if row is None:
            continue
        log.append(
            "decision",
            actor=by,
            submission_id=assessment.submission_id,
            payload={
                "assessment_id": assessment.id,
                "submission_number": assessment.submission.number,
                "criterion_id": criterion.id,
                "criterion": criterion.ref,
                "decision": row.decision.value,
                "feedback": row.feedback,
            },
        )
        summary[criterion.ref] = row.decision.value
    return summary


def _closing_payload(assessment: Assessment, decisions: dict[str, str]) -> dict:
    submission = assessment.submission
    return {
        "assessment_id": assessment.id,
        "learner_id": submission.portfolio.learner_id,
        "submission_number": submission.number,
        "snapshot_hash": submission.snapshot_hash,
        "overall_feedback": assessment.overall_feedback,
        "decisions": decisions,
    }


def return_for_resubmission(assessment: Assessment, *, by: User) -> Assessment:
    """Complete the assessment as "needs more": the decisions go on the log, the version is
    returned, and the learner is told. Overall feedback is required."""
    _require_marker(assessment, by)
    _require_open(assessment)
    _require_awaiting(assessment)
    criteria = unit_criteria(assessment.submission.portfolio)
    if not assessment.overall_feedback.strip():
        message = (
            "Write your overall feedback before you return the work: the learner needs to know "
            "what to do next."
        )
        # criteria judged Not yet with no feedback are said too, not on the next try
        if missing := _not_yet_without_feedback(assessment, criteria):
            raise ReviewError(
                "Write your overall feedback, and say what the learner needs to do for each "
                f"criterion judged Not yet competent ({', '.join(c.ref for c in missing)}), "
                "before you return the work.",
                {"overall_feedback": message}
                | {
                    f"feedback_{c.id}": f"Say what the learner needs to do for {c.ref}."
                    for c in missing
                },
            )
        raise ReviewError(message, {"overall_feedback": message})
    _require_feedback_where_not_yet(assessment, criteria)
    _require_evidence_for_all(assessment, criteria)
    decisions = _log_decisions(assessment, criteria, by)
    log.append(
        "return",
        actor=by,
        submission_id=assessment.submission_id,
        payload=_closing_payload(assessment, decisions),
    )
    assessment.status = AssessmentStatus.RETURNED
    assessment.completed_at = utcnow()
    assessment.submission.status = SubmissionStatus.RETURNED
    notify(
        _learner(assessment),
        "returned",
        f"{by.full_name} returned version {assessment.submission.number} of your portfolio "
        "with feedback. Read it, then resubmit.",
        link_to("review.feedback", assessment_id=assessment.id),
    )
    db.session.flush()
    return assessment


# The assessment cycle ends in feedback: the learner reads it with the result, and the IQA and
# EQA read it as the assessor's account of the judgement.
_SIGN_OFF_FEEDBACK = (
    "before you sign off: the learner reads it with the result, and the IQA reads it as your "
    "account of the judgement."
)


def require_feedback_to_sign_off(assessment: Assessment) -> None:
    """Refuse, naming the overall feedback field, to go on from the bench to sign-off with no
    overall feedback: the sign-off would be refused for it, a round trip back to the bench."""
    if not assessment.overall_feedback.strip():
        message = f"Write your overall feedback {_SIGN_OFF_FEEDBACK}"
        raise ReviewError(message, {"overall_feedback": message})


def sign_off(
    assessment: Assessment,
    *,
    by: User,
    signed_name: str,
    password: str,
    expected_version: int | None = None,
) -> Assessment:
    """Sign the unit off with an e-signature: every criterion decided Competent, the overall
    feedback written, the assessor's full name typed and their password re-entered."""
    _require_marker(assessment, by)
    _require_open(assessment)
    _require_awaiting(assessment)
    if expected_version is not None and expected_version != assessment.version:
        raise StaleAssessment()
    criteria = unit_criteria(assessment.submission.portfolio)
    decided = _decided(assessment)
    undecided = [c.ref for c in criteria if c.id not in decided]
    if undecided:
        raise ReviewError(
            f"Decide every criterion before you sign off: {', '.join(undecided)} "
            f"{'is' if len(undecided) == 1 else 'are'} still undecided."
        )
    not_yet = [c.ref for c in criteria if decided[c.id].decision != Decision.COMPETENT]
    if not_yet:
        raise ReviewError(
            "Sign-off means every criterion is met, but "
            f"{', '.join(not_yet)} {'is' if len(not_yet) == 1 else 'are'} judged Not yet "
            "competent. Return the work for resubmission instead."
        )
    _require_evidence_for_all(assessment, criteria)
    if not assessment.overall_feedback.strip():
        raise ReviewError(f"Write your overall feedback on the marking bench {_SIGN_OFF_FEEDBACK}")
    if _normal(signed_name or "") != _normal(by.full_name):
        message = f"Type your full name exactly as it is on your account ({by.full_name}) to sign."
        raise ReviewError(message, {"signed_name": message})
    if not verify_password(by.password_hash, password or ""):
        raise WrongPassword()
    signed_at = utcnow()
    decisions = _log_decisions(assessment, criteria, by)
    log.append(
        "sign_off",
        actor=by,
        submission_id=assessment.submission_id,
        payload=_closing_payload(assessment, decisions)
        | {"signed_name": signed_name.strip(), "signed_at": signed_at.isoformat()},
    )
    assessment.status = AssessmentStatus.SIGNED_OFF
    assessment.signed_name = " ".join(signed_name.split())
    assessment.completed_at = signed_at
    assessment.submission.status = SubmissionStatus.SIGNED_OFF
    notify(
        _learner(assessment),
        "signed_off",
        f"{by.full_name} signed off version {assessment.submission.number} of your portfolio: "
        "every criterion is met. Read the feedback.",
        link_to("review.feedback", assessment_id=assessment.id),
    )
    db.session.flush()
    return assessment


def complete_standardisation(assessment: Assessment, *, by: User) -> Assessment:
    """Finish a standardisation marking (for comparison only; the learner never sees it):
    every criterion decided, each decision and the completion go on the log."""
    _require_marker(assessment, by)
    _require_open(assessment)
    if assessment.kind != AssessmentKind.STANDARDISATION:
        raise ReviewError("Return or sign off your own learner's work instead.")
    criteria = unit_criteria(assessment.submission.portfolio)
    undecided = [c.ref for c in criteria if c.id not in _decided(assessment)]
    if undecided:
        raise ReviewError(f"Decide every criterion first: {', '.join(undecided)} still undecided.")
    _require_evidence_for_all(assessment, criteria)
    decisions = _log_decisions(assessment, criteria, by)
    log.append(
        "standardisation",
        actor=by,
        submission_id=assessment.submission_id,
        payload=_closing_payload(assessment, decisions),
    )
    assessment.status = AssessmentStatus.COMPLETED
    assessment.completed_at = utcnow()
    # Only the learner's IQA starts standardisation: tell them the comparison has grown.
    submission = assessment.submission
    learner = submission.portfolio.learner
    if learner.iqa_id is not None:
        notify(
            learner.iqa,
            "standardisation_marked",
            f"Standardisation: {by.full_name} finished marking {learner.full_name}'s version "
            f"{submission.number}. See how the markings agree.",
            link_to("iqa.standardisation", submission_id=submission.id),
        )
    db.session.flush()
    return assessment


def correct_decision(
    assessment: Assessment,
    criterion: Criterion,
    *,
    decision: Decision | str,
    feedback: str,
    reason: str,
    by: User,
    seen: int | None = None,
) -> DecisionLogEntry:
    """Correct a decision of a completed assessment. The stored decision never changes: the
    correction is a new log entry, and the effective decision is the latest correction. An IQA
    verdict on the decision in a review still in progress is cleared, and the IQA told
    (``iqa.clear_verdicts_on_correction``). With `seen` (the page's last_correction_seq), a
    correction made elsewhere since the page was opened refuses this one."""
    if by.id != assessment.assessor_id or not authz.same_centre(by, _learner(assessment).centre_id):
        raise ReviewError("Only the assessor who made a decision may correct it.")
    if not assessment.completed:
        raise ReviewError("This assessment is still in progress: change the decision itself.")
    if criterion.unit_id != assessment.submission.portfolio.unit_id:
        raise ReviewError("That criterion is not part of this unit. Nothing was changed.")
    if seen is not None and seen != last_correction_seq(assessment, criterion.id):
        # the page showed the decision before another tab's correction: this one would undo it
        message = (
            f"The decision on {criterion.ref} was corrected elsewhere (another tab or device) "
            "after you opened this page, so your correction was not recorded. Reload the page "
            "to see it, then correct it again if you still need to."
        )
        raise ReviewError(message, {"decision": message})
    # the fields named are the correction form's: decision, feedback, reason
    new = _decision(decision)
    if new is None:
        message = "Choose Competent or Not yet competent for the corrected decision."
        raise ReviewError(message, {"decision": message})
    feedback, reason = (feedback or "").strip(), (reason or "").strip()
    if not reason:
        message = "Say why the decision is being corrected."
        raise ReviewError(message, {"reason": message})
    if len(reason) > MAX_REASON or len(feedback) > MAX_FEEDBACK:
        raise ReviewError("The reason or the feedback is too long.")
    if new == Decision.NOT_YET and not feedback:
        message = f"Say what the learner needs to do for {criterion.ref}."
        raise ReviewError(message, {"feedback": message})
    try:
        _require_evidence(assessment, {criterion.id: new}, [criterion])
    except ReviewError as exc:
        raise ReviewError(exc.message, {"decision": exc.message}) from None
    current = effective_decisions(assessment).get(criterion.id)
    if current is not None and (current.decision, current.feedback) == (new, feedback):
        message = f"That is already the decision on {criterion.ref}: nothing to correct."
        raise ReviewError(message, {"decision": message})
    entry = log.append(
        "correction",
        actor=by,
        submission_id=assessment.submission_id,
        payload={
            "assessment_id": assessment.id,
            "submission_number": assessment.submission.number,
            "criterion_id": criterion.id,
            "criterion": criterion.ref,
            "decision": new.value,
            "feedback": feedback,
            "reason": reason,
            "previous_decision": current.decision.value if current else None,
        },
    )
    # Imported here: the IQA's services build on these (a module-level import is a cycle).
    from portfolio.review.iqa import clear_verdicts_on_correction

    clear_verdicts_on_correction(assessment, criterion, by=by)
    if assessment.kind == AssessmentKind.PRIMARY:
        notify(
            _learner(assessment),
            "correction",
            f"{by.full_name} corrected the decision on {criterion.ref} "
            f"(version {assessment.submission.number}): now {new.label}.",
            link_to("review.feedback", assessment_id=assessment.id),
        )
    return entry


def acknowledge(assessment: Assessment, *, by: User) -> Assessment:
    """The learner confirms they have read the feedback (once; again changes nothing)."""
    learner = _learner(assessment)
    if by.id != learner.id or assessment.kind != AssessmentKind.PRIMARY:
        raise ReviewError("Only the learner acknowledges their feedback.")
    if not assessment.completed:
        raise ReviewError("There is no feedback to acknowledge yet.")
    if assessment.acknowledged_at is not None:
        return assessment
    assessment.acknowledged_at = utcnow()
    log.append(
        "acknowledgement",
        actor=by,
        submission_id=assessment.submission_id,
        payload={"assessment_id": assessment.id, "learner_id": learner.id},
    )
    db.session.flush()
    return assessment


def record_assessor_evidence(
    portfolio: Portfolio,
    *,
    source: str,
    title: str,
    body: str,
    occurred_on: date,
    by: User,
) -> EvidenceItem:
    """The allocated assessor's record of a professional discussion, an observation or
    questioning, added to the learner's portfolio; it is then mapped like any other item."""
    if not authz.can_assess_learner(by, portfolio.learner):
        raise ReviewError(
            f"Only {portfolio.learner.full_name}'s allocated assessor adds assessor evidence."
        )
    if occurred_on > date.today():
        message = "The date of the record cannot be in the future."
        raise ReviewError(message, {"occurred_on": message})
    if occurred_on < EARLIEST_DATE:
        # a date input takes any year from 1: "1 Jan 1" is a mistyped year, not a discussion
        message = f"The date of the record says the year {occurred_on.year}: check the year."
        raise ReviewError(message, {"occurred_on": message})
    try:
        item = evidence_services.add_assessor_evidence(
            portfolio, source=source, title=title, body=body, occurred_on=occurred_on, by=by
        )
    except EvidenceError as exc:
        raise ReviewError(exc.message) from exc
    notify(
        portfolio.learner,
        "assessor_evidence",
        f"{by.full_name} added “{item.title}” to your portfolio.",
        link_to("evidence.item", portfolio_id=portfolio.id, item_id=item.id),
    )
    return item
