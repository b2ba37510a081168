"""Submitting a learner's work in tests that need a portfolio version, not the casework itself."""

from datetime import date

import sqlalchemy as sa

from portfolio.casework import services as casework
from portfolio.evidence import services as evidence
from portfolio.evidence.models import EvidenceItem, Submission
from portfolio.extensions import db


def submit_investigation(learner, case, *, on: date | None = None) -> Submission:
    """Investigate the case a little (a document read, a finding pinned), map its investigation
    item to its first proposed criterion and submit the learner's portfolio as its next
    version, declared `on` (today by default)."""
    casework.request_document(case, "crm-history")
    casework.pin_finding(case, text="The bill was wrong", document_id="crm-history")
    evidence.sync_case_items(case)
    item = db.session.scalar(
        sa.select(EvidenceItem).where(
            EvidenceItem.case_id == case.id, EvidenceItem.source == "investigation"
        )
    )
    evidence.set_mapping(
        item, item.mappings[0].criterion, justification="My findings gather the history."
    )
    return evidence.submit(
        item.portfolio, declared_name=learner.full_name, declared_on=on or date.today(), by=learner
    )
