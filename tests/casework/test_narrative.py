"""The case log in plain English."""

from portfolio.casework.models import TrailEvent
from portfolio.casework.narrative import describe_event

from .builders import minimal


def _said(kind: str, **payload) -> str:
    return describe_event(minimal(), TrailEvent(kind=kind, payload=payload))


def test_timeline_lines_say_which_entry():
    """The log said only 'Added a timeline entry' however many were added."""
    assert _said("timeline_saved", occurred_on="2026-04-14") == (
        "Added a timeline entry for 14 Apr 2026"
    )
    assert _said("timeline_saved", removed="2026-03-01") == (
        "Removed the timeline entry for 1 Mar 2026"
    )
    assert _said("timeline_saved", occurred_on="not a date") == (
        "Added a timeline entry for not a date"
    )


def test_a_finding_on_an_answer_names_whose_answer():
    assert _said(
        "finding_pinned", source="answer", stakeholder_id="billing-lead", question_id="x"
    ) == ("Pinned a finding to Marcus Doyle's answer")
    assert _said("finding_pinned", source="answer", stakeholder_id="gone", question_id="x") == (
        "Pinned a finding to an interview answer"
    )


def test_an_authorisation_total_is_written_as_money():
    """'Asked for authorisation of £1030.20' where the remedy page says £1,030.20."""
    assert _said("authorisation_requested", total="1030.20", approved=True) == (
        "Asked for authorisation of £1,030.20: authorised"
    )
    assert _said("authorisation_requested", total="lots", approved=False) == (
        "Asked for authorisation of £lots: not authorised"
    )
