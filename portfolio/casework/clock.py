"""The simulated clock: working hours, days, costs of actions and the regulatory deadlines.

Time is counted in working hours since the case reached the learner (``hours``, 0 when the case
opens). A working day has ``clock.hours_per_day`` hours and the case opens at the start of day
``clock.start_day`` (days are counted from the complaint's first receipt, day 0), so::

    day  = start_day + hours // hours_per_day
    hour = hours % hours_per_day        # working hours into that day

Nothing happens overnight: the instant that closes one working day is the instant that opens the
next, and it belongs to the next day. Clock times are shown as if the working day opened at
09:00 (earlier for days longer than 15 hours, so the clock never passes midnight).

**The on-time rule.** Sending the final response takes ``costs.send_response`` hours and the
response counts as sent at the hours *after* sending (the ``response_sent`` entry's hours). It
reaches the customer on the day it is sent, and it is on time when that day is on or before the
deadline's day: ``day_of(sent_hours) <= deadline.day``. Because the instant that closes a day
belongs to the next, the last on-time moment is one working hour before the close of the deadline
day (``last_on_time_hours``): with 8-hour days, sending must be finished by 16:00 on the deadline
day. The customer's own reply time (``costs.customer_reply``) does not count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import NamedTuple

from portfolio.scenarios.schema import Clock, Deadline, Scenario

from .errors import RulesError
from .trail import TrailKind

#: The clock time at which the working day opens, for display.
OPENS_AT = 9


class Action(StrEnum):
    """An action that costs simulated time; the values are ``clock.costs`` keys."""

    REQUEST_DOCUMENT = "request_document"
    ASK_QUESTION = "ask_question"
    REQUEST_AUTHORISATION = "request_authorisation"
    SEND_RESPONSE = "send_response"
    CUSTOMER_REPLY = "customer_reply"


#: The action behind each trail kind that costs time; every other kind costs nothing.
ACTION_OF_KIND: dict[TrailKind, Action] = {
    TrailKind.DOCUMENT_REQUESTED: Action.REQUEST_DOCUMENT,
    TrailKind.QUESTION_ASKED: Action.ASK_QUESTION,
    TrailKind.AUTHORISATION_REQUESTED: Action.REQUEST_AUTHORISATION,
    TrailKind.RESPONSE_SENT: Action.SEND_RESPONSE,
    TrailKind.CUSTOMER_REPLIED: Action.CUSTOMER_REPLY,
}


@dataclass(frozen=True, order=True)
class SimTime:
    """A moment on the simulated clock: the day and the working hour within it (0-based)."""

    day: int
    hour: int
    opens_at: int = field(default=OPENS_AT, compare=False)

    @classmethod
    def from_hours(cls, clock: Clock, hours: int) -> SimTime:
        """The moment ``hours`` working hours after the case opened."""
        _check_hours(hours)
        per_day = clock.hours_per_day
        return cls(
            day=clock.start_day + hours // per_day,
            hour=hours % per_day,
            opens_at=min(OPENS_AT, 24 - per_day),
        )

    @property
    def clock_time(self) -> str:
        """The time of day as ``HH:00``."""
        return f"{self.opens_at + self.hour:02d}:00"

    def __str__(self) -> str:
        return f"day {self.day} {self.clock_time}"


def _check_hours(hours: int) -> None:
    if isinstance(hours, bool) or not isinstance(hours, int) or hours < 0:
        raise RulesError(f"Simulated hours must be a whole number of 0 or more, not {hours!r}.")


def calendar_date(clock: Clock, day: int) -> date | None:
    """The calendar date of a simulated day, when the scenario dates its day 0."""
    if clock.day_zero is None:
        return None
    return date.fromisoformat(clock.day_zero) + timedelta(days=day)


def day_of(clock: Clock, hours: int) -> int:
    """The simulated day ``hours`` working hours after the case opened."""
    return SimTime.from_hours(clock, hours).day


def cost_of(action: Action | TrailKind | str, clock: Clock) -> int:
    """The working hours an action takes: an ``Action``, or the trail kind that records it.

    Trail kinds with no cost (pinning a finding, saving a record) cost 0; an unknown name raises
    ``RulesError``.
    """
    if isinstance(action, TrailKind):
        costed = ACTION_OF_KIND.get(action)
        return getattr(clock.costs, costed.value) if costed else 0
    if action in set(Action):
        return getattr(clock.costs, Action(action).value)
    if action in set(TrailKind):
        return cost_of(TrailKind(action), clock)
    raise RulesError(f'"{action}" is not an action on the simulated clock.')


def advance(clock: Clock, hours: int, action: Action | TrailKind | str) -> int:
    """The hours after taking ``action`` at ``hours``."""
    _check_hours(hours)
    return hours + cost_of(action, clock)


class DeadlineStatus(NamedTuple):
    """Where a deadline stands: days left (negative once passed) and whether it has passed.

    A deadline is settled by the event that meets it, where the scenario says which:

    - ``sent_day`` is set once the final response has been sent on the final deadline and on
      any deadline a ``sent_by_deadline`` customer requirement names (the scenario's word that
      the response meets it): the deadline is then met or missed, however far the clock has
      moved since. On a deadline with ``met_by_remedy`` it is the day a response first offered
      that remedy.
    - ``not_offered`` is set on a ``met_by_remedy`` deadline when no more responses can be sent
      and none offered the remedy: it is missed, whatever day the clock stopped on.
    - ``before_case`` is set on a deadline whose day falls before the case reached the learner:
      whatever met or missed it is part of the case's history, not the learner's doing, so it
      is never "passed" against them.
    """

    deadline: Deadline
    days_left: int
    passed: bool
    sent_day: int | None = None
    before_case: bool = False
    not_offered: bool = False

    @property
    def met(self) -> bool | None:
        """Whether the deadline was met; None while nothing has settled it."""
        if self.not_offered:
            return False
        return None if self.sent_day is None else self.sent_day <= self.deadline.day

    @property
    def overdue(self) -> bool:
        """Whether the deadline is lost: missed by the response, or passed with none sent (a
        deadline that fell before the case opened is history, never overdue)."""
        if self.sent_day is None and not self.not_offered:
            return self.passed and not self.before_case
        return not self.met

    @property
    def outcome(self) -> str | None:
        """The settled deadline as text ("sent day 54, on time", "sent day 58, 2 days late",
        "offered in the response sent day 17, on time", "not offered in the response", "fell
        before the referral"); None while it is still open. A deadline a remedy meets says it
        was offered: "sent day 17" alone, beside a refund date, read as if the refund went."""
        if self.not_offered:
            return "not offered in the response"
        if self.sent_day is None:
            return "fell before the referral" if self.before_case else None
        late = self.sent_day - self.deadline.day
        when = "on time" if late <= 0 else f"{late} day{'' if late == 1 else 's'} late"
        sent = f"sent day {self.sent_day}, {when}"
        return f"offered in the response {sent}" if self.deadline.met_by_remedy else sent


def response_deadline_ids(scenario: Scenario) -> frozenset[str]:
    """The deadlines the final response meets: the final one, and any a ``sent_by_deadline``
    customer requirement names."""
    named = {
        r.deadline
        for r in scenario.customer_reply.requirements
        if r.kind == "sent_by_deadline" and r.deadline
    }
    return frozenset({scenario.final_deadline.id, *named})


def settled_by_remedy(scenario: Scenario) -> bool:
    """Whether any of the scenario's deadlines is met by a remedy (so its status needs the
    responses as sent, not only when the first went)."""
    return any(d.met_by_remedy for d in scenario.regime.deadlines)


def remedies_offered(rounds: Sequence[Mapping]) -> dict[str, int]:
    """When each remedy was first offered: remedy id to the hours its response was sent,
    from the correspondence record's rounds (oldest first)."""
    offered: dict[str, int] = {}
    for sent in rounds:
        for remedy_id in (sent.get("remedy") or {}).get("remedy_ids", ()):
            offered.setdefault(remedy_id, sent["sent_hours"])
    return offered


