"""Worked portfolios for the export tests and the PDF benchmark: cases on the bundled scenarios
worked end to end (documents, interviews, findings, root cause, remedy, a sent letter and the
customer's reply, outcome, knowledge, reflection, analyses and recommendations), workplace
uploads, every proposed mapping confirmed, a submission, then an assessor's signed-off decisions
and an IQA's verdict, each written to the decision log."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import sqlalchemy as sa

from portfolio.accounts.models import User
from portfolio.analysis import AnalysisParams
from portfolio.casework import services as casework
from portfolio.casework.models import Case
from portfolio.casework.queries import choice_of, record_data, spec_for
from portfolio.casework.remedy import needs_authorisation
from portfolio.db import utcnow
from portfolio.evidence import services as evidence
from portfolio.evidence.models import EvidenceItem, Portfolio, Submission, SubmissionStatus
from portfolio.extensions import db
from portfolio.framework.models import Criterion
from portfolio.framework.services import import_unit
from portfolio.improvement import services as improvement
from portfolio.library.models import LibraryScenario
from portfolio.library.services import import_scenario
from portfolio.review import log
from portfolio.review.models import (
    Assessment,
    AssessmentStatus,
    CriterionDecision,
    Decision,
    IqaReview,
    IqaReviewStatus,
    IqaVerdict,
    Sample,
    SampleStage,
    SamplingPlan,
)
from portfolio.scenarios.loader import load_bundle

BUNDLE_DIR = Path(__file__).resolve().parents[2] / "scenarios"
RETAIL = "retail-faulty-goods"
REPLY_MARK = "customer"  # the simulated reply always addresses the customer's situation


@cache
def _bundle():
    criteria, specs = load_bundle(BUNDLE_DIR)
    return tuple(criteria), {spec.slug: spec for spec in specs}


def import_bundled(slugs: tuple[str, ...] | None = None) -> dict[str, LibraryScenario]:
    """The unit and the chosen bundled scenarios (all by default), published site-wide."""
    criteria, specs = _bundle()
    for unit in criteria:
        import_unit(unit)
    chosen = slugs or tuple(sorted(specs))
    return {
        slug: import_scenario(specs[slug], centre=None, publish=True).version.scenario
        for slug in chosen
    }


def png_bytes(width: int = 24, height: int = 16, colour: tuple[int, int, int] = (44, 93, 138)):
    """A small valid PNG, made without any imaging library."""
    raw = b"".join(b"\x00" + bytes(colour) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    out = io.BytesIO()
    out.write(b"\x89PNG\r\n\x1a\n")
    out.write(chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return out.getvalue()


def strong_letter(case: Case, extra: str = "") -> str:
    """A final response that says what each of the scenario's requirements looks for."""
    spec = spec_for(case)
    lines = [
        "Dear customer,",
        "",
        "Thank you for your patience while I investigated your complaint. I am sorry for what "
        "went wrong. I have read your account, our records and the notes of everyone involved, "
        "and I have found what caused the problem.",
    ]
    for requirement in spec.customer_reply.requirements:
        if requirement.kind == "letter_mentions":
            lines.append(f"On this point: {(requirement.any_of or ('',))[0]}.")
    if extra:
        lines += ["", extra]
    lines += ["", "Yours sincerely,", "Complaints Specialist"]
    return "\n".join(lines)


