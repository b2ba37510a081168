"""Generated casework for the large demo: a believable trail for one case (documents requested,
questions asked, findings pinned, records saved, responses sent and answered), the records and
notes that go with it, and the evidence content a submission freezes. Pure functions of a
scenario kit and a random generator: nothing here touches the database."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from portfolio.casework import clock as sim_clock
from portfolio.casework.narrative import describe_event
from portfolio.casework.remedy import (
    RemedyChoice,
    decide_authorisation,
    needs_authorisation,
    remedy_total,
    validate_choice,
)
from portfolio.casework.reply import evaluate_response
from portfolio.scenarios.schema import Scenario

FILLER = (
    "I have looked carefully at the account records, the notes of every contact you had with "
    "us and what our staff told me, so that this reply deals with each part of your complaint."
)


@dataclass
class RemedyPlan:
    """One remedy a learner might choose, with what the rules say about it (computed once)."""

    data: dict
    choice: RemedyChoice
    needs_authorisation: bool
    approved: bool
    total: str
    message: str


@dataclass
class ScenarioKit:
    """What the generator needs from one bundled scenario's pinned version."""

    scenario_id: int
    version_id: int
    version_number: int
    spec: Scenario
    documents: list[str]
    questions: list[tuple[str, str]]
    remedies: list[RemedyPlan]
    letters: list[str]  # a letter meeting every requirement first, then weaker ones
    knowledge_ids: list[str]
    replies: dict[tuple, tuple[bool, list[str], str]] = field(default_factory=dict)
    costs: dict[str, int] = field(default_factory=dict)

    def cost(self, kind: str) -> int:
        """The simulated hours an action of this kind takes (the clock's own rule, cached)."""
        if kind not in self.costs:
            self.costs[kind] = sim_clock.advance(self.spec.clock, 0, kind)
        return self.costs[kind]

    def reply(self, letter: int, remedy: int, sent_hours: int, round: int):
        """The customer's reply (accepted, unmet ids, text), by the scenario's own rules."""
        key = (letter, remedy, sent_hours, round)
        if key not in self.replies:
            result = evaluate_response(
                self.spec,
                letter=self.letters[letter],
                choice=self.remedies[remedy].choice,
                sent_hours=sent_hours,
                round=round,
            )
            self.replies[key] = (result.accepted, [r.id for r in result.unmet], result.text)
        return self.replies[key]


def _letter(spec: Scenario, phrases: list[str]) -> str:
    lines = [
        f"Dear {spec.customer.name},",
        "",
        f"Thank you for your complaint to {spec.organisation}. {FILLER}",
    ]
    lines += [f"On the question of {p}: I have set out below what we will do." for p in phrases]
    lines += ["", "Yours sincerely,", "Complaints Specialist"]
    return "\n".join(lines)


def scenario_kit(scenario_id: int, version_id: int, version_number: int, spec: Scenario):
    """Precompute the parts of a scenario every generated case draws on."""
    mentions = [
        r.any_of[0] for r in spec.customer_reply.requirements if r.kind == "letter_mentions"
    ]
    letters = [_letter(spec, mentions)]
    if mentions:
        letters.append(_letter(spec, mentions[1:]))
    fair = [r.id for r in spec.remedies if r.fair]
    required = [r.remedy for r in spec.customer_reply.requirements if r.kind == "remedy_includes"]
    options = [fair, [r for r in fair if r not in required[:1]], fair + [spec.remedies[-1].id]]
    remedies = []
    for ids in options:
        choice = RemedyChoice.of(ids)
        try:
            validate_choice(spec, choice)
        except Exception:  # noqa: BLE001 - a combination the rules refuse is simply not offered
            continue
        needed, _ = needs_authorisation(spec, choice)
        decision = decide_authorisation(spec, choice)
        remedies.append(
            RemedyPlan(
                data={"remedy_ids": list(choice.remedy_ids), "custom": [], "notes": ""},
                choice=choice,
                needs_authorisation=needed,
                approved=decision.approved,
                total=f"{remedy_total(spec, choice):.2f}",
                message=decision.message,
            )
        )
    return ScenarioKit(
        scenario_id=scenario_id,
        version_id=version_id,
        version_number=version_number,
        spec=spec,
        documents=[d.id for d in spec.documents],
        questions=[(s.id, q.id) for s in spec.stakeholders for q in s.questions],
        remedies=remedies,
        letters=letters,
        knowledge_ids=[q.id for q in spec.knowledge_questions],
    )


