"""The case trail as the rules read it: what the learner did, in order, and when.

A trail is a sequence of ``TrailEntry`` values in the order the actions happened (the rules
compare positions in the sequence for "before" and "after", so two actions at the same simulated
hour still have an order). ``hours`` is the simulated working time since the case opened, *after*
the action; actions that take no simulated time share the previous entry's hours.

Payloads, by kind (other kinds carry no required keys; extra keys are allowed and ignored):

- ``document_requested``: ``{"document_id": str}``
- ``question_asked``: ``{"stakeholder_id": str, "question_id": str}``
- ``finding_pinned``: ``{"source": "document", "document_id": str}`` or
  ``{"source": "answer", "stakeholder_id": str, "question_id": str}``
- ``root_cause_saved``: ``{"method": "five_whys" | "fishbone"}``
- ``authorisation_requested``: ``{"total": "250.00" (a decimal as a string), "approved": bool}``
- ``response_sent``: ``{"round": 1 | 2}``
- ``customer_replied``: ``{"accepted": bool, "unmet": [requirement ids]}``
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from .errors import RulesError


class TrailKind(StrEnum):
    """What a trail entry records."""

    CASE_STARTED = "case_started"
    DOCUMENT_REQUESTED = "document_requested"
    QUESTION_ASKED = "question_asked"
    FINDING_PINNED = "finding_pinned"
    TIMELINE_SAVED = "timeline_saved"
    ROOT_CAUSE_SAVED = "root_cause_saved"
    SUMMARY_SAVED = "summary_saved"
    OPTIONS_SAVED = "options_saved"
    REMEDY_SAVED = "remedy_saved"
    AUTHORISATION_REQUESTED = "authorisation_requested"
    LETTER_SAVED = "letter_saved"
    RESPONSE_SENT = "response_sent"
    CUSTOMER_REPLIED = "customer_replied"
    OUTCOME_RECORDED = "outcome_recorded"
    DRAFT_SAVED = "draft_saved"


ROOT_CAUSE_METHODS = frozenset({"five_whys", "fishbone"})
FINDING_SOURCES = frozenset({"document", "answer"})

#: The payload keys each kind must carry.
PAYLOAD_KEYS: Mapping[TrailKind, tuple[str, ...]] = MappingProxyType(
    {
        TrailKind.DOCUMENT_REQUESTED: ("document_id",),
        TrailKind.QUESTION_ASKED: ("stakeholder_id", "question_id"),
        TrailKind.FINDING_PINNED: ("source",),
        TrailKind.ROOT_CAUSE_SAVED: ("method",),
        TrailKind.AUTHORISATION_REQUESTED: ("total", "approved"),
        TrailKind.RESPONSE_SENT: ("round",),
        TrailKind.CUSTOMER_REPLIED: ("accepted", "unmet"),
    }
)


@dataclass(frozen=True)
class TrailEntry:
    """One thing the learner did (or the simulation did for them) and the clock after it.

    Construction checks the payload has the keys its kind needs and stores a read-only copy;
    a malformed entry raises ``RulesError``.
    """

    kind: TrailKind
    hours: int
    payload: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        try:
            kind = TrailKind(self.kind)
        except ValueError:
            raise RulesError(f'"{self.kind}" is not a kind of trail entry.') from None
        if isinstance(self.hours, bool) or not isinstance(self.hours, int) or self.hours < 0:
            raise RulesError(
                f"A trail entry's hours must be a whole number of 0 or more, not {self.hours!r}."
            )
        payload = dict(self.payload)
        _check_payload(kind, payload)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "payload", MappingProxyType(payload))

    def get(self, key: str, default: Any = None) -> Any:
        """A payload value, or ``default``."""
        return self.payload.get(key, default)


def _check_payload(kind: TrailKind, payload: Mapping[str, Any]) -> None:
    """Raise RulesError when the payload lacks a key its kind needs or has a bad value."""
    needed = list(PAYLOAD_KEYS.get(kind, ()))
    if kind is TrailKind.FINDING_PINNED:
        source = payload.get("source")
        if source not in FINDING_SOURCES:
            raise RulesError(
                f'A pinned finding\'s source must be "document" or "answer", not {source!r}.'
            )
        needed += ["document_id"] if source == "document" else ["stakeholder_id", "question_id"]
    missing = [key for key in needed if key not in payload]
    if missing:
        raise RulesError(f"A {kind} entry needs {', '.join(missing)} in its payload.")
    if kind is TrailKind.ROOT_CAUSE_SAVED and payload["method"] not in ROOT_CAUSE_METHODS:
        raise RulesError(
            f'A root cause\'s method must be "five_whys" or "fishbone", not {payload["method"]!r}.'
        )
    if kind is TrailKind.RESPONSE_SENT and payload["round"] not in (1, 2):
        raise RulesError(f"A response's round must be 1 or 2, not {payload['round']!r}.")
    if kind is TrailKind.AUTHORISATION_REQUESTED:
        entry_total(payload["total"])
        if not isinstance(payload["approved"], bool):
            raise RulesError("An authorisation request's approved must be true or false.")
    if kind is TrailKind.CUSTOMER_REPLIED and not isinstance(payload["accepted"], bool):
        raise RulesError("A customer reply's accepted must be true or false.")


def entry_total(value: object) -> Decimal:
    """An authorisation request's total (stored as a decimal string) as a Decimal."""
    try:
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise InvalidOperation
        total = Decimal(str(value))
        if not total.is_finite() or total < 0:
            raise InvalidOperation
    except InvalidOperation:
        raise RulesError(f"{value!r} is not an amount in pounds.") from None
    return total


Trail = Sequence[TrailEntry]


def current_hours(trail: Trail) -> int:
    """The simulated hours now: the latest entry's hours, or 0 for an empty trail."""
    return max((entry.hours for entry in trail), default=0)


def indexed(trail: Trail, kind: TrailKind) -> list[tuple[int, TrailEntry]]:
    """Every entry of this kind with its position in the trail, in order."""
    return [(i, entry) for i, entry in enumerate(trail) if entry.kind is kind]


def first_index(trail: Trail, kind: TrailKind, **match: Any) -> int | None:
    """The position of the first entry of this kind whose payload has every ``match`` value."""
    for i, entry in indexed(trail, kind):
        if all(entry.payload.get(key) == value for key, value in match.items()):
            return i
    return None


def last_index(trail: Trail, kind: TrailKind) -> int | None:
    """The position of the last entry of this kind, or None."""
    found = indexed(trail, kind)
    return found[-1][0] if found else None


def requested_documents(trail: Iterable[TrailEntry]) -> set[str]:
    """The ids of every document requested in the trail."""
    return {e.payload["document_id"] for e in trail if e.kind is TrailKind.DOCUMENT_REQUESTED}
