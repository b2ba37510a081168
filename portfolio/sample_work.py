"""Worked examples for the demo centre: an open exercise for the demo cohort, and a case that
the second demo learner has worked, mapped and submitted, so the assessor's queue, the tracking
grid and the PDF have something real to show. Built through the same services as the web."""

from datetime import date, timedelta

import sqlalchemy as sa

from portfolio.accounts.models import Cohort, User
from portfolio.casework import services as casework
from portfolio.casework.errors import CaseworkError
from portfolio.casework.queries import spec_for
from portfolio.evidence import services as evidence
from portfolio.evidence.models import EvidenceItem, Portfolio, Submission
from portfolio.evidence.queries import portfolios_of
from portfolio.exercises.models import Exercise
from portfolio.exercises.services import create_exercise
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario

SCENARIO = "telecoms-billing"


def ensure_sample_work(users: dict[str, User]) -> None:
    """Idempotent: each piece is made once, when the bundled scenarios are loaded."""
    scenario = db.session.scalar(
        sa.select(LibraryScenario).where(
            LibraryScenario.slug == SCENARIO, LibraryScenario.centre_id.is_(None)
        )
    )
    if scenario is None:
        return  # scenarios not loaded yet: `flask scenarios load` first
    admin = users["admin@demo.test"]
    cohort = db.session.scalar(
        sa.select(Cohort).where(Cohort.centre_id == admin.centre_id, Cohort.name == "Demo cohort")
    )
    exercise = db.session.scalar(sa.select(Exercise).where(Exercise.cohort_id == cohort.id))
    if exercise is None:
        exercise = create_exercise(
            cohort=cohort,
            scenario=scenario,
            title="Fibrelink billing complaint",
            opens_on=date.today() - timedelta(days=7),
            closes_on=date.today() + timedelta(days=28),
            by=admin,
        )
    learner = users["learner2@demo.test"]
    already = sa.select(Submission.id).join(Portfolio).where(Portfolio.learner_id == learner.id)
    if db.session.scalar(already.limit(1)) is not None:
        return
    _work_case(learner, scenario, exercise)


def _work_case(learner: User, scenario: LibraryScenario, exercise: Exercise) -> None:
    case = casework.start_case(learner, scenario, exercise=exercise)
    spec = spec_for(case)
    for document_id in spec.guidance.key_documents:
        casework.request_document(case, document_id)
    for stakeholder, question in spec.misleading_questions():
        casework.ask_question(case, stakeholder.id, question.id)
        if question.contradicted_by:
            casework.request_document(case, question.contradicted_by)
    first_key = spec.guidance.key_documents[0]
    casework.pin_finding(
        case,
        text="The order was set up on the retention code, but the billing system rejected it.",
        document_id=first_key,
    )
    casework.add_timeline_entry(
        case,
        occurred_on=date(2026, 4, 14),  # the retention call, as the CRM history dates it
        description="Customer accepts the retention offer on the phone.",
        document_id=first_key,
    )
    casework.save_record(
        case,
        "root_cause",
        {
            "method": "five_whys",
            "symptom": "The customer was billed more than the price she agreed.",
            "why_1": "The discount was never applied to her bill.",
            "why_2": "The billing system rejected the retention code.",
            "why_3": "The code had expired in a catalogue refresh.",
            "why_4": "The sales tool still offered the expired code and showed it as applied.",
            "why_5": "Nothing checks that codes in the sales tool are live in billing.",
            "root_cause": "Expired offer codes fail silently in billing while the sales tool "
            "shows them as applied.",
        },
        expected_version=None,
    )
    fair = [r.id for r in spec.remedies if r.fair]
    casework.save_record(
        case,
        "remedy",
        {"remedy_ids": fair, "notes": "Put her back where she should be."},
        expected_version=None,
    )
    try:
        casework.request_authorisation(case)
    except CaseworkError:
        pass  # within authority: nothing to ask
    phrases = [
        req.any_of[0] for req in spec.customer_reply.requirements if req.kind == "letter_mentions"
    ]
    letter = (
        f"Dear {spec.customer.name},\n\nThank you for your patience, and I am sorry. I have "
        "investigated your complaint in full. You accepted our retention offer, and our billing "
        "system failed to apply it because of a fault in our offer codes. That was our mistake, "
        "not yours.\n\nWe will put this right: "
        + "; ".join(r.label for r in spec.remedies if r.fair)
        + ".\n\nIf you remain unhappy, you can refer your complaint free of charge. "
        + " ".join(f"({p})" for p in phrases)
        + "\n\nYours sincerely,\nRiley Evans"
    )
    casework.save_record(case, "letter", {"text": letter}, expected_version=None)
    casework.send_response(case)
    evidence.sync_case_items(case)
    items = db.session.scalars(sa.select(EvidenceItem).where(EvidenceItem.case_id == case.id))
    for item in items:
        for mapping in list(item.mappings):
            evidence.set_mapping(
                item,
                mapping.criterion,
                justification=f"My {item.source.replace('_', ' ')} shows how I did this on the "
                f"{spec.organisation} case.",
            )
    portfolio = portfolios_of(learner)[0]
    evidence.submit(
        portfolio, declared_name=learner.full_name, declared_on=date.today(), by=learner
    )
