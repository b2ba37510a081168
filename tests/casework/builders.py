"""Scenarios and hand-made trails for the casework rules tests."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from portfolio.casework.clock import cost_of, last_on_time_hours
from portfolio.casework.remedy import RemedyChoice, decide_authorisation, needs_authorisation
from portfolio.casework.trail import TrailEntry, TrailKind
from portfolio.scenarios.loader import load_paths, load_scenario_dir
from portfolio.scenarios.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
MINIMAL_DIR = ROOT / "tests" / "scenarios" / "fixtures" / "minimal"
BUNDLE_DIR = ROOT / "scenarios"

K = TrailKind


def entry(kind: TrailKind, hours: int, **payload: Any) -> TrailEntry:
    """A trail entry, written compactly."""
    return TrailEntry(kind, hours, payload)


@cache
def minimal() -> Scenario:
    """The minimal fixture scenario (start day 10, 8-hour days, final deadline day 56)."""
    return load_scenario_dir(MINIMAL_DIR)


@cache
def bundled() -> dict[str, Scenario]:
    """The bundled scenarios that validate right now, by slug."""
    return {s.slug: s for s in load_paths([BUNDLE_DIR]).scenarios}


def bundled_slugs() -> list[str]:
    """Slugs of the valid bundled scenarios, for parametrising."""
    return sorted(bundled())


class Learner:
    """Builds a trail action by action, advancing the clock by the scenario's costs."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.hours = 0
        self.trail: list[TrailEntry] = [entry(K.CASE_STARTED, 0)]

    def do(self, kind: TrailKind, **payload: Any) -> Learner:
        self.hours += cost_of(kind, self.scenario.clock)
        self.trail.append(entry(kind, self.hours, **payload))
        return self

    def read(self, document_id: str) -> Learner:
        return self.do(K.DOCUMENT_REQUESTED, document_id=document_id)

    def ask(self, stakeholder_id: str, question_id: str) -> Learner:
        return self.do(K.QUESTION_ASKED, stakeholder_id=stakeholder_id, question_id=question_id)

    def wait_until(self, hours: int) -> Learner:
        """Let simulated time pass (modelled as a draft saved at that hour)."""
        self.hours = max(self.hours, hours)
        self.trail.append(entry(K.DRAFT_SAVED, self.hours))
        return self


def strong_letter(scenario: Scenario) -> str:
    """A letter that says everything each letter_mentions requirement looks for."""
    lines = ["Dear customer,", "I am sorry for what went wrong and I have put it right."]
    for requirement in scenario.customer_reply.requirements:
        if requirement.kind == "letter_mentions":
            lines.append(f"On this point: {(requirement.any_of or ('',))[0]}.")
    lines.append("Yours sincerely")
    return "\n".join(lines)


WEAK_LETTER = "Dear customer,\nThank you for contacting us. The bill is correct.\nRegards"


def strong_case(scenario: Scenario) -> tuple[list[TrailEntry], str, RemedyChoice]:
    """A competent learner: reads every key document and tests every misleading account before
    the root cause, chooses the required remedies, seeks authority if needed, sends on time."""
    learner = Learner(scenario)
    for stakeholder, question in scenario.misleading_questions():
        learner.ask(stakeholder.id, question.id)
    documents = [
        *scenario.guidance.key_documents,
        *(q.contradicted_by for _, q in scenario.misleading_questions()),
    ]
    for document_id in dict.fromkeys(d for d in documents if d):
        learner.read(document_id)
        learner.do(K.FINDING_PINNED, source="document", document_id=document_id)
    learner.do(K.TIMELINE_SAVED).do(K.ROOT_CAUSE_SAVED, method="five_whys")
    choice = RemedyChoice(
        tuple(
            r.remedy or ""
            for r in scenario.customer_reply.requirements
            if r.kind == "remedy_includes"
        )
    )
    learner.do(K.REMEDY_SAVED)
    if needs_authorisation(scenario, choice)[0]:
        decision = decide_authorisation(scenario, choice)
        assert decision.approved, "the strong remedy should be within the manager's limit"
        learner.do(K.AUTHORISATION_REQUESTED, total=str(decision.total), approved=True)
    learner.do(K.LETTER_SAVED).do(K.RESPONSE_SENT, round=1)
    assert learner.hours <= last_on_time_hours(scenario), "the strong trail should be on time"
    return learner.trail, strong_letter(scenario), choice


def weak_choice(scenario: Scenario) -> RemedyChoice:
    """A remedy with none of the required components, and a goodwill sum beyond authority."""
    required = {r.remedy for r in scenario.customer_reply.requirements}
    unfair = tuple(r.id for r in scenario.remedies if not r.fair and r.id not in required)
    goodwill = (scenario.authority_limit + Decimal(100)).quantize(Decimal("0.01"))
    return RemedyChoice(unfair[:1], (("Goodwill for the trouble", goodwill),))


def weak_case(
    scenario: Scenario, *, sent: bool = True
) -> tuple[list[TrailEntry], str, RemedyChoice]:
    """A weak learner: believes the misleading accounts, reads no key document, writes a root
    cause anyway, overpays without authority and (if ``sent``) sends after the deadline."""
    learner = Learner(scenario)
    for stakeholder, question in scenario.misleading_questions():
        learner.ask(stakeholder.id, question.id)
    learner.do(K.ROOT_CAUSE_SAVED, method="fishbone").do(K.REMEDY_SAVED).do(K.LETTER_SAVED)
    if sent:
        late = last_on_time_hours(scenario) + scenario.clock.hours_per_day
        learner.wait_until(late).do(K.RESPONSE_SENT, round=1)
    return learner.trail, WEAK_LETTER, weak_choice(scenario)
