"""Trail entries: payload checks, immutability and lookups."""

from decimal import Decimal

import pytest

from portfolio.casework.errors import RulesError
from portfolio.casework.trail import (
    TrailEntry,
    TrailKind,
    current_hours,
    entry_total,
    first_index,
    indexed,
    last_index,
    requested_documents,
)

from .builders import entry

K = TrailKind


def test_kind_may_be_given_as_text() -> None:
    made = TrailEntry("document_requested", 3, {"document_id": "billing-log"})  # type: ignore[arg-type]
    assert made.kind is K.DOCUMENT_REQUESTED
    assert made == entry(K.DOCUMENT_REQUESTED, 3, document_id="billing-log")
    assert made.get("document_id") == "billing-log"
    assert made.get("missing", "x") == "x"


def test_payload_is_a_read_only_copy() -> None:
    payload = {"document_id": "billing-log"}
    made = TrailEntry(K.DOCUMENT_REQUESTED, 3, payload)
    payload["document_id"] = "changed"
    assert made.payload["document_id"] == "billing-log"
    with pytest.raises(TypeError):
        made.payload["document_id"] = "x"  # type: ignore[index]
    assert hash(made) == hash(entry(K.DOCUMENT_REQUESTED, 3, document_id="other"))


@pytest.mark.parametrize(
    ("kind", "hours", "payload", "message"),
    [
        ("coffee_break", 0, {}, "not a kind"),
        (K.CASE_STARTED, -1, {}, "hours"),
        (K.CASE_STARTED, True, {}, "hours"),
        (K.DOCUMENT_REQUESTED, 3, {}, "document_id"),
        (K.QUESTION_ASKED, 1, {"stakeholder_id": "a"}, "question_id"),
        (K.FINDING_PINNED, 1, {"source": "rumour"}, "source"),
        (K.FINDING_PINNED, 1, {"source": "document"}, "document_id"),
        (K.FINDING_PINNED, 1, {"source": "answer", "stakeholder_id": "a"}, "question_id"),
        (K.ROOT_CAUSE_SAVED, 1, {"method": "guess"}, "method"),
        (K.AUTHORISATION_REQUESTED, 1, {"total": "lots", "approved": True}, "amount"),
        (K.AUTHORISATION_REQUESTED, 1, {"total": "-5", "approved": True}, "amount"),
        (K.AUTHORISATION_REQUESTED, 1, {"total": "5", "approved": "yes"}, "approved"),
        (K.RESPONSE_SENT, 1, {"round": 3}, "round"),
        (K.CUSTOMER_REPLIED, 1, {"accepted": True}, "unmet"),
        (K.CUSTOMER_REPLIED, 1, {"accepted": 1, "unmet": []}, "accepted"),
    ],
)
def test_malformed_entries_are_refused(kind: str, hours: int, payload: dict, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        TrailEntry(kind, hours, payload)  # type: ignore[arg-type]


def test_valid_payloads() -> None:
    entry(K.FINDING_PINNED, 1, source="answer", stakeholder_id="a", question_id="b")
    entry(K.ROOT_CAUSE_SAVED, 1, method="fishbone")
    entry(K.CUSTOMER_REPLIED, 1, accepted=False, unmet=["adr-rights"])
    assert entry_total("62.50") == Decimal("62.50")
    assert entry_total(60) == Decimal(60)


def test_lookups() -> None:
    trail = [
        entry(K.CASE_STARTED, 0),
        entry(K.DOCUMENT_REQUESTED, 3, document_id="a"),
        entry(K.DOCUMENT_REQUESTED, 6, document_id="b"),
        entry(K.DOCUMENT_REQUESTED, 9, document_id="a"),
        entry(K.DRAFT_SAVED, 9),
    ]
    assert current_hours(trail) == 9
    assert current_hours([]) == 0
    assert [i for i, _ in indexed(trail, K.DOCUMENT_REQUESTED)] == [1, 2, 3]
    assert first_index(trail, K.DOCUMENT_REQUESTED, document_id="a") == 1
    assert first_index(trail, K.DOCUMENT_REQUESTED, document_id="c") is None
    assert last_index(trail, K.DOCUMENT_REQUESTED) == 3
    assert last_index(trail, K.RESPONSE_SENT) is None
    assert requested_documents(trail) == {"a", "b"}