def deadline_status(
    scenario: Scenario,
    hours: int,
    *,
    sent_hours: int | None = None,
    offered: Mapping[str, int] | None = None,
    sending_over: bool = False,
) -> list[DeadlineStatus]:
    """Every regulatory deadline, in the scenario's order, as it stands at ``hours``.

    ``days_left`` is the deadline's day minus today; a deadline has passed once today is after its
    day (on the deadline day itself it has 0 days left and has not passed). ``sent_hours`` is when
    the final response was first sent (the ``response_sent`` entry's hours), None while unsent:
    it settles the deadlines the response meets (``response_deadline_ids``) by the on-time rule
    (see the module docstring). ``offered`` (``remedies_offered``) settles each deadline with a
    ``met_by_remedy`` by the same rule, from when a response first offered that remedy; with
    ``sending_over`` (no more responses can go) a remedy never offered has missed its deadline.
    A deadline before the case's start day is settled as history.
    """
    clock = scenario.clock
    today = day_of(clock, hours)
    sent_day = None if sent_hours is None else day_of(clock, sent_hours)
    by_response = response_deadline_ids(scenario)
    offered = offered or {}
    found = []
    for deadline in scenario.regime.deadlines:
        before_case = deadline.id not in by_response and deadline.day < clock.start_day
        settled, not_offered = None, False
        if deadline.id in by_response:
            settled = sent_day
        elif deadline.met_by_remedy and not before_case:
            remedy_hours = offered.get(deadline.met_by_remedy)
            settled = None if remedy_hours is None else day_of(clock, remedy_hours)
            not_offered = settled is None and sending_over
        found.append(
            DeadlineStatus(
                deadline,
                deadline.day - today,
                today > deadline.day,
                settled,
                before_case,
                not_offered,
            )
        )
    return found


def find_deadline(scenario: Scenario, deadline_id: str | None = None) -> Deadline:
    """The deadline with this id, or the final deadline when ``deadline_id`` is None."""
    if deadline_id is None:
        return scenario.final_deadline
    for deadline in scenario.regime.deadlines:
        if deadline.id == deadline_id:
            return deadline
    raise RulesError(f'The scenario has no deadline "{deadline_id}".')


def is_on_time(scenario: Scenario, sent_hours: int, deadline_id: str | None = None) -> bool:
    """Whether a response sent at ``sent_hours`` (after sending) meets the deadline.

    The final deadline unless ``deadline_id`` names another; see the module docstring for the rule.
    """
    return day_of(scenario.clock, sent_hours) <= find_deadline(scenario, deadline_id).day


def last_on_time_hours(scenario: Scenario, deadline_id: str | None = None) -> int:
    """The latest ``sent_hours`` that is still on time (negative if the deadline was missed
    before the case opened)."""
    clock = scenario.clock
    deadline = find_deadline(scenario, deadline_id)
    return (deadline.day - clock.start_day + 1) * clock.hours_per_day - 1
