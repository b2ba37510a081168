"""Writes for casework. Every action goes on the append-only trail with real and simulated
time, and actions that take time advance the case's clock by the scenario's cost."""

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from portfolio.accounts.models import User
from portfolio.casework import clock as sim_clock
from portfolio.casework.errors import AuthorisationNeeded, CaseworkError, RulesError, StaleEdit
from portfolio.casework.models import (
    Case,
    CaseRecord,
    CaseStatus,
    Finding,
    TimelineEntry,
    TrailEvent,
)
from portfolio.casework.queries import choice_of, open_case, record_data, spec_for
from portfolio.casework.records import CLEANERS, clean_knowledge
from portfolio.casework.remedy import (
    decide_authorisation,
    format_money,
    needs_authorisation,
    validate_choice,
)
from portfolio.casework.reply import evaluate_response
from portfolio.casework.signals import record_saved
from portfolio.casework.trail import TrailKind
from portfolio.db import EARLIEST_DATE, utcnow
from portfolio.exercises.models import Exercise
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.queries import current_version
from portfolio.roles import Role
from portfolio.scenarios.schema import Scenario

MAX_ROUNDS = 2
MAX_FINDING = 2_000
# Autosaves within this window of the last one for the same record share one trail entry.
DRAFT_TRAIL_WINDOW = timedelta(minutes=10)

SAVED_KIND = {
    "root_cause": TrailKind.ROOT_CAUSE_SAVED,
    "summary": TrailKind.SUMMARY_SAVED,
    "options": TrailKind.OPTIONS_SAVED,
    "remedy": TrailKind.REMEDY_SAVED,
    "letter": TrailKind.LETTER_SAVED,
    "outcome": TrailKind.OUTCOME_RECORDED,
    # No trail kinds of their own (trail.py is shared): saves show as draft_saved naming them.
    "knowledge": TrailKind.DRAFT_SAVED,
    "reflection": TrailKind.DRAFT_SAVED,
}


def require_open(case: Case) -> None:
    """Refuse any change to a case that was set aside (other features' services call this)."""
    if case.status != CaseStatus.OPEN:
        raise CaseworkError(
            "This case was set aside when you started the scenario again, so it can no longer "
            "change. Open your current case from your dashboard."
        )


def append_trail(
    case: Case, kind: TrailKind, payload: Mapping[str, Any] | None = None
) -> TrailEvent:
    """Add an entry to the trail, advancing the clock by what the action costs."""
    spec = spec_for(case)
    case.hours = sim_clock.advance(spec.clock, case.hours, kind)
    case.trail_count += 1
    event = TrailEvent(
        case_id=case.id,
        seq=case.trail_count,
        kind=kind.value,
        sim_hours=case.hours,
        payload=dict(payload or {}),
    )
    db.session.add(event)
    return event


def exercise_kept_on_restart(learner: User, previous: Case | None) -> Exercise | None:
    """The exercise a restart of `previous` (the learner's open case) stays in: the case's own
    exercise while it is open today and still set for one of the learner's cohorts. None when
    the case was not part of an exercise, or the new case would leave it."""
    if previous is None or previous.exercise_id is None:
        return None
    exercise = db.session.get(Exercise, previous.exercise_id)
    if exercise is None or not exercise.is_open(date.today()):
        return None
    return exercise if exercise.cohort in learner.cohorts else None


