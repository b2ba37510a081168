"""The large demo centre ("Large Demo College"): thousands of learners, tens of thousands of
cases with trails, portfolios, submissions, assessments, IQA samples and a chained decision
log, for scale tests and the page benchmark (`flask --app wsgi demo --scale large`).

Rows are written with Core bulk inserts in batches; IDs are handed out up front so that rows
can refer to each other before they exist. A fixed seed makes the data reproducible (only the
timestamps move with the day it runs). Running it again when the centre exists does nothing."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import sqlalchemy as sa
from flask import current_app

from portfolio.accounts.models import Centre, Cohort, User, cohort_members
from portfolio.auth.passwords import hash_password
from portfolio.casework.models import (
    Case,
    CaseRecord,
    CaseStatus,
    Finding,
    TimelineEntry,
    TrailEvent,
)
from portfolio.db import utcnow
from portfolio.demo import marking
from portfolio.demo.bulk import BulkWriter
from portfolio.demo.cases import exercise_dates, plan_case, scenario_kit
from portfolio.demo.evidence import build_portfolio
from portfolio.demo.state import CriterionRow, GeneratedCase, Generation, Learner
from portfolio.evidence.snapshot import unit_outline
from portfolio.exercises.models import Exercise
from portfolio.extensions import db
from portfolio.framework.models import Criterion, Outcome, Unit
from portfolio.library.models import LibraryScenario
from portfolio.library.queries import current_version, spec_of
from portfolio.library.services import load_bundled
from portfolio.roles import Role

LARGE_CENTRE = "Large Demo College"
EMAIL_DOMAIN = "large.demo.test"
SEED = 20261123

FIRST = (
    "Aisha Ben Chloe Dev Ellie Finn Grace Harry Isla Jack Kai Leah Mason Nia Oscar Priya Quinn "
    "Rosa Sam Tara Umar Vera Will Xena Yusuf Zara Amir Beth Callum Dina Ethan Fatima George "
    "Hannah Ibrahim Jade Kofi Lily Marcus Noor"
).split()
LAST = (
    "Ahmed Brown Campbell Davies Evans Fraser Green Hughes Iqbal Jones Khan Lewis Morgan Nowak "
    "O'Brien Patel Quinn Roberts Singh Taylor Usman Walker Wilson Young Zhang Clarke Edwards "
    "Hall Jackson Kaur Martin Murphy Price Reid Scott Thomas Turner Ward White Wood"
).split()
INTAKES = ("September", "January", "April", "June")


@dataclass(frozen=True)
class Sizes:
    """How many of each; `scaled(0.01)` gives a tiny centre for tests."""

    learners: int = 3000
    assessors: int = 60
    iqas: int = 15
    admins: int = 3
    cohorts: int = 40

    @classmethod
    def scaled(cls, factor: float) -> Sizes:
        base = cls()
        return cls(
            learners=max(4, round(base.learners * factor)),
            assessors=max(2, round(base.assessors * factor)),
            iqas=max(1, round(base.iqas * factor)),
            admins=base.admins,
            cohorts=max(2, round(base.cohorts * factor)),
        )


@dataclass
class LargeReport:
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


def large_centre_exists() -> bool:
    return db.session.scalar(sa.select(Centre.id).where(Centre.name == LARGE_CENTRE)) is not None


def build_large_centre(
    *, scale: float = 1.0, seed: int = SEED, password: str = "portfolio-demo", echo=None
) -> LargeReport | None:
    """Create the large centre, or return None when it exists already. Flushes, never commits
    (the command commits once, so a failure leaves nothing behind)."""
    if large_centre_exists():
        return None
    started = time.monotonic()
    say = echo or (lambda _msg: None)
    kits = _kits()
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == kits[0].spec.unit))
    criteria = db.session.execute(
        sa.select(Criterion.id, Criterion.ref, Criterion.text)
        .join(Outcome, Criterion.outcome_id == Outcome.id)
        .where(Criterion.unit_id == unit.id)
        .order_by(Outcome.position, Criterion.position, Criterion.id)
    ).all()
    centre = Centre(name=LARGE_CENTRE, created_at=utcnow() - timedelta(days=400))
    db.session.add(centre)
    db.session.flush()
    gen = Generation(
        rng=random.Random(seed),
        # Midnight today: the same seed gives the same rows all day, none in the future.
        now=datetime.combine(utcnow().date(), clock_time(0), UTC),
        writer=BulkWriter(),
        centre_id=centre.id,
        centre_name=centre.name,
        unit_id=unit.id,
        unit_outline=unit_outline(unit),
        criteria=[CriterionRow(*c) for c in criteria],
        kits=kits,
    )
    sizes = Sizes.scaled(scale)
    staff, learners = _people(gen, sizes, hash_password(password))
    say(f"  {len(learners):,} learners and {sum(map(len, staff.values())) - len(learners):,} staff")
    exercises = _cohorts_and_exercises(gen, sizes, staff[Role.CENTRE_ADMIN][0], learners)
    gen.flush()
    for n, learner in enumerate(learners, 1):
        cases = _cases(gen, learner, exercises)
        build_portfolio(gen, learner, cases)
        gen.maybe_flush()
        if n % 500 == 0:
            say(f"  {n:,} learners' cases and portfolios")
    marking.build_iqa(gen, staff[Role.IQA])
    entries = marking.chain_log(gen, centre.id)
    gen.flush()
    gen.writer.finish()
    db.session.flush()
    # Fresh planner statistics after a bulk load, so the first pages get sensible plans.
    db.session.execute(sa.text("ANALYZE"))
    say(f"  {entries:,} decision-log entries chained")
    return LargeReport(time.monotonic() - started, dict(gen.writer.counts))


def _kits():
    """The bundled scenarios' current versions, loading the bundle first if it is not there."""
    query = sa.select(LibraryScenario).where(LibraryScenario.centre_id.is_(None))
    scenarios = db.session.scalars(query.order_by(LibraryScenario.slug)).all()
    if not scenarios:
        load_bundled(current_app.config["SCENARIOS_DIR"])
        scenarios = db.session.scalars(query.order_by(LibraryScenario.slug)).all()
    kits = []
    for scenario in scenarios:
        version = current_version(scenario)
        kits.append(scenario_kit(scenario.id, version.id, version.number, spec_of(version)))
    return kits


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _people(gen: Generation, sizes: Sizes, password_hash: str):
    """Admins, assessors, IQAs and learners, each learner allocated to an assessor and an IQA
    (a few still waiting for allocation, a few deactivated)."""
    rng, table = gen.rng, User.__table__
    plan = [
        (Role.CENTRE_ADMIN, "admin", sizes.admins),
        (Role.ASSESSOR, "assessor", sizes.assessors),
        (Role.IQA, "iqa", sizes.iqas),
        (Role.LEARNER, "learner", sizes.learners),
    ]
    staff: dict[Role, list[int]] = {}
    learners: list[Learner] = []
    for role, prefix, count in plan:
        ids = list(gen.writer.ids(table, count))
        staff[role] = ids
        for n, user_id in enumerate(ids, 1):
            name = _person(rng)
            gen.names[user_id] = name
            email = f"{prefix}{n:04d}@{EMAIL_DOMAIN}"
            assessor = iqa = None
            new = False
            if role == Role.LEARNER:
                assessor = staff[Role.ASSESSOR][n % len(staff[Role.ASSESSOR])]
                iqa = staff[Role.IQA][n % len(staff[Role.IQA])]
                if rng.random() < 0.01:
                    assessor, iqa = None, None
                cohort_index = (n - 1) * sizes.cohorts // sizes.learners
                learners.append(Learner(user_id, name, email, assessor, iqa, cohort_index))
            elif role == Role.ASSESSOR and rng.random() < 0.1:
                new = True
                gen.new_assessors.add(user_id)
            gen.add(
                table,
                {
                    "id": user_id,
                    "centre_id": gen.centre_id,
                    "email": email,
                    "full_name": name,
                    "password_hash": password_hash,
                    "role": role,
                    "active": role != Role.LEARNER or rng.random() > 0.02,
                    "must_change_password": False,
                    "assessor_id": assessor,
                    "iqa_id": iqa,
                    "is_new_assessor": new,
                    "created_at": gen.now - timedelta(days=rng.randint(150, 400)),
                    "last_login_at": gen.now - timedelta(hours=rng.randint(1, 24 * 30)),
                },
            )
    return staff, learners


