"""Knowledge answers and the reflective account are case records of kinds ``knowledge`` and
``reflection``: saved through casework's save_record, unknown question ids refused."""

import pytest

from portfolio.casework import services as casework
from portfolio.casework.errors import CaseworkError
from portfolio.casework.queries import record_data, spec_for, trail_events
from portfolio.casework.trail import TrailKind
from portfolio.extensions import db
from portfolio.improvement.queries import knowledge_questions


def test_answers_are_saved_by_question_id(case):
    record = casework.save_record(
        case,
        "knowledge",
        {"answer_cra-rules": " The 30-day right to reject.\r\n", "csrf_token": "x"},
        expected_version=None,
    )
    db.session.commit()
    assert record.data == {"answers": {"cra-rules": "The 30-day right to reject."}}
    last = trail_events(case)[-1]
    assert (last.kind, last.payload) == (
        TrailKind.DRAFT_SAVED,
        {"record": "knowledge", "saved": True},
    )


def test_an_unknown_question_id_is_refused_and_nothing_changes(case):
    casework.save_record(case, "knowledge", {"answer_cra-rules": "First"}, expected_version=None)
    db.session.commit()
    with pytest.raises(CaseworkError, match='"made-up" is not one of this case'):
        casework.save_record(
            case,
            "knowledge",
            {"answer_cra-rules": "Changed", "answer_made-up": "Sneaky"},
            expected_version=1,
        )
    db.session.rollback()
    assert record_data(case, "knowledge") == {"answers": {"cra-rules": "First"}}


def test_a_too_long_answer_is_named_by_its_question_number(case):
    """The page has five answers: the message says which one is too long (question 3 here,
    cra-rules being the third question), and nothing is saved."""
    with pytest.raises(CaseworkError, match=r"^Your answer to question 3 is 20,001 characters"):
        casework.save_record(
            case,
            "knowledge",
            {"answer_procedure-stages": "Fine", "answer_cra-rules": "x" * 20_001},
            expected_version=None,
        )
    db.session.rollback()
    assert record_data(case, "knowledge") is None


def test_the_reflection_is_saved_as_text(case):
    casework.save_record(case, "reflection", {"text": "I learned a lot."}, expected_version=None)
    casework.save_record(
        case, "reflection", {"text": "I learned more."}, expected_version=1, draft=True
    )
    db.session.commit()
    assert record_data(case, "reflection") == {"text": "I learned more."}
    # The save is marked as one, so the draft after it gets its own entry.
    payloads = [e.payload for e in trail_events(case) if e.kind == TrailKind.DRAFT_SAVED]
    assert payloads == [{"record": "reflection", "saved": True}, {"record": "reflection"}]


def test_each_question_comes_with_its_criterion_text(case):
    questions = knowledge_questions(spec_for(case))
    assert [q.id for q in questions][:3] == ["procedure-stages", "authority-limits", "cra-rules"]
    first = questions[0]
    assert first.criterion == "4.1"
    assert first.criterion_text.startswith("Explain the stages of the organisation")
