"""Writes for evidence: case-derived items and their proposed mappings, uploads, assessor
records, confirmed mappings, and submission as an immutable snapshot."""

import hashlib
import json
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from portfolio.accounts.models import User
from portfolio.casework.models import Case, CaseRecord, CaseStatus, Finding, TimelineEntry
from portfolio.casework.queries import spec_for
from portfolio.casework.signals import record_deleted, record_saved
from portfolio.control_characters import has_control_character
from portfolio.db import EARLIEST_DATE, utcnow
from portfolio.evidence.content import ASSESSOR_SOURCES, SOURCE_TITLES
from portfolio.evidence.models import (
    EvidenceItem,
    EvidenceKind,
    Mapping,
    Portfolio,
    Submission,
    SubmissionStatus,
)
from portfolio.evidence.snapshot import build_snapshot, snapshot_hash
from portfolio.evidence.uploads import UploadError, store
from portfolio.extensions import db
from portfolio.framework.models import Criterion, Unit
from portfolio.notifications.services import submission_received
from portfolio.roles import Role

MIN_JUSTIFICATION = 15
MAX_JUSTIFICATION = 2_000


class EvidenceError(Exception):
    """An evidence rule was broken; the message is shown as it is."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        #: The form field the message is about, where it is about one (None: the form as a whole).
        self.field = field


class NothingNew(EvidenceError):
    """A submission identical to the version still waiting for assessment (a second click on
    Submit, or resubmitting without a change): no version is made; `submission` is that one."""

    def __init__(self, submission: Submission):
        super().__init__(
            f"Nothing has changed since version {submission.number}, which is waiting for "
            "assessment, so no new version was made."
        )
        self.submission = submission


def _content(snapshot: dict) -> dict:
    """What a version holds, leaving out its number and declaration."""
    return {k: v for k, v in snapshot.items() if k not in ("number", "declaration")}


def portfolio_for(learner: User, unit: Unit) -> Portfolio:
    """The learner's portfolio for a unit, created on first use."""
    found = db.session.scalar(
        sa.select(Portfolio).where(Portfolio.learner_id == learner.id, Portfolio.unit_id == unit.id)
    )
    if found is None:
        found = Portfolio(learner=learner, unit=unit)
        db.session.add(found)
        db.session.flush()
    return found


#: The evidence item each kind of saved record stands in (see casework.signals): CaseRecord
#: kinds, pinned findings and timeline entries, saved analyses (one item each) and
#: recommendations (one item for them all); "case" is the case itself, whose log is an item.
RECORD_SOURCES = {
    "case": "case_log",
    "finding": "investigation",
    "timeline": "investigation",
    "root_cause": "investigation",
    "summary": "investigation",
    "options": "resolution",
    "remedy": "resolution",
    "authorisation": "resolution",
    "letter": "resolution",
    "correspondence": "resolution",
    "outcome": "resolution",
    "knowledge": "knowledge",
    "reflection": "reflection",
    "analysis": "analysis",
    "recommendation": "recommendations",
}


#: Saved things that are rows of their own, not CaseRecords: their record_id is another table's.
NOT_CASE_RECORDS = frozenset({"case", "finding", "timeline", "analysis", "recommendation"})


def is_blank(data: object) -> bool:
    """Whether a record's data holds nothing the learner wrote or chose: only empty text, empty
    lists and maps of such. A record saved blank (Save pressed on an empty form) is not yet
    evidence: it would stand in the portfolio as an empty item the learner could map."""
    if data is None:
        return True
    if isinstance(data, str):
        return not data.strip()
    if isinstance(data, dict):
        return all(is_blank(value) for value in data.values())
    if isinstance(data, list | tuple):
        return all(is_blank(value) for value in data)
    return False


def _present_sources(case: Case) -> list[tuple[str, str]]:
    """The (source, source_ref) pairs the case has records for."""
    from portfolio.improvement.models import Recommendation, SavedAnalysis

    records = {
        kind
        for kind, data in db.session.execute(
            sa.select(CaseRecord.kind, CaseRecord.data).where(CaseRecord.case_id == case.id)
        )
        if not is_blank(data)
    }
    if db.session.scalar(sa.select(Finding.id).where(Finding.case_id == case.id).limit(1)):
        records.add("finding")
    if db.session.scalar(
        sa.select(TimelineEntry.id).where(TimelineEntry.case_id == case.id).limit(1)
    ):
        records.add("timeline")
    if db.session.scalar(
        sa.select(Recommendation.id).where(Recommendation.case_id == case.id).limit(1)
    ):
        records.add("recommendation")
    present = {RECORD_SOURCES[kind] for kind in records if kind in RECORD_SOURCES}
    pairs = [("case_log", "")]
    pairs += [(source, "") for source in SOURCE_TITLES if source in present]
    pairs += [
        ("analysis", str(analysis_id))
        for analysis_id in db.session.scalars(
            sa.select(SavedAnalysis.id)
            .where(SavedAnalysis.case_id == case.id)
            .order_by(SavedAnalysis.id)
        )
    ]
    return pairs