def start_case(learner: User, scenario: LibraryScenario, *, exercise=None) -> Case:
    """Open a case on the scenario's current version, or on the exercise's pinned version when
    started from an exercise (which must be open today and set for one of the learner's
    cohorts). An open case on the same scenario is set aside (kept, read-only), so starting
    again never loses earlier work; one not worked at all (a second click on Start) is simply
    returned, as starting again would give the same case. Starting again from the library on
    a case of an exercise that is still open stays in that exercise (see
    exercise_kept_on_restart), so the live board keeps following the learner."""
    if learner.role != Role.LEARNER:
        raise CaseworkError("Only learners work cases.")
    if exercise is None:
        exercise = exercise_kept_on_restart(learner, open_case(learner, scenario.id))
    if not scenario.published:
        raise CaseworkError("This scenario is not published yet.")
    if exercise is not None:
        today = date.today()
        if exercise.scenario_id != scenario.id or exercise.cohort not in learner.cohorts:
            raise CaseworkError("That exercise is not set for you.")
        if today < exercise.opens_on:
            raise CaseworkError(f"This exercise opens on {exercise.opens_on:%-d %B %Y}.")
        if today > exercise.closes_on:
            raise CaseworkError(
                f"This exercise closed on {exercise.closes_on:%-d %B %Y}: no new case can start. "
                "Work you began before then is kept."
            )
    previous = db.session.scalar(
        sa.select(Case).where(
            Case.learner_id == learner.id,
            Case.scenario_id == scenario.id,
            Case.status == CaseStatus.OPEN,
        )
    )
    version = exercise.version if exercise is not None else current_version(scenario)
    if previous is not None:
        if (
            previous.trail_count == 1  # only its start: every action goes on the trail
            and previous.scenario_version_id == version.id
            and previous.exercise_id == (exercise.id if exercise is not None else None)
        ):
            return previous
        previous.status = CaseStatus.SET_ASIDE
        db.session.flush()
    case = Case(
        learner=learner,
        scenario=scenario,
        version=version,
        exercise_id=exercise.id if exercise is not None else None,
        hours=0,
        trail_count=0,
    )
    db.session.add(case)
    db.session.flush()
    append_trail(case, TrailKind.CASE_STARTED, {"scenario_version": version.number})
    db.session.flush()
    record_saved.send(case, record="case", record_id=case.id)
    return case


def _done(case: Case, kind: TrailKind, **match: str) -> bool:
    query = sa.select(TrailEvent.id).where(TrailEvent.case_id == case.id, TrailEvent.kind == kind)
    for key, value in match.items():
        query = query.where(TrailEvent.payload[key].as_string() == value)
    return db.session.scalar(query.limit(1)) is not None


def request_document(case: Case, document_id: str) -> bool:
    """Request a document from the case file. Returns False (and costs nothing) when it was
    already requested."""
    require_open(case)
    if spec_for(case).document(document_id) is None:
        raise CaseworkError("That document is not in this case file.")
    if _done(case, TrailKind.DOCUMENT_REQUESTED, document_id=document_id):
        return False
    append_trail(case, TrailKind.DOCUMENT_REQUESTED, {"document_id": document_id})
    db.session.flush()
    return True


def ask_question(case: Case, stakeholder_id: str, question_id: str) -> bool:
    """Ask a stakeholder a question from their bank. Returns False when already asked."""
    require_open(case)
    if spec_for(case).question(stakeholder_id, question_id) is None:
        raise CaseworkError("That question is not in this person's question bank.")
    if _done(
        case, TrailKind.QUESTION_ASKED, stakeholder_id=stakeholder_id, question_id=question_id
    ):
        return False
    append_trail(
        case,
        TrailKind.QUESTION_ASKED,
        {"stakeholder_id": stakeholder_id, "question_id": question_id},
    )
    db.session.flush()
    return True


def pin_finding(
    case: Case,
    *,
    text: str,
    document_id: str | None = None,
    stakeholder_id: str | None = None,
    question_id: str | None = None,
) -> Finding:
    """Pin a finding to the document or answer it came from; the learner must have read it."""
    require_open(case)
    text = (text or "").strip()
    if not text:
        raise CaseworkError("Write the finding before you pin it.")
    if len(text) > MAX_FINDING:
        raise CaseworkError(f"Keep a finding to {MAX_FINDING:,} characters.")
    if document_id:
        if not _done(case, TrailKind.DOCUMENT_REQUESTED, document_id=document_id):
            raise CaseworkError("Request that document before pinning a finding to it.")
        payload = {"source": "document", "document_id": document_id}
    elif stakeholder_id and question_id:
        if not _done(
            case, TrailKind.QUESTION_ASKED, stakeholder_id=stakeholder_id, question_id=question_id
        ):
            raise CaseworkError("Ask that question before pinning a finding to its answer.")
        payload = {"source": "answer", "stakeholder_id": stakeholder_id, "question_id": question_id}
    else:
        raise CaseworkError("Choose the document or answer the finding came from.")
    finding = Finding(case=case, text=text, **{k: v for k, v in payload.items()})
    db.session.add(finding)
    append_trail(case, TrailKind.FINDING_PINNED, payload)
    db.session.flush()
    record_saved.send(case, record="finding", record_id=finding.id)
    return finding