def work_case(
    case: Case,
    *,
    letter_extra: str = "",
    reflection: str = "I learnt to test each account against the documents before deciding.",
    finding: str = "The records show the fault was reported within the first month.",
    analyses: int = 1,
    rounds_of_questions: int = 1,
    drafts: int = 0,
) -> None:
    """Work a case from referral to recommendations."""
    spec = spec_for(case)
    for i, document in enumerate(spec.documents):
        casework.request_document(case, document.id)
        if i < 3:
            casework.pin_finding(
                case, text=f"{finding} ({document.title})", document_id=document.id
            )
    for _ in range(rounds_of_questions):
        for person in spec.stakeholders:
            for question in person.questions:
                casework.ask_question(case, person.id, question.id)
    for day in range(3):
        casework.add_timeline_entry(
            case,
            occurred_on=date(2026, 3, 1) + timedelta(days=7 * day),
            description=f"Contact {day + 1} with the customer about the complaint",
        )
    casework.save_record(
        case,
        "root_cause",
        {
            "method": "five_whys",
            "symptom": "The customer was told the fault was their own",
            "why_1": "The agent read the wrong note",
            "why_2": "The note was never updated",
            "why_3": "Nobody owns the note",
            "root_cause": "No owner for the repair notes, so stale notes mislead agents",
        },
        expected_version=None,
    )
    casework.save_record(
        case, "summary", {"summary": "The complaint is upheld in full."}, expected_version=None
    )
    casework.save_record(
        case,
        "options",
        {
            "option_1_description": "Full refund and apology",
            "option_1_customer_pros": "Puts them back where they were",
            "option_1_organisation_cons": "Costs the full price",
            "option_2_description": "Repair only",
            "chosen": "1",
            "reasons": "The law entitles the customer to it.",
        },
        expected_version=None,
    )
    required = [
        r.remedy
        for r in spec.customer_reply.requirements
        if r.kind == "remedy_includes" and r.remedy
    ]
    casework.save_record(
        case,
        "remedy",
        {"remedy_ids": required, "notes": "All the required redress."},
        expected_version=None,
    )
    if needs_authorisation(spec, choice_of(record_data(case, "remedy")))[0]:
        casework.request_authorisation(case)  # a remedy beyond authority goes only once authorised
    for n in range(drafts):
        casework.save_record(
            case,
            "letter",
            {"text": f"Draft {n}"},
            expected_version=None if n == 0 else n,
            draft=True,
        )
    letter = strong_letter(case, letter_extra)
    from portfolio.casework.queries import records_of

    stored = records_of(case).get("letter")
    casework.save_record(
        case, "letter", {"text": letter}, expected_version=stored.version if stored else None
    )
    casework.send_response(case)
    casework.save_record(
        case,
        "outcome",
        {"outcome": "The customer accepted the refund.", "follow_up": "Checked it was paid."},
        expected_version=None,
    )
    casework.save_record(
        case,
        "knowledge",
        {
            f"answer_{q.id}": f"My own answer on {q.criterion}: the rules and how I apply them."
            for q in spec.knowledge_questions
        },
        expected_version=None,
    )
    casework.save_record(case, "reflection", {"text": reflection}, expected_version=None)
    choices = [
        {"measure": "cost"},
        {"measure": "count"},
        {"measure": "cost", "group_by": "month"},
        {"measure": "count", "group_by": "month"},
    ]
    saved = []
    for n in range(analyses):
        params = AnalysisParams(**choices[n % len(choices)])
        saved.append(
            improvement.save_analysis(
                case,
                params=params,
                title=f"Analysis {n + 1}: {params.group_by} by {params.measure}",
                commentary="The largest category dominates; it is where to act first.",
            )
        )
    if not saved:
        return
    improvement.save_recommendation(
        case,
        analysis_id=saved[0].id,
        fields={
            "change": "Give the repair notes an owner and review them weekly.",
            "owner": "Head of Customer Service",
            "benefit": "Fewer complaints from stale notes.",
            "measure": "Complaints citing wrong information per month.",
            "target": "Halve them",
            "by_when": "End of next quarter",
            "root_cause_link": "Removes the unowned notes behind this complaint.",
            "other_customers": "Review every complaint answered from the old notes.",
        },
    )


def confirm_mappings(portfolio: Portfolio, justification: str) -> None:
    """Confirm every proposed mapping with a justification."""
    items = db.session.scalars(
        sa.select(EvidenceItem).where(EvidenceItem.portfolio_id == portfolio.id)
    ).all()
    for item in items:
        for mapping in list(item.mappings):
            evidence.set_mapping(
                item,
                mapping.criterion,
                justification=f"{justification} ({mapping.criterion.ref}, item {item.id})",
            )