def _cohorts_and_exercises(gen: Generation, sizes: Sizes, admin_id: int, learners: list[Learner]):
    """Cohorts of about 75, and for each cohort one exercise per bundled scenario, staggered so
    that older cohorts have finished and the newest are starting. Returns
    {cohort index: [(exercise id, kit, opens_on)]}."""
    cohort_ids = list(gen.writer.ids(Cohort.__table__, sizes.cohorts))
    today = gen.now.date()
    exercises: dict[int, list] = {}
    for index, cohort_id in enumerate(cohort_ids):
        intake = INTAKES[index % len(INTAKES)]
        gen.add(
            Cohort.__table__,
            {
                "id": cohort_id,
                "centre_id": gen.centre_id,
                "name": f"{intake} intake, group {index + 1:02d}",
                "description": "Level 3 customer service learners.",
                "created_at": gen.now - timedelta(days=160),
            },
        )
        ids = gen.writer.ids(Exercise.__table__, len(gen.kits))
        exercises[index] = []
        for k, (exercise_id, kit) in enumerate(zip(ids, gen.kits, strict=True)):
            opens, closes = exercise_dates(index, k, today)
            gen.add(
                Exercise.__table__,
                {
                    "id": exercise_id,
                    "centre_id": gen.centre_id,
                    "cohort_id": cohort_id,
                    "scenario_id": kit.scenario_id,
                    "scenario_version_id": kit.version_id,
                    "title": f"{kit.spec.title}",
                    "opens_on": opens,
                    "closes_on": closes,
                    "created_by_id": admin_id,
                    "created_at": gen.now - timedelta(days=150),
                },
            )
            exercises[index].append((exercise_id, kit, opens))
    for learner in learners:
        gen.add(
            cohort_members,
            {"cohort_id": cohort_ids[learner.cohort_index], "user_id": learner.id},
        )
    return exercises