def remove_finding(case: Case, finding: Finding) -> None:
    """Unpin a finding (the trail keeps the record that it was pinned and removed)."""
    require_open(case)
    if finding.case_id != case.id:
        raise CaseworkError("That finding belongs to another case.")
    append_trail(case, TrailKind.DRAFT_SAVED, {"record": "findings", "removed": finding.text[:200]})
    db.session.delete(finding)
    db.session.flush()


def add_timeline_entry(
    case: Case, *, occurred_on: date, description: str, document_id: str | None = None
) -> TimelineEntry:
    """Add a dated event to the learner's timeline, sourced from a document they have read."""
    require_open(case)
    description = (description or "").strip()
    if not description:
        raise CaseworkError("Describe what happened on that date.")
    if len(description) > MAX_FINDING:
        raise CaseworkError(f"Keep a timeline entry to {MAX_FINDING:,} characters.")
    spec = spec_for(case)
    if document_id and spec.document(document_id) is None:
        raise CaseworkError("That document is not in this case file.")
    today = sim_clock.calendar_date(spec.clock, sim_clock.day_of(spec.clock, case.hours))
    if today is not None and occurred_on > today:
        # Nothing in the case can have happened after its today: a mistyped year or month.
        raise CaseworkError(
            f"{occurred_on:%-d %b %Y} is after today in the case ({today:%-d %b %Y}): "
            "check the day, month and year."
        )
    if occurred_on < EARLIEST_DATE:
        # A date input takes any year from 1: the timeline (and the PDF) showed "1 Jan 1".
        raise CaseworkError(
            f"That date says the year {occurred_on.year}: check the day, month and year."
        )
    # As for a finding: a source the learner never read would be cited unseen.
    if document_id and not _done(case, TrailKind.DOCUMENT_REQUESTED, document_id=document_id):
        raise CaseworkError("Request that document before citing it as a source.")
    entry = TimelineEntry(
        case=case, occurred_on=occurred_on, description=description, document_id=document_id
    )
    db.session.add(entry)
    append_trail(case, TrailKind.TIMELINE_SAVED, {"occurred_on": occurred_on.isoformat()})
    db.session.flush()
    record_saved.send(case, record="timeline", record_id=entry.id)
    return entry


def remove_timeline_entry(case: Case, entry: TimelineEntry) -> None:
    require_open(case)
    if entry.case_id != case.id:
        raise CaseworkError("That entry belongs to another case.")
    append_trail(case, TrailKind.TIMELINE_SAVED, {"removed": entry.occurred_on.isoformat()})
    db.session.delete(entry)
    db.session.flush()


def _record(case: Case, kind: str) -> CaseRecord | None:
    return db.session.scalar(
        sa.select(CaseRecord).where(CaseRecord.case_id == case.id, CaseRecord.kind == kind)
    )


def save_record(
    case: Case,
    kind: str,
    raw: Mapping[str, Any],
    *,
    expected_version: int | None,
    draft: bool = False,
) -> CaseRecord:
    """Save one of the learner's records. `expected_version` is the version the learner's page
    was showing (None for a record that did not exist then); if the stored record is newer,
    StaleEdit is raised and nothing changes. A draft (autosave) goes on the trail as
    draft_saved, at most once per record in a ten-minute window."""
    require_open(case)
    if kind not in CLEANERS:
        raise CaseworkError("That is not a record of this case.")
    spec = spec_for(case)
    if kind == "knowledge":
        # Numbered as on the page, so a message says which answer it means.
        labels = {
            question.id: f"Your answer to question {number}"
            for number, question in enumerate(spec.knowledge_questions, start=1)
        }
        data = clean_knowledge(raw, labels)
    else:
        data = CLEANERS[kind](raw)
    if kind == "remedy":
        try:
            validate_choice(spec, choice_of(data))
        except RulesError as exc:
            raise CaseworkError(str(exc)) from exc
    if kind == "knowledge":
        known = {question.id for question in spec.knowledge_questions}
        unknown = sorted(set(data["answers"]) - known)
        if unknown:
            raise CaseworkError(f'"{unknown[0]}" is not one of this case\'s knowledge questions.')
    if kind == "outcome" and not _done(case, TrailKind.CUSTOMER_REPLIED):
        raise CaseworkError("Record the outcome once the customer has replied to your response.")
    record = _record(case, kind)
    stored = record.version if record else None
    if stored != expected_version:
        raise StaleEdit(kind, stored or 0)
    if record is None:
        record = CaseRecord(case=case, kind=kind, data=data)
        db.session.add(record)
    elif record.data != data:
        record.data = data
    elif draft or not _drafted_since_saved(case, kind):
        return record  # nothing changed: no new version, no trail entry
    # else: Save pressed on what autosave already stored: no new version, but the save (which
    # the marking checks read) still goes on the trail.
    if draft:
        _trail_draft(case, kind)
    else:
        payload = {"method": data["method"]} if kind == "root_cause" else {}
        if SAVED_KIND[kind] is TrailKind.DRAFT_SAVED:
            payload = {"record": kind, "saved": True}
        append_trail(case, SAVED_KIND[kind], payload)
    try:
        db.session.flush()
    except (StaleDataError, sa.exc.IntegrityError):
        # Another request saved this record between our read and our write; the caller rolls
        # the session back, as for any StaleEdit.
        raise StaleEdit(kind, stored or 0) from None
    record_saved.send(case, record=kind, record_id=record.id)
    return record