def build_submission(
    learner: User,
    *,
    slugs: tuple[str, ...] = (RETAIL,),
    justification: str = "This shows how I met the criterion in my own work",
    letter_extra: str = "",
    reflection: str = "I learnt to test each account against the documents before deciding.",
    finding: str = "The records show the fault was reported within the first month.",
    analyses: int = 1,
    uploads: int = 1,
    assessor_items: int = 0,
    assessor: User | None = None,
    rounds_of_questions: int = 1,
    drafts: int = 0,
) -> Submission:
    """A learner's portfolio worked on the given scenarios and submitted (flushed)."""
    scenarios = import_bundled(slugs)
    portfolio = None
    for slug in slugs:
        case = casework.start_case(learner, scenarios[slug])
        work_case(
            case,
            letter_extra=letter_extra,
            reflection=reflection,
            finding=finding,
            analyses=analyses,
            rounds_of_questions=rounds_of_questions,
            drafts=drafts,
        )
        items = evidence.sync_case_items(case)
        portfolio = items[0].portfolio
    assert portfolio is not None
    for n in range(uploads):
        evidence.upload_evidence(
            portfolio,
            data=png_bytes(24 + n, 16, (44, 93 + n % 100, 138)),
            filename=f"workplace-screen-{n + 1}.png",
            title=f"Screenshot of a complaint I handled at work ({n + 1})",
            description="A redacted CRM screen from my own workplace.",
            occurred_on=date(2026, 1, 5),
            by=learner,
        )
    for n in range(assessor_items):
        evidence.add_assessor_evidence(
            portfolio,
            source="professional_discussion",
            title=f"Professional discussion {n + 1}",
            body="We discussed how the learner decided on the remedy and the deadline.\n" * 6,
            occurred_on=date(2026, 2, 1),
            by=assessor,
        )
    confirm_mappings(portfolio, justification)
    # Uploads and assessor records carry no proposed mapping: map each to the first criterion.
    first = db.session.scalar(
        sa.select(Criterion).where(Criterion.unit_id == portfolio.unit_id).order_by(Criterion.id)
    )
    for item in db.session.scalars(
        sa.select(EvidenceItem).where(
            EvidenceItem.portfolio_id == portfolio.id, EvidenceItem.case_id.is_(None)
        )
    ):
        evidence.set_mapping(item, first, justification=f"{justification} (workplace)")
    return evidence.submit(
        portfolio, declared_name=learner.full_name, declared_on=date.today(), by=learner
    )


def sign_off(
    submission: Submission,
    assessor: User,
    *,
    feedback: str = "Clear, well-evidenced work.",
    not_yet: tuple[str, ...] = (),
) -> Assessment:
    """The assessor's completed assessment: a decision per criterion, sign-off, log entry."""
    assessment = Assessment(
        submission=submission,
        assessor=assessor,
        overall_feedback=feedback,
        signed_name=assessor.full_name,
    )
    db.session.add(assessment)
    criteria = db.session.scalars(
        sa.select(Criterion)
        .where(Criterion.unit_id == submission.portfolio.unit_id)
        .order_by(Criterion.id)
    ).all()
    for criterion in criteria:
        met = criterion.ref not in not_yet
        assessment.decisions.append(
            CriterionDecision(
                criterion_id=criterion.id,
                decision=Decision.COMPETENT if met else Decision.NOT_YET,
                feedback=f"Feedback on {criterion.ref}: "
                + ("well evidenced." if met else "needs more evidence."),
            )
        )
    db.session.flush()
    assessment.status = AssessmentStatus.RETURNED if not_yet else AssessmentStatus.SIGNED_OFF
    assessment.completed_at = utcnow()
    submission.status = SubmissionStatus.RETURNED if not_yet else SubmissionStatus.SIGNED_OFF
    db.session.flush()
    # The log as review.services writes it: one entry per decision, then the closing entry.
    for criterion, decision in zip(criteria, assessment.decisions, strict=True):
        log.append(
            "decision",
            actor=assessor,
            submission_id=submission.id,
            payload={
                "assessment_id": assessment.id,
                "criterion_id": criterion.id,
                "criterion": criterion.ref,
                "decision": decision.decision.value,
                "feedback": decision.feedback,
            },
        )
    log.append(
        "return" if not_yet else "sign_off",
        actor=assessor,
        payload={"assessment_id": assessment.id, "signed_name": assessor.full_name},
        submission_id=submission.id,
    )
    return assessment


def iqa_verdict(assessment: Assessment, iqa: User, *, feedback: str = "Sound decisions.") -> None:
    """The IQA samples the assessment and agrees with it (one disagreement), logged."""
    plan = SamplingPlan(
        centre_id=iqa.centre_id, iqa=iqa, name="Summative sample", stage=SampleStage.SUMMATIVE
    )
    sample = Sample(plan=plan, assessment=assessment, reason="Every decision of a new assessor")
    review = IqaReview(
        sample=sample,
        iqa=iqa,
        status=IqaReviewStatus.COMPLETED,
        overall_feedback=feedback,
        actions="Add a sentence on the ombudsman referral rights.",
        completed_at=utcnow(),
    )
    db.session.add_all([plan, sample, review])
    for n, decision in enumerate(assessment.decisions):
        review.verdicts.append(
            IqaVerdict(
                criterion_id=decision.criterion_id,
                agree=n != 1,
                feedback="Agreed." if n != 1 else "The evidence for this is thin.",
            )
        )
    db.session.flush()
    log.append(
        "iqa_verdict",
        actor=iqa,
        payload={"review_id": review.id},
        submission_id=assessment.submission_id,
    )