def _cases(gen: Generation, learner: Learner, exercises) -> list[GeneratedCase]:
    """The learner's cases on their cohort's opened exercises: most started, some started again
    (the earlier case set aside), longer trails on older exercises. Returns the open ones."""
    rng, now = gen.rng, gen.now
    open_cases = []
    for exercise_id, kit, opens in exercises[learner.cohort_index]:
        if opens >= now.date() or rng.random() > 0.97:
            continue
        start = datetime.combine(opens, clock_time(9), UTC) + timedelta(
            days=rng.uniform(0, 10), minutes=rng.randint(0, 480)
        )
        age_days = (now - start).days
        attempts = 2 if rng.random() < 0.6 else 1
        ids = gen.writer.ids(Case.__table__, attempts)
        for attempt, case_id in enumerate(ids):
            last = attempt == attempts - 1
            if last:
                ripeness = min(1.0, max(age_days, 0) / 45)
                length = 5 + round(20 * ripeness * rng.uniform(0.65, 1.0))
            else:
                length = rng.randint(5, 14)
            start = min(start, now - timedelta(hours=1))
            plan = plan_case(kit, rng, length, start)
            late = plan.last_at - now
            if late > timedelta(0):
                plan.shift(-late - timedelta(minutes=1))
            _write_case(gen, learner, case_id, exercise_id, kit, plan, open_case=last)
            if last:
                open_cases.append(GeneratedCase(case_id, kit, plan, plan.events[0][3]))
            start = plan.last_at + timedelta(hours=rng.uniform(2, 48))
    return open_cases


def _write_case(gen, learner, case_id, exercise_id, kit, plan, *, open_case: bool) -> None:
    created = plan.events[0][3]
    gen.add(
        Case.__table__,
        {
            "id": case_id,
            "learner_id": learner.id,
            "scenario_id": kit.scenario_id,
            "scenario_version_id": kit.version_id,
            "status": CaseStatus.OPEN if open_case else CaseStatus.SET_ASIDE,
            "exercise_id": exercise_id,
            "hours": plan.hours,
            "trail_count": len(plan.events),
            "created_at": created,
            "updated_at": plan.last_at,
        },
    )
    for seq, (kind, payload, hours, at) in enumerate(plan.events, 1):
        gen.add(
            TrailEvent.__table__,
            {
                "case_id": case_id,
                "seq": seq,
                "kind": kind,
                "sim_hours": hours,
                "real_at": at,
                "payload": payload,
            },
        )
    for kind, (data, version, at) in plan.records.items():
        gen.add(
            CaseRecord.__table__,
            {"case_id": case_id, "kind": kind, "data": data, "version": version, "updated_at": at},
        )
    for finding in plan.findings:
        gen.add(
            Finding.__table__,
            {
                "case_id": case_id,
                "text": finding["text"],
                "source": finding["source"],
                "document_id": finding["document_id"],
                "stakeholder_id": None,
                "question_id": None,
                "created_at": created,
            },
        )
    for entry in plan.timeline:
        gen.add(TimelineEntry.__table__, {"case_id": case_id, **entry, "created_at": created})