def _drafted_since_saved(case: Case, kind: str) -> bool:
    """Whether the record's latest entry on the trail is a draft rather than a save."""
    saved = SAVED_KIND[kind]
    mine = sa.and_(
        TrailEvent.kind == TrailKind.DRAFT_SAVED,
        TrailEvent.payload["record"].as_string() == kind,
    )
    latest = db.session.execute(
        sa.select(TrailEvent.kind, TrailEvent.payload)
        .where(TrailEvent.case_id == case.id, sa.or_(TrailEvent.kind == saved, mine))
        .order_by(TrailEvent.seq.desc())
        .limit(1)
    ).first()
    if latest is None or latest.kind != TrailKind.DRAFT_SAVED:
        return False
    # Kinds saved as draft_saved entries mark a save with "saved" in the payload.
    return latest.payload.get("record") == kind and not latest.payload.get("saved")


def _trail_draft(case: Case, kind: str) -> None:
    last = db.session.scalar(
        sa.select(TrailEvent)
        .where(TrailEvent.case_id == case.id)
        .order_by(TrailEvent.seq.desc())
        .limit(1)
    )
    recent = last is not None and utcnow() - last.real_at < DRAFT_TRAIL_WINDOW
    if (
        recent
        and last.kind == TrailKind.DRAFT_SAVED
        and last.payload.get("record") == kind
        and not last.payload.get("saved")  # a save stays a save: a later draft is new
    ):
        return
    append_trail(case, TrailKind.DRAFT_SAVED, {"record": kind})


def request_authorisation(case: Case) -> dict:
    """Ask the manager to authorise the saved remedy. The scenario's rules answer, the request
    goes on the trail (costing the scenario's time), and the answer is kept."""
    require_open(case)
    spec = spec_for(case)
    remedy = record_data(case, "remedy")
    if remedy is None:
        raise CaseworkError("Save your remedy before you ask for authorisation.")
    choice = choice_of(remedy)
    try:
        validate_choice(spec, choice)
    except RulesError as exc:
        raise CaseworkError(str(exc)) from exc
    needed, _reasons = needs_authorisation(spec, choice)
    if not needed:
        raise CaseworkError("Your remedy is within your own authority: no authorisation needed.")
    answer = answer_about(remedy, (record_data(case, "authorisation") or {}).get("requests", []))
    if answer is not None:
        # The same question gets the same answer: a second click must not cost time again.
        raise CaseworkError(
            f"You have already asked about this remedy. The manager said: {answer['message']}"
        )
    decision = decide_authorisation(spec, choice)
    total = f"{decision.total:.2f}"
    append_trail(
        case,
        TrailKind.AUTHORISATION_REQUESTED,
        {"total": total, "approved": decision.approved},
    )
    entry = {
        "hours": case.hours,
        "total": total,
        "approved": decision.approved,
        "message": decision.message,
        "remedy": remedy,
    }
    _append_to_record(case, "authorisation", "requests", entry)
    return entry


def _append_to_record(case: Case, kind: str, key: str, item: dict) -> None:
    """Simulation-kept records (authorisation, correspondence) only ever grow."""
    record = _record(case, kind)
    if record is None:
        record = CaseRecord(case=case, kind=kind, data={key: []})
        db.session.add(record)
    record.data = {**record.data, key: [*record.data.get(key, []), item]}
    db.session.flush()
    record_saved.send(case, record=kind, record_id=record.id)