def _proposed_refs(case: Case, source: str) -> list[str]:
    spec = spec_for(case)
    if source == "knowledge":
        return list(dict.fromkeys(q.criterion for q in spec.knowledge_questions))
    return list(getattr(spec.evidence_map, source, ()))


def _unit_of(case: Case) -> Unit | None:
    return db.session.scalar(sa.select(Unit).where(Unit.code == spec_for(case).unit))


def _new_item(
    case: Case, portfolio: Portfolio, criteria: dict[str, Criterion], source: str, ref: str
) -> EvidenceItem:
    """A case-derived item with the scenario's proposed mappings, waiting for the learner to
    confirm them."""
    spec = spec_for(case)
    title = f"{SOURCE_TITLES[source]}: {spec.organisation}"
    if source == "analysis":
        from portfolio.improvement.models import SavedAnalysis

        analysis = db.session.get(SavedAnalysis, int(ref))
        title = f"{SOURCE_TITLES[source]}: {analysis.title}"
    item = EvidenceItem(
        portfolio=portfolio,
        kind=EvidenceKind.SIMULATED,
        source=source,
        case_id=case.id,
        source_ref=ref,
        title=title[:200],
        description=f"From the simulated case {spec.title}.",
        occurred_on=case.created_at.date(),
        author_id=case.learner_id,
    )
    item.mappings = [
        Mapping(criterion=criteria[r]) for r in _proposed_refs(case, source) if r in criteria
    ]
    db.session.add(item)
    return item


def _criteria_of(unit: Unit) -> dict[str, Criterion]:
    return {
        c.ref: c
        for c in db.session.scalars(sa.select(Criterion).where(Criterion.unit_id == unit.id))
    }


def _case_items(case: Case) -> list[EvidenceItem]:
    return list(
        db.session.scalars(
            sa.select(EvidenceItem).where(EvidenceItem.case_id == case.id).order_by(EvidenceItem.id)
        )
    )


def sync_case_items(case: Case) -> list[EvidenceItem]:
    """Make sure every record the case has stands in the portfolio as an evidence item, with
    the scenario's proposed mappings waiting for the learner to confirm. Idempotent; returns
    all of the case's items, those already there and those made now."""
    unit = _unit_of(case)
    if unit is None:
        raise EvidenceError(f"The unit {spec_for(case).unit} is not loaded.")
    portfolio = portfolio_for(case.learner, unit)
    existing = {(i.source, i.source_ref) for i in _case_items(case)}
    missing = [pair for pair in _present_sources(case) if pair not in existing]
    if missing:
        criteria = _criteria_of(unit)
        for source, ref in missing:
            _new_item(case, portfolio, criteria, source, ref)
        db.session.flush()
    return _case_items(case)


def ensure_case_item(case: Case, source: str, ref: str = "") -> EvidenceItem | None:
    """The case's item for one source, made now if the case has none yet (a withdrawn item
    stays withdrawn). None while the scenario's unit is not loaded: the submission refuses
    then, with the reason."""
    found = db.session.scalar(
        sa.select(EvidenceItem).where(
            EvidenceItem.case_id == case.id,
            EvidenceItem.source == source,
            EvidenceItem.source_ref == ref,
        )
    )
    if found is not None:
        return found
    unit = _unit_of(case)
    if unit is None:
        return None
    item = _new_item(case, portfolio_for(case.learner, unit), _criteria_of(unit), source, ref)
    db.session.flush()
    return item


@record_saved.connect
def _record_saved(case: Case, *, record: str, record_id: int | None = None) -> None:
    """A record saved on a case is in the portfolio from that moment: the item reads the
    record's content live, so only its existence needs seeing to."""
    source = RECORD_SOURCES.get(record)
    if source is None:
        return
    if record not in NOT_CASE_RECORDS:
        # record_id is the CaseRecord's id for the record forms (not for the other kinds).
        data = db.session.scalar(sa.select(CaseRecord.data).where(CaseRecord.id == record_id))
        if is_blank(data):
            return
    ensure_case_item(case, source, str(record_id) if source == "analysis" else "")