@dataclass
class CasePlan:
    """One generated case: its trail, records, findings and timeline, as plain data."""

    events: list[tuple[str, dict, int, datetime]] = field(default_factory=list)
    records: dict[str, tuple[dict, int, datetime]] = field(default_factory=dict)
    findings: list[dict] = field(default_factory=list)
    timeline: list[dict] = field(default_factory=list)

    @property
    def hours(self) -> int:
        return self.events[-1][2]

    @property
    def last_at(self) -> datetime:
        return self.events[-1][3]

    def shift(self, delta: timedelta) -> None:
        """Move every real time by `delta` (a case generated to end in the future ends now)."""
        self.events = [(k, p, h, at + delta) for k, p, h, at in self.events]
        self.records = {k: (d, v, at + delta) for k, (d, v, at) in self.records.items()}


class _Trail:
    """Appends events with the clock advanced by each action's cost and real time moving on."""

    def __init__(self, kit: ScenarioKit, plan: CasePlan, rng: random.Random, start: datetime):
        self.kit, self.plan, self.rng = kit, plan, rng
        self.hours, self.at = 0, start

    def add(self, kind: str, payload: dict | None = None) -> None:
        self.hours += self.kit.cost(kind)
        self.at += timedelta(minutes=self.rng.randint(2, 45))
        if self.rng.random() < 0.12:
            self.at += timedelta(days=self.rng.randint(1, 3))
        self.plan.events.append((kind, payload or {}, self.hours, self.at))

    def record(self, kind: str, data: dict) -> None:
        old = self.plan.records.get(kind)
        self.plan.records[kind] = (data, (old[1] + 1) if old else 1, self.at)


def _root_cause(spec: Scenario, method: str, good: bool) -> dict:
    cause = spec.guidance.root_cause if good else "The adviser did not follow the process."
    return {
        "method": method,
        "symptom": spec.guidance.symptom,
        "whys": [f"Because of step {i} in the chain of events." for i in range(1, 5)] + [cause],
        "fishbone": {
            key: (cause if key == "process" and method == "fishbone" else "")
            for key in ("people", "process", "systems", "information", "environment", "measurement")
        },
        "root_cause": cause,
    }


def _options() -> dict:
    option = {
        "description": "Put the account right and pay for the distress caused.",
        "customer_pros": "Puts things right quickly.",
        "customer_cons": "",
        "organisation_pros": "Fair and consistent.",
        "organisation_cons": "Costs money.",
    }
    blank = dict.fromkeys(option, "")
    return {
        "options": [option, {**option, "description": "Apologise only."}, blank],
        "chosen": "1",
        "reasons": "It treats the customer fairly.",
    }


def plan_case(kit: ScenarioKit, rng: random.Random, length: int, start: datetime) -> CasePlan:
    """A case whose trail has `length` events (5-25): the first half or so investigates, then
    the learner saves records, sends a response and (long enough) records the outcome."""
    plan = CasePlan()
    trail = _Trail(kit, plan, rng, start)
    trail.add("case_started", {"scenario_version": kit.version_number})
    docs = rng.sample(kit.documents, len(kit.documents))
    questions = rng.sample(kit.questions, len(kit.questions))
    read: list[str] = []
    investigating = max(3, round(length * rng.uniform(0.45, 0.6)))
    while len(plan.events) < min(length, investigating + 1):
        roll = rng.random()
        if roll < 0.4 and docs:
            read.append(docs.pop())
            trail.add("document_requested", {"document_id": read[-1]})
        elif roll < 0.75 and questions:
            stakeholder, question = questions.pop()
            trail.add("question_asked", {"stakeholder_id": stakeholder, "question_id": question})
        elif roll < 0.9 and read:
            doc = rng.choice(read)
            payload = {"source": "document", "document_id": doc}
            plan.findings.append(
                {"text": f"The {doc.replace('-', ' ')} shows what went wrong.", **payload}
            )
            trail.add("finding_pinned", payload)
        else:
            day = (start - timedelta(days=rng.randint(5, 60))).date()
            plan.timeline.append(
                {
                    "occurred_on": day,
                    "description": "The customer contacted us.",
                    "document_id": None,
                }
            )
            trail.add("timeline_saved", {"occurred_on": day.isoformat()})
    good = rng.random() < 0.7
    letter = 0 if good or len(kit.letters) == 1 else 1
    remedy = 0 if good or len(kit.remedies) == 1 else rng.randrange(1, len(kit.remedies))
    _resolve(kit, plan, trail, length, letter, remedy, good)
    return plan