def answer_about(remedy: Mapping[str, Any], requests: list[dict]) -> dict | None:
    """The manager's latest answer about this remedy (the same components and amounts; notes
    do not matter), or None when it was never put to them. ``requests`` is the authorisation
    record's list."""
    choice = choice_of(dict(remedy))
    for request in reversed(requests):
        try:
            if choice_of(request["remedy"]) == choice:
                return request
        except (KeyError, TypeError, RulesError):
            continue
    return None


def authorisation_blocker(
    spec: Scenario, remedy: Mapping[str, Any], requests: list[dict], *, where: str = "below"
) -> str | None:
    """Why this remedy cannot be sent yet, or None when it can: a remedy beyond the learner's
    authority needs the manager's authorisation of that very remedy; when they declined it,
    only a changed remedy can go. ``where`` says where the remedy page's controls are."""
    needed, reasons = needs_authorisation(spec, choice_of(dict(remedy)))
    if not needed:
        return None
    manager = spec.authorisation.manager.name
    answer = answer_about(remedy, requests)
    if answer is None:
        return (
            f"Your remedy is beyond your own authority, so it cannot be sent until {manager} "
            f"authorises it. {reasons[0]} Ask {manager} to authorise it {where}, or change the "
            "remedy."
        )
    if not answer["approved"]:
        return (
            f"{manager} did not authorise this remedy, so you cannot offer it. Change the remedy "
            f"{where}, then ask again or keep it within your authority of "
            f"{format_money(spec.authority_limit)}."
        )
    return None


def sending_closed(rounds: list[dict]) -> bool:
    """Whether no further response can be sent: the customer accepted, or the one revision has
    been used. ``rounds`` is the correspondence record's list of sent rounds."""
    return bool(rounds) and (rounds[-1]["accepted"] or len(rounds) >= MAX_ROUNDS)


def send_response(case: Case) -> dict:
    """Send the saved letter with the saved remedy. The customer replies by the scenario's
    rules; one revision is allowed after a push-back. A remedy beyond the learner's authority
    goes only once the manager has authorised it (``authorisation_blocker``). Returns the
    round's record."""
    require_open(case)
    spec = spec_for(case)
    letter = (record_data(case, "letter") or {}).get("text", "").strip()
    if len(letter) < 200:
        raise CaseworkError(
            "Your letter is too short to send: a final response explains what you found, what "
            "you will do, and what the customer can do next."
        )
    remedy = record_data(case, "remedy")
    if remedy is None:
        raise CaseworkError("Save your remedy before you send the response.")
    choice = choice_of(remedy)
    try:
        validate_choice(spec, choice)
    except RulesError as exc:
        raise CaseworkError(str(exc)) from exc
    rounds = (record_data(case, "correspondence") or {}).get("rounds", [])
    if rounds and rounds[-1]["accepted"]:
        raise CaseworkError("The customer has accepted your response: record the outcome.")
    if len(rounds) >= MAX_ROUNDS:
        raise CaseworkError("You have used your one revision: record the outcome now.")
    if rounds and rounds[-1]["letter"] == letter and rounds[-1]["remedy"] == remedy:
        # A second click on Send, or a revision that revises nothing, must not use it up.
        raise CaseworkError(
            "The customer has already read this letter with this remedy. Change what they "
            "pushed back on, then send your one revision."
        )
    requests = (record_data(case, "authorisation") or {}).get("requests", [])
    blocker = authorisation_blocker(spec, remedy, requests)
    if blocker:
        raise AuthorisationNeeded(blocker)
    number = len(rounds) + 1
    append_trail(case, TrailKind.RESPONSE_SENT, {"round": number})
    sent_hours = case.hours
    result = evaluate_response(
        spec, letter=letter, choice=choice, sent_hours=sent_hours, round=number
    )
    unmet = [r.id for r in result.unmet]
    append_trail(case, TrailKind.CUSTOMER_REPLIED, {"accepted": result.accepted, "unmet": unmet})
    entry = {
        "round": number,
        "letter": letter,
        "remedy": remedy,
        "sent_hours": sent_hours,
        "on_time": sim_clock.is_on_time(spec, sent_hours),
        "reply": result.text,
        "accepted": result.accepted,
        "unmet": unmet,
        "replied_hours": case.hours,
    }
    _append_to_record(case, "correspondence", "rounds", entry)
    return entry