@record_deleted.connect
def _record_deleted(case: Case, *, record: str, record_id: int | None = None) -> None:
    """A deleted analysis leaves the live portfolio (submitted versions keep their copy)."""
    if record != "analysis":
        return
    item = db.session.scalar(
        sa.select(EvidenceItem).where(
            EvidenceItem.case_id == case.id,
            EvidenceItem.source == "analysis",
            EvidenceItem.source_ref == str(record_id),
        )
    )
    if item is not None:
        db.session.delete(item)
        db.session.flush()


def upload_evidence(
    portfolio: Portfolio,
    *,
    data: bytes,
    filename: str,
    title: str,
    description: str,
    occurred_on: date,
    by: User,
) -> EvidenceItem:
    """Add a workplace file. The type is checked by content; nothing is stored on failure."""
    if by.id != portfolio.learner_id:
        raise EvidenceError("Only the learner adds workplace evidence to their portfolio.")
    if occurred_on > date.today():
        raise EvidenceError(
            "The date of the evidence cannot be in the future.", field="occurred_on"
        )
    if occurred_on < EARLIEST_DATE:
        # A date input takes any year from 1: "1 Jan 1" is a mistyped year, not evidence.
        raise EvidenceError(
            f"The date of the evidence says the year {occurred_on.year}: check the year.",
            field="occurred_on",
        )
    try:
        stored = store(data, filename, Path(current_app.config["UPLOAD_DIR"]))
    except UploadError as exc:
        raise EvidenceError(exc.message, field="file") from exc
    item = EvidenceItem(
        portfolio=portfolio,
        kind=EvidenceKind.WORKPLACE,
        source="upload",
        title=title.strip()[:200] or stored.original_name,
        description=description.strip(),
        occurred_on=occurred_on,
        stored_name=stored.stored_name,
        original_name=stored.original_name,
        mime_type=stored.mime_type,
        size=stored.size,
        sha256=stored.sha256,
        author_id=by.id,
    )
    db.session.add(item)
    db.session.flush()
    return item


def add_assessor_evidence(
    portfolio: Portfolio, *, source: str, title: str, body: str, occurred_on: date, by: User
) -> EvidenceItem:
    """An assessor's record of a professional discussion, an observation or questioning."""
    if source not in ASSESSOR_SOURCES:
        raise EvidenceError("Choose professional discussion, observation or questioning.")
    if by.role != Role.ASSESSOR:
        raise EvidenceError("Only an assessor records assessor evidence.")
    if not body.strip():
        raise EvidenceError("Write the record before you save it.")
    item = EvidenceItem(
        portfolio=portfolio,
        kind=EvidenceKind.ASSESSOR,
        source=source,
        title=(title.strip() or ASSESSOR_SOURCES[source])[:200],
        body=body.strip(),
        occurred_on=occurred_on,
        author_id=by.id,
    )
    db.session.add(item)
    db.session.flush()
    return item


def set_mapping(item: EvidenceItem, criterion: Criterion, *, justification: str) -> Mapping:
    """Map (or confirm the mapping of) an item to a criterion of the portfolio's unit, with the
    sentence saying how the item meets it."""
    if criterion.unit_id != item.portfolio.unit_id:
        raise EvidenceError("That criterion belongs to another unit.")
    if item.withdrawn:
        raise EvidenceError("This item has been withdrawn from the portfolio.")
    justification = (justification or "").strip()
    if len(justification) < MIN_JUSTIFICATION:
        # Proposed mappings arrive ticked: a learner who left one ticked must learn that
        # unticking it is the other way out, not only writing the sentence.
        raise EvidenceError(
            f"Say in a sentence how this evidence meets {criterion.ref} "
            f"(at least {MIN_JUSTIFICATION} characters), or untick {criterion.ref} if it "
            "does not meet it."
        )
    if len(justification) > MAX_JUSTIFICATION:
        raise EvidenceError(f"Keep the justification to {MAX_JUSTIFICATION:,} characters.")
    if has_control_character(justification):
        # PostgreSQL refuses a NUL in a text column: a server error rather than this message.
        raise EvidenceError(
            f"Remove the invisible control character from the sentence for {criterion.ref} (it "
            "often comes with pasted text), then save again."
        )
    mapping = next((m for m in item.mappings if m.criterion_id == criterion.id), None)
    if mapping is None:
        mapping = Mapping(item=item, criterion=criterion)
        db.session.add(mapping)
    mapping.justification = justification
    mapping.confirmed = True
    db.session.flush()
    return mapping


