"""Reads for casework: the pinned scenario, records, the trail as the rules read it, and the
cases a user may see."""

import functools
from dataclasses import dataclass

import sqlalchemy as sa

from portfolio.accounts.models import User
from portfolio.casework.clock import DeadlineStatus, deadline_status
from portfolio.casework.models import Case, CaseRecord, CaseStatus, TrailEvent
from portfolio.casework.remedy import CustomComponent, RemedyChoice
from portfolio.casework.trail import TrailEntry, TrailKind
from portfolio.extensions import db
from portfolio.library.models import ScenarioVersion
from portfolio.library.queries import spec_by_key, spec_of
from portfolio.reads import rows as read_rows
from portfolio.roles import Role
from portfolio.scenarios.schema import Scenario


def spec_for(case: Case) -> Scenario:
    """The scenario version the case started on (never a newer one)."""
    return spec_of(case.version)


def records_of(case: Case) -> dict[str, CaseRecord]:
    """Every record of the case by kind, in one query."""
    rows = db.session.scalars(_records_statement(), {"case_id": case.id})
    return {r.kind: r for r in rows}


@functools.cache
def _records_statement() -> sa.Select:
    return sa.select(CaseRecord).where(CaseRecord.case_id == sa.bindparam("case_id"))


def record_data(case: Case, kind: str) -> dict | None:
    """One record's data, or None when the learner has not saved it yet."""
    return db.session.scalar(
        sa.select(CaseRecord.data).where(CaseRecord.case_id == case.id, CaseRecord.kind == kind)
    )


def choice_of(remedy: dict) -> RemedyChoice:
    """The rules' view of a saved remedy record."""
    return RemedyChoice(
        tuple(remedy.get("remedy_ids", ())),
        tuple(CustomComponent(c["label"], c["amount"]) for c in remedy.get("custom", ())),
    )


@functools.cache
def _trail_statement() -> sa.Select:
    """A case's trail (bind :case_id) in order, as the columns of TrailEvent; built once."""
    events = TrailEvent.__table__
    case_id = sa.bindparam("case_id")
    return sa.select(events).where(events.c.case_id == case_id).order_by(events.c.seq)


def trail_events(case: Case) -> list[sa.Row]:
    """The case's trail in order, as rows with TrailEvent's attributes (id, case_id, seq, kind,
    sim_hours, real_at, payload): the trail is append-only and every page reads it, so it is
    read as plain rows on the session's connection. Pending changes are flushed first, so an
    event added in this request is in it."""
    db.session.flush()
    return read_rows(_trail_statement(), {"case_id": case.id}).all()


def trail_of(events: list[sa.Row]) -> list[TrailEntry]:
    """Trail events as the pure rules read them."""
    return [TrailEntry(TrailKind(e.kind), e.sim_hours, e.payload) for e in events]


@dataclass(frozen=True)
class CaseState:
    """What the learner has done so far, derived from the trail in one pass."""

    requested: frozenset[str]
    asked: frozenset[tuple[str, str]]
    replied: bool
    accepted: bool
    rounds: int


def state_of(events: list[sa.Row]) -> CaseState:
    requested = {e.payload["document_id"] for e in events if e.kind == TrailKind.DOCUMENT_REQUESTED}
    asked = {
        (e.payload["stakeholder_id"], e.payload["question_id"])
        for e in events
        if e.kind == TrailKind.QUESTION_ASKED
    }
    replies = [e for e in events if e.kind == TrailKind.CUSTOMER_REPLIED]
    return CaseState(
        requested=frozenset(requested),
        asked=frozenset(asked),
        replied=bool(replies),
        accepted=bool(replies) and bool(replies[-1].payload.get("accepted")),
        rounds=len(replies),
    )


STAGES = ("referral", "investigation", "resolution", "response", "replied")


def stage_of(events: list[sa.Row]) -> str:
    """Where the learner is in the case, for dashboards and the live board."""
    kinds = {e.kind for e in events}
    if TrailKind.CUSTOMER_REPLIED in kinds:
        return "replied"
    if kinds & {TrailKind.LETTER_SAVED, TrailKind.RESPONSE_SENT}:
        return "response"
    if kinds & {TrailKind.OPTIONS_SAVED, TrailKind.REMEDY_SAVED, TrailKind.AUTHORISATION_REQUESTED}:
        return "resolution"
    if kinds & {TrailKind.DOCUMENT_REQUESTED, TrailKind.QUESTION_ASKED}:
        return "investigation"
    return "referral"


@functools.cache
def cases_of_learner() -> sa.Select:
    """A learner's cases (bind :learner_id) for listing, open first then newest first, as rows:
    id, status, created_at, version (its number), and what places the case on its clock
    (hours, version_id and content_hash for the spec, sent_hours: when the final response was
    first sent, None while unsent), for ``final_deadline`` and ``listed_title``. Built once."""
    sent = TrailEvent.__table__
    return (
        sa.select(
            Case.id,
            Case.status,
            Case.created_at,
            ScenarioVersion.number.label("version"),
            Case.hours,
            ScenarioVersion.id.label("version_id"),
            ScenarioVersion.content_hash,
            sa.select(sa.func.min(sent.c.sim_hours))
            .where(sent.c.case_id == Case.id, sent.c.kind == TrailKind.RESPONSE_SENT.value)
            .scalar_subquery()
            .label("sent_hours"),
        )
        .join(ScenarioVersion, ScenarioVersion.id == Case.scenario_version_id)
        .where(Case.learner_id == sa.bindparam("learner_id"))
        .order_by(Case.status, Case.created_at.desc(), Case.id.desc())
    )


def listed_title(row: sa.Row) -> str:
    """A listed case's title as its own version has it (a later version may retitle the
    scenario in the library; the case keeps the version it began on)."""
    return spec_by_key(row.version_id, row.content_hash).title


def final_deadline(row: sa.Row) -> DeadlineStatus | None:
    """Where a listed open case stands against its final deadline (None for a set-aside case):
    the spec is parsed once per version in this process, so a page of rows costs no query
    per row."""
    if row.status != CaseStatus.OPEN:
        return None
    spec = spec_by_key(row.version_id, row.content_hash)
    statuses = deadline_status(spec, row.hours, sent_hours=row.sent_hours)
    return next((d for d in statuses if d.deadline.final), None)


def correspondence_rounds(case_ids: list[int]) -> dict[int, list[dict]]:
    """The responses sent on each of these cases (the correspondence record's rounds, oldest
    first; cases with none are left out): one query."""
    if not case_ids:
        return {}
    found = db.session.execute(
        sa.select(CaseRecord.case_id, CaseRecord.data).where(
            CaseRecord.kind == "correspondence", CaseRecord.case_id.in_(case_ids)
        )
    )
    return {case_id: (data or {}).get("rounds", []) for case_id, data in found}


def open_case(learner: User, scenario_id: int) -> Case | None:
    """The learner's open case on a scenario, if any."""
    return db.session.scalar(
        sa.select(Case).where(
            Case.learner_id == learner.id,
            Case.scenario_id == scenario_id,
            Case.status == CaseStatus.OPEN,
        )
    )


def cases_visible_to(user: User) -> sa.Select:
    """Cases of the learners this user may see (see authz.learners_visible_to)."""
    from portfolio import authz

    learners = authz.learners_visible_to(user).with_only_columns(User.id).scalar_subquery()
    if user.role == Role.SITE_ADMIN:
        return sa.select(Case).where(sa.false())
    return sa.select(Case).where(Case.learner_id.in_(learners))