def _resolve(kit, plan, trail, length, letter, remedy, good) -> None:
    """Resolution steps in order, stopping once the trail is `length` long."""
    rng, spec = trail.rng, kit.spec
    method = rng.choice(("five_whys", "fishbone"))
    plan_remedy = kit.remedies[remedy]
    steps: list = [
        ("root_cause_saved", {"method": method}, "root_cause", _root_cause(spec, method, good)),
        ("options_saved", {}, "options", _options()),
        ("remedy_saved", {}, "remedy", plan_remedy.data),
    ]
    if plan_remedy.needs_authorisation:
        steps.append("authorise")
    steps.append(("letter_saved", {}, "letter", {"text": kit.letters[letter]}))
    if plan_remedy.approved or not plan_remedy.needs_authorisation:
        # A remedy the manager declined cannot be sent (services.send_response refuses it):
        # that learner stops with the letter drafted, to change the remedy.
        steps.append("send")
    for step in steps:
        if len(plan.events) >= length:
            return
        if step == "authorise":
            trail.add(
                "authorisation_requested",
                {"total": plan_remedy.total, "approved": plan_remedy.approved},
            )
            request = {
                "hours": trail.hours,
                "total": plan_remedy.total,
                "approved": plan_remedy.approved,
                "message": plan_remedy.message,
                "remedy": plan_remedy.data,
            }
            trail.record("authorisation", {"requests": [request]})
        elif step == "send":
            _send(kit, plan, trail, length, letter, remedy)
        else:
            kind, payload, record, data = step
            if rng.random() < 0.25 and len(plan.events) < length - 1:
                trail.add("draft_saved", {"record": record})
            trail.record(record, data)
            trail.add(kind, payload)


def _send(kit, plan, trail, length, letter, remedy) -> None:
    rng, rounds = trail.rng, []
    for number in (1, 2):
        if len(plan.events) + 2 > length:
            return
        trail.add("response_sent", {"round": number})
        sent = trail.hours
        accepted, unmet, text = kit.reply(letter, remedy, sent, number)
        trail.add("customer_replied", {"accepted": accepted, "unmet": unmet})
        rounds.append(
            {
                "round": number,
                "letter": kit.letters[letter],
                "remedy": kit.remedies[remedy].data,
                "sent_hours": sent,
                "on_time": sim_clock.is_on_time(kit.spec, sent),
                "reply": text,
                "accepted": accepted,
                "unmet": unmet,
                "replied_hours": trail.hours,
            }
        )
        trail.record("correspondence", {"rounds": list(rounds)})
        if accepted or number == 2 or len(plan.events) + 3 > length:
            break
        letter = 0  # the revision adds what the customer said was missing
        trail.record("letter", {"text": kit.letters[0]})
        trail.add("letter_saved")
    for kind, payload, record, data in (
        ("outcome_recorded", {}, "outcome", {"outcome": "Resolved.", "follow_up": "None."}),
        (
            "draft_saved",
            {"record": "knowledge", "saved": True},
            "knowledge",
            {"answers": {q: "In my own words: " + q.replace("-", " ") for q in kit.knowledge_ids}},
        ),
        (
            "draft_saved",
            {"record": "reflection", "saved": True},
            "reflection",
            {"text": "What I learned from working this complaint, and what I would change."},
        ),
    ):
        if len(plan.events) >= length or (kind == "draft_saved" and rng.random() < 0.3):
            return
        trail.record(record, data)
        trail.add(kind, payload)