def mappings_seen(item: EvidenceItem) -> str:
    """A short fingerprint of the item's mappings (criterion, confirmed, justification) and
    whether it is withdrawn, which the mapping page carries so that a save from an older page
    is recognised as stale."""
    rows = sorted((m.criterion_id, m.confirmed, m.justification) for m in item.mappings)
    return hashlib.sha256(json.dumps([item.withdrawn, rows]).encode()).hexdigest()[:16]


def remove_mapping(item: EvidenceItem, criterion: Criterion) -> None:
    """Unmap an item from a criterion (a proposed mapping the learner rejects, or a mistake)."""
    for mapping in list(item.mappings):
        if mapping.criterion_id == criterion.id:
            item.mappings.remove(mapping)
    db.session.flush()


def withdraw_item(item: EvidenceItem, *, withdrawn: bool = True) -> EvidenceItem:
    """Leave an item out of future submissions (earlier submissions keep it)."""
    item.withdrawn = withdrawn
    db.session.flush()
    return item


def _normal(name: str) -> str:
    return " ".join(name.split()).casefold()


def _open_cases_of(portfolio: Portfolio) -> list[Case]:
    """The learner's open cases on scenarios of the portfolio's unit."""
    cases = db.session.scalars(
        sa.select(Case).where(
            Case.learner_id == portfolio.learner_id, Case.status == CaseStatus.OPEN
        )
    )
    return [case for case in cases if spec_for(case).unit == portfolio.unit.code]


def unchanged_since(portfolio: Portfolio) -> Submission | None:
    """The newest version, when it was assessed (returned or signed off) and a submission now
    would hold exactly what it holds: the submit page warns before the same evidence goes back
    for assessment. Reads only; the check at submission (``NothingNew``) covers a version that
    still waits."""
    latest = db.session.scalar(
        sa.select(Submission)
        .where(Submission.portfolio_id == portfolio.id)
        .order_by(Submission.number.desc())
        .limit(1)
    )
    if latest is None or latest.status == SubmissionStatus.SUBMITTED:
        return None
    now = build_snapshot(portfolio, declared_name="", declared_on=date.today())
    return latest if _content(latest.snapshot) == _content(now) else None


def submit(portfolio: Portfolio, *, declared_name: str, declared_on: date, by: User) -> Submission:
    """Freeze the portfolio as version N+1 after a declaration of authenticity: the learner
    types their full name exactly and today's date."""
    if by.id != portfolio.learner_id:
        raise EvidenceError("Only the learner submits their portfolio.")
    if _normal(declared_name) != _normal(by.full_name):
        raise EvidenceError(
            f"Type your full name exactly as it is on your account ({by.full_name}) to declare "
            "that this is your own work."
        )
    today = date.today()
    if declared_on != today:
        raise EvidenceError(
            f"Date the declaration today, {today:%-d %b %Y}: it says {declared_on:%-d %b %Y}."
        )
    # Items appear as records are saved; this catches anything saved before that was so.
    for case in _open_cases_of(portfolio):
        sync_case_items(case)
    snapshot = build_snapshot(
        portfolio, declared_name=declared_name.strip(), declared_on=declared_on
    )
    if not any(item["mappings"] for item in snapshot["items"]):
        raise EvidenceError(
            "Confirm at least one mapping of your evidence to a criterion before you submit."
        )
    latest = db.session.scalar(
        sa.select(Submission)
        .where(Submission.portfolio_id == portfolio.id)
        .order_by(Submission.number.desc())
        .limit(1)
    )
    if (
        latest is not None
        and latest.status == SubmissionStatus.SUBMITTED
        and _content(latest.snapshot) == _content(snapshot)
    ):
        raise NothingNew(latest)
    number = (latest.number if latest is not None else 0) + 1
    snapshot["number"] = number
    submission = Submission(
        portfolio=portfolio,
        number=number,
        declared_name=declared_name.strip(),
        declared_on=declared_on,
        submitted_at=utcnow(),
        snapshot=snapshot,
        snapshot_hash=snapshot_hash(snapshot),
    )
    db.session.add(submission)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        # Two submits at once (a double click, two tabs) both chose this number; the other
        # one was saved. The caller rolls back, as for any refusal.
        raise EvidenceError(
            "This portfolio was submitted from another click or tab at the same moment, so "
            "nothing more was saved. Its versions are listed on your portfolio page."
        ) from None
    submission_received(submission, learner=by)
    return submission
