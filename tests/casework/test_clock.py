"""The simulated clock: days and hours, costs, deadlines and the on-time rule."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio.casework.clock import (
    Action,
    SimTime,
    advance,
    calendar_date,
    cost_of,
    day_of,
    deadline_status,
    find_deadline,
    is_on_time,
    last_on_time_hours,
    remedies_offered,
    response_deadline_ids,
    settled_by_remedy,
)
from portfolio.casework.errors import RulesError
from portfolio.casework.trail import TrailKind
from portfolio.scenarios.schema import Clock, ClockCosts

from .builders import bundled, bundled_slugs, minimal

COSTS = ClockCosts(
    request_document=3, ask_question=1, request_authorisation=8, send_response=2, customer_reply=16
)


def make_clock(start_day: int = 10, hours_per_day: int = 8) -> Clock:
    return Clock(start_day=start_day, hours_per_day=hours_per_day, costs=COSTS)


# --- Days and hours ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "day", "hour", "label"),
    [
        (0, 10, 0, "day 10 09:00"),
        (1, 10, 1, "day 10 10:00"),
        (7, 10, 7, "day 10 16:00"),
        (8, 11, 0, "day 11 09:00"),
        (15, 11, 7, "day 11 16:00"),
        (16, 12, 0, "day 12 09:00"),
        (8 * 46 + 3, 56, 3, "day 56 12:00"),
    ],
)
def test_sim_time_from_hours(hours: int, day: int, hour: int, label: str) -> None:
    time = SimTime.from_hours(make_clock(), hours)
    assert (time.day, time.hour) == (day, hour)
    assert str(time) == label
    assert day_of(make_clock(), hours) == day


def test_long_working_days_open_early_enough_not_to_pass_midnight() -> None:
    clock = make_clock(start_day=0, hours_per_day=24)
    assert str(SimTime.from_hours(clock, 23)) == "day 0 23:00"
    assert str(SimTime.from_hours(clock, 24)) == "day 1 00:00"
    assert SimTime.from_hours(make_clock(hours_per_day=20), 19).clock_time == "23:00"


def test_sim_times_compare_by_day_then_hour() -> None:
    clock = make_clock()
    assert SimTime.from_hours(clock, 7) < SimTime.from_hours(clock, 8)
    assert SimTime(10, 3) == SimTime.from_hours(clock, 3)


@pytest.mark.parametrize("hours", [-1, 1.5, True, "3"])
def test_bad_hours_are_refused(hours: object) -> None:
    with pytest.raises(RulesError):
        SimTime.from_hours(make_clock(), hours)  # type: ignore[arg-type]


@given(
    start_day=st.integers(0, 400),
    hours_per_day=st.integers(1, 24),
    hours=st.integers(0, 100_000),
    more=st.integers(0, 1_000),
)
def test_clock_properties(start_day: int, hours_per_day: int, hours: int, more: int) -> None:
    clock = make_clock(start_day, hours_per_day)
    time = SimTime.from_hours(clock, hours)
    assert time.day == start_day + hours // hours_per_day
    assert 0 <= time.hour < hours_per_day
    assert (time.day - start_day) * hours_per_day + time.hour == hours
    assert 0 <= time.opens_at + time.hour <= 23
    later = SimTime.from_hours(clock, hours + more)
    assert later >= time
    assert SimTime.from_hours(clock, hours + 1) > time


@given(hours=st.integers(0, 10_000), action=st.sampled_from(list(Action) + list(TrailKind)))
def test_advancing_never_goes_back(hours: int, action: Action | TrailKind) -> None:
    assert advance(make_clock(), hours, action) >= hours


# --- Costs ---------------------------------------------------------------------------------------


def test_cost_of_actions_and_trail_kinds() -> None:
    clock = minimal().clock
    assert cost_of(Action.REQUEST_DOCUMENT, clock) == 3
    assert cost_of("ask_question", clock) == 1
    assert cost_of(Action.REQUEST_AUTHORISATION, clock) == 8
    assert cost_of(Action.SEND_RESPONSE, clock) == 2
    assert cost_of(Action.CUSTOMER_REPLY, clock) == 16
    assert cost_of(TrailKind.DOCUMENT_REQUESTED, clock) == 3
    assert cost_of("question_asked", clock) == 1
    assert cost_of(TrailKind.RESPONSE_SENT, clock) == 2
    assert cost_of(TrailKind.CUSTOMER_REPLIED, clock) == 16
    for free in (TrailKind.FINDING_PINNED, TrailKind.ROOT_CAUSE_SAVED, TrailKind.LETTER_SAVED):
        assert cost_of(free, clock) == 0
    assert advance(clock, 10, Action.REQUEST_DOCUMENT) == 13


def test_unknown_action_is_refused() -> None:
    with pytest.raises(RulesError, match="not an action"):
        cost_of("make_tea", minimal().clock)


def test_calendar_date_counts_from_day_zero() -> None:
    clock = make_clock()
    assert calendar_date(clock, 50) is None  # undated scenarios show day numbers only
    dated = clock.model_copy(update={"day_zero": "2026-07-13"})
    assert calendar_date(dated, 0) == date(2026, 7, 13)
    assert calendar_date(dated, 50) == date(2026, 9, 1)


# --- Deadlines -----------------------------------------------------------------------------------


def test_deadline_status_counts_days_left() -> None:
    scenario = minimal()  # reminder day 28, adr-letter day 56 (final); opens day 10
    at_open = deadline_status(scenario, 0)
    assert [(s.deadline.id, s.days_left, s.passed) for s in at_open] == [
        ("reminder", 18, False),
        ("adr-letter", 46, False),
    ]
    on_reminder_day = deadline_status(scenario, (28 - 10) * 8 + 7)
    assert (on_reminder_day[0].days_left, on_reminder_day[0].passed) == (0, False)
    day_after = deadline_status(scenario, (29 - 10) * 8)
    assert (day_after[0].days_left, day_after[0].passed) == (-1, True)
    assert (day_after[1].days_left, day_after[1].passed) == (27, False)
    deadline, days_left, passed, sent_day, before_case, not_offered = day_after[1]  # a tuple too
    assert deadline.id == "adr-letter" and days_left == 27 and not passed and sent_day is None
    assert not before_case and not not_offered


def test_a_sent_final_response_settles_the_final_deadline() -> None:
    scenario = minimal()  # reminder day 28, adr-letter day 56 (final); opens day 10
    on_time = (54 - 10) * 8 + 2  # sent on day 54
    after_reply = (57 - 10) * 8  # the customer's reply moved the clock past the deadline
    reminder, final = deadline_status(scenario, after_reply, sent_hours=on_time)
    assert final.passed and final.sent_day == 54 and final.met is True and not final.overdue
    assert final.outcome == "sent day 54, on time"
    # No requirement says the response meets the reminder: it stays unsettled, and passed.
    assert reminder.sent_day is None and reminder.overdue and reminder.outcome is None
    _, late = deadline_status(scenario, (60 - 10) * 8, sent_hours=(58 - 10) * 8)
    assert late.met is False and late.overdue and late.outcome == "sent day 58, 2 days late"
    _, one = deadline_status(scenario, (60 - 10) * 8, sent_hours=(57 - 10) * 8)
    assert one.outcome == "sent day 57, 1 day late"
    _, unsent = deadline_status(scenario, after_reply)
    assert unsent.met is None and unsent.outcome is None and unsent.overdue


def test_a_deadline_a_sent_by_deadline_requirement_names_is_settled_by_the_response() -> None:
    scenario = minimal()  # reminder day 28, adr-letter day 56 (final); opens day 10
    reply = scenario.customer_reply
    on_reminder = reply.requirements[-1].model_copy(update={"id": "prompt", "deadline": "reminder"})
    scenario = scenario.model_copy(
        update={
            "customer_reply": reply.model_copy(
                update={"requirements": (*reply.requirements, on_reminder)}
            )
        }
    )
    assert response_deadline_ids(scenario) == {"reminder", "adr-letter"}
    reminder, final = deadline_status(scenario, (57 - 10) * 8, sent_hours=(27 - 10) * 8 + 2)
    assert reminder.outcome == "sent day 27, on time" and reminder.met and not reminder.overdue
    assert final.outcome == "sent day 27, on time"
    late, _ = deadline_status(scenario, (57 - 10) * 8, sent_hours=(30 - 10) * 8)
    assert late.outcome == "sent day 30, 2 days late" and late.overdue


def _reminder_met_by(remedy_id: str):
    """The minimal scenario with its reminder (day 28) met by a remedy."""
    scenario = minimal()
    regime = scenario.regime
    reminder, final = regime.deadlines
    reminder = reminder.model_copy(update={"met_by_remedy": remedy_id})
    return scenario.model_copy(
        update={"regime": regime.model_copy(update={"deadlines": (reminder, final)})}
    )


def _round(remedy_ids: list[str], day: int) -> dict:
    return {"remedy": {"remedy_ids": remedy_ids}, "sent_hours": (day - 10) * 8 + 2}


def test_remedies_offered_records_when_each_remedy_was_first_sent() -> None:
    rounds = [_round(["honour-price"], 20), _round(["honour-price", "refund-overcharge"], 25)]
    assert remedies_offered(rounds) == {"honour-price": 82, "refund-overcharge": 122}
    assert remedies_offered([]) == {} and remedies_offered([{"sent_hours": 3}]) == {}


def test_a_deadline_a_remedy_meets_is_settled_when_a_response_offers_it() -> None:
    """Energy's Direct Debit date is met by the dispute hold, not by any response: a response
    without the hold leaves it counting down, a revision offering it settles it, and once no
    response can go it is missed."""
    scenario = _reminder_met_by("refund-overcharge")
    assert settled_by_remedy(scenario) and not settled_by_remedy(minimal())
    at = (30 - 10) * 8  # day 30, after the reminder's day 28
    first = [_round(["honour-price"], 20)]
    reminder, final = deadline_status(
        scenario, at, sent_hours=first[0]["sent_hours"], offered=remedies_offered(first)
    )
    assert final.outcome == "sent day 20, on time"
    assert reminder.sent_day is None and reminder.outcome is None and reminder.overdue
    on_time = [*first, _round(["refund-overcharge"], 27)]
    reminder, _ = deadline_status(scenario, at, offered=remedies_offered(on_time))
    assert reminder.outcome == "offered in the response sent day 27, on time"
    assert reminder.met and not reminder.overdue
    late = [*first, _round(["refund-overcharge"], 29)]
    reminder, _ = deadline_status(scenario, at, offered=remedies_offered(late))
    assert reminder.outcome == "offered in the response sent day 29, 1 day late"
    assert reminder.overdue
    # Sending is over (the customer accepted, or the revision is used) and it was never offered:
    # missed, even though the clock stopped before the deadline day.
    early = (15 - 10) * 8
    reminder, _ = deadline_status(
        scenario, early, offered=remedies_offered(first), sending_over=True
    )
    assert not reminder.passed and reminder.not_offered and reminder.overdue
    assert reminder.met is False and reminder.outcome == "not offered in the response"
    reminder, _ = deadline_status(scenario, early, offered=remedies_offered(first))
    assert reminder.outcome is None and not reminder.overdue and reminder.days_left == 13


@pytest.mark.parametrize("slug", ["energy-back-bill", "retail-faulty-goods"])
def test_bundled_deadlines_met_by_a_remedy(slug: str) -> None:
    scenario = bundled()[slug]
    by_remedy = [d for d in scenario.regime.deadlines if d.met_by_remedy]
    assert len(by_remedy) == 1 and not by_remedy[0].final
    remedy_ids = {r.id for r in scenario.remedies}
    assert by_remedy[0].met_by_remedy in remedy_ids


def test_a_deadline_before_the_case_opened_is_history_not_passed() -> None:
    """The insurance scenario's acknowledgement (day 5) was sent long before the referral
    (day 50): it is settled as history, never shown as passed against the learner."""
    scenario = minimal()
    scenario = scenario.model_copy(
        update={"clock": scenario.clock.model_copy(update={"start_day": 30})}
    )
    reminder, final = deadline_status(scenario, 0)
    assert reminder.passed and reminder.before_case and not reminder.overdue
    assert reminder.outcome == "fell before the referral" and reminder.met is None
    assert not final.before_case and final.outcome is None
    reminder, _ = deadline_status(scenario, 100, sent_hours=90)
    assert reminder.sent_day is None and reminder.outcome == "fell before the referral"


@pytest.mark.parametrize("slug", bundled_slugs())
def test_bundled_deadlines_before_the_referral_are_history(slug: str) -> None:
    scenario = bundled()[slug]
    for status in deadline_status(scenario, 0):
        early = status.deadline.day < scenario.clock.start_day
        assert status.before_case == early and not status.overdue


def test_find_deadline() -> None:
    scenario = minimal()
    assert find_deadline(scenario).id == "adr-letter"
    assert find_deadline(scenario, "reminder").day == 28
    with pytest.raises(RulesError, match="no deadline"):
        find_deadline(scenario, "nope")


def test_on_time_boundary() -> None:
    scenario = minimal()
    last = last_on_time_hours(scenario)
    assert last == (56 - 10 + 1) * 8 - 1 == 375
    assert str(SimTime.from_hours(scenario.clock, last)) == "day 56 16:00"
    assert is_on_time(scenario, (56 - 10) * 8)  # first hour of the deadline day
    assert is_on_time(scenario, last)  # last hour of the deadline day
    assert not is_on_time(scenario, last + 1)  # the next day opens: late
    assert not is_on_time(scenario, (57 - 10) * 8 + 3)  # a day after
    assert is_on_time(scenario, 0)


def test_on_time_against_another_deadline() -> None:
    scenario = minimal()
    assert is_on_time(scenario, (28 - 10) * 8 + 7, "reminder")
    assert not is_on_time(scenario, (29 - 10) * 8, "reminder")
    assert last_on_time_hours(scenario, "reminder") == (28 - 10 + 1) * 8 - 1


def test_sending_time_counts() -> None:
    """Starting to send in the last hour of the deadline day finishes on the next day: late."""
    scenario = minimal()
    start = last_on_time_hours(scenario)
    assert not is_on_time(scenario, advance(scenario.clock, start, Action.SEND_RESPONSE))
    latest_start = last_on_time_hours(scenario) - cost_of(Action.SEND_RESPONSE, scenario.clock)
    assert is_on_time(scenario, advance(scenario.clock, latest_start, Action.SEND_RESPONSE))