# --- evidence ---------------------------------------------------------------------------------


def evidence_sources(plan: CasePlan) -> list[str]:
    """The case-derived evidence items this case's records make (as sync_case_items would)."""
    kinds = set(plan.records)
    sources = ["case_log"]
    if plan.findings or plan.timeline or kinds & {"root_cause", "summary"}:
        sources.append("investigation")
    if kinds & {"options", "remedy", "letter", "correspondence", "outcome"}:
        sources.append("resolution")
    sources += [k for k in ("knowledge", "reflection") if k in kinds]
    return sources


def proposed_refs(kit: ScenarioKit, source: str) -> list[str]:
    """The criteria the scenario proposes for an item from this source."""
    if source == "knowledge":
        return list(dict.fromkeys(q.criterion for q in kit.spec.knowledge_questions))
    return list(getattr(kit.spec.evidence_map, source, ()))


def item_content(kit: ScenarioKit, plan: CasePlan, source: str) -> dict[str, Any]:
    """An item's content as evidence/content.py builds it, from the generated case."""
    spec, records = kit.spec, {k: v[0] for k, v in plan.records.items()}
    events = [SimpleNamespace(kind=k, payload=p) for k, p, _, _ in plan.events]
    timed = zip(plan.events, events, strict=True)
    if source == "case_log":
        return {
            "entries": [
                {
                    "seq": n,
                    "simulated": str(sim_clock.SimTime.from_hours(spec.clock, hours)),
                    "real": at.isoformat(timespec="minutes"),
                    "action": describe_event(spec, event),
                }
                for n, ((_, _, hours, at), event) in enumerate(timed, 1)
            ]
        }
    if source == "investigation":
        return {
            "documents_read": [
                describe_event(spec, e).removeprefix("Requested and read: ")
                for e in events
                if e.kind == "document_requested"
            ],
            "questions_asked": [
                describe_event(spec, e).removeprefix("Asked ")
                for e in events
                if e.kind == "question_asked"
            ],
            "findings": [
                {"text": f["text"], "source": spec.document(f["document_id"]).title}
                for f in plan.findings
            ],
            "timeline": [
                {"date": t["occurred_on"].isoformat(), "description": t["description"]}
                for t in plan.timeline
            ],
            "root_cause": records.get("root_cause"),
            "summary": "",
        }
    if source == "resolution":
        remedy = records.get("remedy")
        rounds = records.get("correspondence", {}).get("rounds", [])
        return {
            "options": records.get("options"),
            "remedy": _remedy_content(spec, remedy),
            "authorisation": records.get("authorisation", {}).get("requests", []),
            "letter": records.get("letter", {}).get("text", ""),
            "correspondence": [
                {k: r[k] for k in ("round", "letter", "on_time", "reply", "accepted")}
                for r in rounds
            ],
            "outcome": records.get("outcome"),
        }
    if source == "knowledge":
        answers = records.get("knowledge", {}).get("answers", {})
        return {
            "answers": [
                {"criterion": q.criterion, "question": q.text, "answer": answers.get(q.id, "")}
                for q in spec.knowledge_questions
            ]
        }
    return {"text": records.get("reflection", {}).get("text", "")}


def _remedy_content(spec: Scenario, remedy: dict | None) -> dict | None:
    if remedy is None:
        return None
    components = [
        {"label": r.label, "amount": str(r.amount)}
        for r in (spec.remedy(i) for i in remedy["remedy_ids"])
        if r
    ]
    total = sum((Decimal(c["amount"]) for c in components), Decimal(0))
    return {"components": components, "total": str(total), "notes": remedy.get("notes", "")}


def exercise_dates(cohort_index: int, k: int, today: date) -> tuple[date, date]:
    """Staggered intakes: older cohorts have every exercise open or closed, the newest still
    have some to come."""
    base = today - timedelta(days=140 - (cohort_index % 10) * 12)
    opens = base + timedelta(days=21 * k)
    return opens, opens + timedelta(days=35)
