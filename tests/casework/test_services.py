"""Casework services: starting cases on pinned versions, the clock and trail they write, records
with versions, authorisation and the customer's reply; refusals change nothing.

The minimal fixture scenario: opens day 10 with 8-hour days, final deadline day 56; a document
request costs 3 hours, a question 1, authorisation 8, sending 2 and the customer's reply 16.
Authority limit £50, the manager approves up to £200. The customer wants ADR rights in the
letter, refund-overcharge (£42.50) in the remedy and an on-time response."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portfolio.casework import checks, services
from portfolio.casework import clock as sim_clock
from portfolio.casework.errors import AuthorisationNeeded, CaseworkError, StaleEdit
from portfolio.casework.models import (
    Case,
    CaseRecord,
    CaseStatus,
    Finding,
    TimelineEntry,
    TrailEvent,
)
from portfolio.casework.queries import (
    cases_of_learner,
    choice_of,
    record_data,
    spec_for,
    trail_events,
    trail_of,
)
from portfolio.casework.records import MAX_TEXT
from portfolio.casework.remedy import needs_authorisation
from portfolio.casework.reply import PUSHBACK_OPENING
from portfolio.casework.trail import TrailKind
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.services import import_scenario, load_bundled
from portfolio.roles import Role
from tests.casework.conftest import import_specs

K = TrailKind
SLUGS = [
    "bank-breathing-space",
    "energy-back-bill",
    "insurance-claim-delay",
    "retail-faulty-goods",
    "telecoms-billing",
]
PADDING = (
    "I have looked carefully at your account, at the notes of every conversation you had with "
    "us and at the records behind your bills, and I want to set out plainly what I found and "
    "what happens next."
)
GOOD_LETTER = (
    "Dear Mrs Nair,\n\nI am sorry that your bill was wrong. " + PADDING + " I will refund the "
    "overcharge. If you remain unhappy you can refer your complaint to the Communications "
    "Ombudsman, free of charge.\n\nYours sincerely"
)
WEAK_LETTER = (
    "Dear customer,\n\nThank you for contacting us about your account. We have looked at the "
    "account carefully and we are satisfied that the charges were applied correctly under the "
    "terms of your agreement. We will keep the account under review and write again if "
    "anything changes.\n\nRegards"
)
ROOT_CAUSE = {
    "method": "five_whys",
    "symptom": "The bill is higher than agreed.",
    "why_1": "The retention price was not on the bill.",
    "why_2": "Billing never applied the discount.",
    "root_cause": "The retention price was never applied.",
}


def snapshot(case: Case) -> tuple:
    """Everything an action could change, read from the database."""
    db.session.flush()
    row = db.session.execute(
        sa.select(Case.hours, Case.trail_count, Case.status).where(Case.id == case.id)
    ).one()

    def count(model, column) -> int:
        return db.session.scalar(sa.select(sa.func.count()).where(column == case.id))

    records = db.session.execute(
        sa.select(CaseRecord.kind, CaseRecord.version, CaseRecord.data)
        .where(CaseRecord.case_id == case.id)
        .order_by(CaseRecord.kind)
    ).all()
    return (
        tuple(row),
        count(TrailEvent, TrailEvent.case_id),
        count(Finding, Finding.case_id),
        count(TimelineEntry, TimelineEntry.case_id),
        [tuple(r) for r in records],
    )


def kinds(case: Case) -> list[str]:
    return [e.kind for e in trail_events(case)]


def remedy(*ids: str, custom: tuple[str, str] | None = None) -> dict:
    raw: dict = {"remedy_ids": list(ids)}
    if custom:
        raw |= {"custom_1_label": custom[0], "custom_1_amount": custom[1]}
    return raw


def save(case: Case, kind: str, raw: dict, *, draft: bool = False) -> CaseRecord:
    """Save a record on top of whatever version is stored (as a page showing it would)."""
    stored = db.session.scalar(
        sa.select(CaseRecord.version).where(CaseRecord.case_id == case.id, CaseRecord.kind == kind)
    )
    return services.save_record(case, kind, raw, expected_version=stored, draft=draft)


def refused(action, case: Case, message: str) -> None:
    """The action raises CaseworkError mentioning `message` and changes nothing."""
    before = snapshot(case)
    with pytest.raises(CaseworkError) as exc:
        action()
    assert message in exc.value.message
    assert snapshot(case) == before


# --- start_case ------------------------------------------------------------------------------


def test_start_case_pins_the_current_version(case, scenario, learner):
    assert case.status == CaseStatus.OPEN
    assert case.scenario_id == scenario.id and case.learner_id == learner.id
    assert case.version.number == scenario.current_number == 1
    assert case.hours == 0 and case.trail_count == 1
    [started] = trail_events(case)
    assert (started.seq, started.kind, started.sim_hours) == (1, K.CASE_STARTED, 0)
    assert started.payload == {"scenario_version": 1}


def test_starting_again_sets_the_old_case_aside_and_keeps_it(case, scenario, learner):
    services.request_document(case, "crm-history")
    before = snapshot(case)
    again = services.start_case(learner, scenario)
    assert again.id != case.id and again.status == CaseStatus.OPEN
    assert case.status == CaseStatus.SET_ASIDE
    # The old case keeps everything it had; only its status changed.
    assert snapshot(case)[1:] == before[1:]
    assert kinds(case) == [K.CASE_STARTED, K.DOCUMENT_REQUESTED]
    assert kinds(again) == [K.CASE_STARTED] and again.hours == 0
    listed = db.session.execute(cases_of_learner(), {"learner_id": learner.id}).all()
    assert [c.id for c in listed] == [again.id, case.id]


def test_starting_again_on_a_case_not_yet_worked_returns_it(case, scenario, learner):
    """A second click on Start makes no second case and sets nothing aside."""
    assert services.start_case(learner, scenario) is case
    assert case.status == CaseStatus.OPEN and case.trail_count == 1
    listed = db.session.execute(cases_of_learner(), {"learner_id": learner.id}).all()
    assert [c.id for c in listed] == [case.id]


def test_a_newer_version_leaves_existing_cases_on_theirs(case, scenario, learner, spec):
    costs = spec.clock.costs.model_copy(update={"request_document": 5})
    changed = spec.model_copy(
        update={
            "title": "Minimal Broadband: version two",
            "clock": spec.clock.model_copy(update={"costs": costs}),
            "content_hash": hashlib.sha256(b"version two").hexdigest(),
        }
    )
    result = import_scenario(changed, centre=None, publish=True)
    assert result.created and result.version.number == 2
    assert scenario.current_number == 2

    db.session.expire_all()
    assert case.version.number == 1
    assert spec_for(case).title == spec.title
    services.request_document(case, "crm-history")
    assert case.hours == 3  # the old version's cost

    newer = services.start_case(learner, scenario)
    assert newer.version.number == 2 and spec_for(newer).title == "Minimal Broadband: version two"
    services.request_document(newer, "crm-history")
    assert newer.hours == 5
    assert db.session.get(Case, case.id).version.number == 1


def test_a_changed_file_loaded_later_leaves_the_case_on_its_version(app, bundle, learner):
    load_bundled(bundle)
    scenario = db.session.scalar(sa.select(LibraryScenario))
    case = services.start_case(learner, scenario)
    load_bundled(bundle)  # unchanged: no new version
    assert scenario.current_number == 1
    manifest = bundle / "minimal" / "scenario.yaml"
    manifest.write_text(manifest.read_text().replace("request_document: 3", "request_document: 4"))
    load_bundled(bundle)
    assert scenario.current_number == 2
    db.session.expire_all()
    assert case.version.number == 1 and spec_for(case).clock.costs.request_document == 3
    services.request_document(case, "crm-history")
    assert case.hours == 3


def test_only_learners_start_cases(scenario, make_user):
    assessor = make_user(Role.ASSESSOR)
    with pytest.raises(CaseworkError, match="Only learners"):
        services.start_case(assessor, scenario)
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_an_unpublished_scenario_cannot_be_started(scenario, learner):
    scenario.published = False
    with pytest.raises(CaseworkError, match="not published"):
        services.start_case(learner, scenario)
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


# --- documents and questions -----------------------------------------------------------------


def test_requesting_a_document_costs_the_scenarios_time(case):
    assert services.request_document(case, "billing-log") is True
    assert case.hours == 3 and case.trail_count == 2
    event = trail_events(case)[-1]
    assert (event.seq, event.kind, event.sim_hours) == (2, K.DOCUMENT_REQUESTED, 3)
    assert event.payload == {"document_id": "billing-log"}
    assert event.real_at is not None


def test_requesting_it_again_is_free(case):
    services.request_document(case, "billing-log")
    before = snapshot(case)
    assert services.request_document(case, "billing-log") is False
    assert snapshot(case) == before


@pytest.mark.parametrize(
    "document_id",
    ["nope", "retention-call", "", "BILLING-LOG", "billing-log ", "../billing-log"],
    ids=["unknown", "another-scenario", "empty", "case", "space", "path"],
)
def test_a_document_not_in_the_case_file_is_refused(case, document_id):
    refused(lambda: services.request_document(case, document_id), case, "not in this case file")


def test_a_document_from_another_scenario_is_refused(case, spec, bundled_specs):
    ours = {d.id for d in spec.documents}
    theirs = [d.id for d in bundled_specs[1]["telecoms-billing"].documents if d.id not in ours]
    assert theirs
    for document_id in theirs:
        refused(lambda d=document_id: services.request_document(case, d), case, "not in this case")


def test_asking_a_question_costs_the_scenarios_time(case):
    assert services.ask_question(case, "billing-lead", "what-happened") is True
    assert case.hours == 1
    event = trail_events(case)[-1]
    assert event.kind == K.QUESTION_ASKED
    assert event.payload == {"stakeholder_id": "billing-lead", "question_id": "what-happened"}
    before = snapshot(case)
    assert services.ask_question(case, "billing-lead", "what-happened") is False
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("stakeholder_id", "question_id"),
    [
        ("billing-lead", "nope"),
        ("nobody", "what-happened"),
        ("billing-lead", "what-offered"),  # Sam Cole's question, not Marcus Doyle's
        ("retention-adviser", "what-offered"),  # the telecoms scenario's stakeholder
        ("", ""),
    ],
)
def test_a_question_not_in_the_bank_is_refused(case, stakeholder_id, question_id):
    refused(
        lambda: services.ask_question(case, stakeholder_id, question_id),
        case,
        "not in this person's question bank",
    )


def test_the_clock_adds_up_over_many_actions(case, spec):
    for document in spec.documents:
        services.request_document(case, document.id)
    for person in spec.stakeholders:
        for question in person.questions:
            services.ask_question(case, person.id, question.id)
    assert case.hours == 4 * 3 + 9 * 1
    hours = [e.sim_hours for e in trail_events(case)]
    assert hours == sorted(hours) and hours[-1] == case.hours
    assert [e.seq for e in trail_events(case)] == list(range(1, 15))
    now = sim_clock.SimTime.from_hours(spec.clock, case.hours)
    assert (now.day, now.hour) == (12, 5)


# --- findings and timeline -------------------------------------------------------------------


def test_a_finding_needs_the_document_to_have_been_read(case):
    refused(
        lambda: services.pin_finding(case, text="Price never applied", document_id="billing-log"),
        case,
        "Request that document",
    )
    services.request_document(case, "billing-log")
    finding = services.pin_finding(case, text="  Price never applied  ", document_id="billing-log")
    assert (finding.text, finding.source, finding.document_id) == (
        "Price never applied",
        "document",
        "billing-log",
    )
    event = trail_events(case)[-1]
    assert event.kind == K.FINDING_PINNED and event.sim_hours == 3  # pinning costs nothing
    assert event.payload == {"source": "document", "document_id": "billing-log"}


def test_a_finding_needs_the_question_to_have_been_asked(case):
    def pin() -> Finding:
        return services.pin_finding(
            case, text="Said so", stakeholder_id="billing-lead", question_id="what-happened"
        )

    refused(pin, case, "Ask that question")
    services.ask_question(case, "billing-lead", "what-happened")
    finding = pin()
    assert finding.source == "answer" and finding.question_id == "what-happened"
    assert trail_events(case)[-1].payload == {
        "source": "answer",
        "stakeholder_id": "billing-lead",
        "question_id": "what-happened",
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "A fact"}, "Choose the document or answer"),
        ({"text": "A fact", "stakeholder_id": "billing-lead"}, "Choose the document or answer"),
        ({"text": "   ", "document_id": "crm-history"}, "Write the finding"),
        ({"text": "x" * 2_001, "document_id": "crm-history"}, "2,000 characters"),
        ({"text": "A fact", "document_id": "retention-call"}, "Request that document"),
    ],
)
def test_bad_findings_are_refused(case, kwargs, message):
    services.request_document(case, "crm-history")
    refused(lambda: services.pin_finding(case, **kwargs), case, message)


def test_removing_a_finding_is_on_the_trail(case):
    services.request_document(case, "crm-history")
    finding = services.pin_finding(case, text="A fact", document_id="crm-history")
    services.remove_finding(case, finding)
    assert db.session.scalar(sa.select(sa.func.count(Finding.id))) == 0
    assert kinds(case)[-2:] == [K.FINDING_PINNED, K.DRAFT_SAVED]
    assert trail_events(case)[-1].payload == {"record": "findings", "removed": "A fact"}


def test_a_finding_of_another_case_cannot_be_removed(case, scenario, make_user):
    other = services.start_case(make_user(Role.LEARNER), scenario)
    services.request_document(other, "crm-history")
    finding = services.pin_finding(other, text="Theirs", document_id="crm-history")
    refused(lambda: services.remove_finding(case, finding), case, "another case")
    assert db.session.get(Finding, finding.id) is not None


def test_timeline_entries_are_kept_in_date_order(case):
    services.request_document(case, "call-transcript")
    later = services.add_timeline_entry(
        case, occurred_on=date(2026, 4, 1), description="Bill at the old price"
    )
    earlier = services.add_timeline_entry(
        case,
        occurred_on=date(2026, 3, 14),
        description="Retention call",
        document_id="call-transcript",
    )
    db.session.expire(case, ["timeline"])
    assert case.timeline == [earlier, later]
    assert [e.payload for e in trail_events(case)[-2:]] == [
        {"occurred_on": "2026-04-01"},
        {"occurred_on": "2026-03-14"},
    ]
    assert case.hours == 3  # the timeline costs no time
    services.remove_timeline_entry(case, later)
    db.session.expire(case, ["timeline"])
    assert case.timeline == [earlier]
    assert trail_events(case)[-1].payload == {"removed": "2026-04-01"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"description": "  "}, "Describe what happened"),
        ({"description": "x" * 2_001}, "2,000 characters"),
        ({"description": "Call", "document_id": "retention-call"}, "not in this case file"),
        # A tampered form cited a document the learner had never requested.
        ({"description": "Call", "document_id": "call-transcript"}, "Request that document"),
    ],
)
def test_bad_timeline_entries_are_refused(case, kwargs, message):
    refused(
        lambda: services.add_timeline_entry(case, occurred_on=date(2026, 3, 1), **kwargs),
        case,
        message,
    )


def test_a_timeline_entry_of_another_case_cannot_be_removed(case, scenario, make_user):
    other = services.start_case(make_user(Role.LEARNER), scenario)
    entry = services.add_timeline_entry(other, occurred_on=date(2026, 3, 1), description="Theirs")
    refused(lambda: services.remove_timeline_entry(case, entry), case, "another case")


# --- records and versions --------------------------------------------------------------------


def test_saving_a_record_creates_version_one_then_counts_up(case):
    record = services.save_record(case, "root_cause", ROOT_CAUSE, expected_version=None)
    assert record.version == 1
    assert record.data["whys"][:2] == [ROOT_CAUSE["why_1"], ROOT_CAUSE["why_2"]]
    assert record.data["root_cause"] == ROOT_CAUSE["root_cause"]
    assert trail_events(case)[-1].kind == K.ROOT_CAUSE_SAVED
    assert trail_events(case)[-1].payload == {"method": "five_whys"}
    changed = services.save_record(
        case, "root_cause", ROOT_CAUSE | {"method": "fishbone"}, expected_version=1
    )
    assert changed is record and record.version == 2
    assert trail_events(case)[-1].payload == {"method": "fishbone"}


def test_a_stale_save_is_refused_and_changes_nothing(case):
    services.save_record(case, "letter", {"text": "First draft"}, expected_version=None)
    services.save_record(case, "letter", {"text": "Second tab's text"}, expected_version=1)
    before = snapshot(case)
    for expected in (1, None, 7):
        with pytest.raises(StaleEdit) as exc:
            services.save_record(case, "letter", {"text": "Old tab"}, expected_version=expected)
        assert exc.value.kind == "letter" and exc.value.stored_version == 2
        assert "changed elsewhere" in exc.value.message
        assert snapshot(case) == before
    assert record_data(case, "letter") == {"text": "Second tab's text"}


def test_a_save_racing_another_request_is_refused_as_stale(case):
    services.save_record(case, "letter", {"text": "Mine"}, expected_version=None)
    db.session.flush()
    # Another request saves version 2 after this one has read version 1.
    db.session.execute(
        sa.update(CaseRecord)
        .where(CaseRecord.case_id == case.id)
        .values(version=2)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(StaleEdit):
        services.save_record(case, "letter", {"text": "Mine, longer"}, expected_version=1)
    db.session.rollback()


def test_a_save_naming_a_version_of_a_record_never_saved_is_stale(case):
    before = snapshot(case)
    with pytest.raises(StaleEdit) as exc:
        services.save_record(case, "letter", {"text": "Hello"}, expected_version=1)
    assert exc.value.stored_version == 0
    assert snapshot(case) == before


def test_an_identical_save_makes_no_new_version(case):
    services.save_record(case, "letter", {"text": "Dear Mrs Nair"}, expected_version=None)
    before = snapshot(case)
    # Same text after the form's cleaning (CRLF line ends, surrounding spaces).
    record = services.save_record(
        case, "letter", {"text": "  Dear Mrs Nair\r\n"}, expected_version=1
    )
    assert record.version == 1
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("correspondence", {}, "not a record of this case"),
        ("authorisation", {}, "not a record of this case"),
        ("letter", {"text": "x" * (MAX_TEXT + 1)}, "keep it to 20,000"),
        ("letter", {"text": ["a", "b"]}, "must be text"),
        ("root_cause", {"method": "guesswork"}, "Choose 5 Whys or a fishbone"),
        ("root_cause", {"symptom": "x" * 2_001}, "keep it to 2,000"),
        ("options", {"chosen": "4"}, "Choose one of the options"),
        ("options", {"chosen": "2"}, "Option 2 has no description"),
        ("remedy", remedy("refund-everything"), 'no remedy "refund-everything"'),
        ("remedy", remedy(custom=("Goodwill", "-10")), "cannot be negative"),
        ("remedy", remedy(custom=("Goodwill", "4250000")), "far more than any remedy"),
        # Written with an exponent: not an amount as anyone writes one (Decimal would read it).
        ("remedy", remedy(custom=("Goodwill", "1e9")), "not an amount in pounds"),
        ("remedy", remedy(custom=("Goodwill", "1e309")), "not an amount in pounds"),
        ("remedy", remedy(custom=("Goodwill", "ten pounds")), "not an amount in pounds"),
        ("remedy", remedy(custom=("Goodwill", "NaN")), "not a number of pounds"),
        ("remedy", remedy(custom=("Goodwill", "12.345")), "pounds and pence"),
        ("remedy", remedy(custom=("", "12")), "amount but no description"),
        (
            "remedy",
            {"custom_1_label": "A", "custom_1_amount": "900", "custom_2_label": "B"}
            | {"custom_2_amount": "900", "custom_3_label": "C", "custom_3_amount": "900"},
            "The remedy comes to £2,700.00, far more",
        ),
        ("outcome", {"outcome": "Resolved"}, "once the customer has replied"),
    ],
)
def test_bad_records_are_refused(case, kind, raw, message):
    refused(lambda: services.save_record(case, kind, raw, expected_version=None), case, message)


def test_a_remedy_keeps_every_chosen_id_and_custom_component(case):
    record = services.save_record(
        case,
        "remedy",
        remedy("honour-price", "refund-overcharge", custom=("Goodwill", " 25.00 ")),
        expected_version=None,
    )
    assert record.data["remedy_ids"] == ["honour-price", "refund-overcharge"]
    assert record.data["custom"] == [{"label": "Goodwill", "amount": "25.00"}]
    assert trail_events(case)[-1].kind == K.REMEDY_SAVED


def test_drafts_coalesce_on_the_trail(case, monkeypatch):
    save(case, "letter", {"text": "Dear"}, draft=True)
    save(case, "letter", {"text": "Dear Mrs"}, draft=True)
    save(case, "letter", {"text": "Dear Mrs Nair"}, draft=True)
    assert kinds(case) == [K.CASE_STARTED, K.DRAFT_SAVED]
    assert trail_events(case)[-1].payload == {"record": "letter"}
    letter = db.session.scalar(sa.select(CaseRecord).where(CaseRecord.kind == "letter"))
    assert letter.version == 3 and letter.data == {"text": "Dear Mrs Nair"}

    # Another record's draft, then this one's again: each gets its own entry.
    save(case, "summary", {"summary": "Found it"}, draft=True)
    save(case, "letter", {"text": "Dear Mrs Nair,"}, draft=True)
    assert kinds(case)[1:] == [K.DRAFT_SAVED] * 3
    assert [e.payload["record"] for e in trail_events(case)[1:]] == ["letter", "summary", "letter"]

    # Once the window has passed, the next draft is a new entry.
    monkeypatch.setattr(services, "DRAFT_TRAIL_WINDOW", timedelta(0))
    save(case, "letter", {"text": "Dear Mrs Nair, I"}, draft=True)
    assert len(kinds(case)) == 5
    assert case.hours == 0  # drafts take no simulated time


def test_an_identical_draft_adds_nothing(case):
    save(case, "letter", {"text": "Dear"}, draft=True)
    save(case, "summary", {"summary": "Found it"}, draft=True)
    before = snapshot(case)
    save(case, "letter", {"text": "Dear"}, draft=True)
    assert snapshot(case) == before


def test_saving_what_autosave_already_stored_still_records_the_save(case):
    """With JavaScript on, the draft is stored before the learner presses Save: the press must
    still put root_cause_saved on the trail (the marking checks read it), without a new
    version."""
    save(case, "root_cause", ROOT_CAUSE, draft=True)
    record = save(case, "root_cause", ROOT_CAUSE)
    assert record.version == 1
    assert kinds(case) == [K.CASE_STARTED, K.DRAFT_SAVED, K.ROOT_CAUSE_SAVED]
    assert trail_events(case)[-1].payload == {"method": "five_whys"}
    # Pressing Save again with nothing new adds nothing.
    before = snapshot(case)
    save(case, "root_cause", ROOT_CAUSE)
    assert snapshot(case) == before


# --- authorisation ---------------------------------------------------------------------------


def test_authorisation_needs_a_saved_remedy(case):
    refused(lambda: services.request_authorisation(case), case, "Save your remedy")


def test_authorisation_within_authority_is_refused(case):
    save(case, "remedy", remedy("honour-price", "refund-overcharge"))  # £42.50, limit £50
    refused(lambda: services.request_authorisation(case), case, "no authorisation needed")


def test_authorisation_approved(case, spec):
    save(case, "remedy", remedy("refund-overcharge", custom=("Goodwill", "100")))
    answer = services.request_authorisation(case)
    assert answer["approved"] is True and answer["total"] == "142.50"
    assert answer["message"] == spec.authorisation.approve_message.strip()
    assert case.hours == 8
    event = trail_events(case)[-1]
    assert event.kind == K.AUTHORISATION_REQUESTED
    assert event.payload == {"total": "142.50", "approved": True}
    [stored] = record_data(case, "authorisation")["requests"]
    assert stored["remedy"] == record_data(case, "remedy") and stored["hours"] == 8


def test_authorisation_declined_then_approved_after_revising(case, spec):
    save(case, "remedy", remedy("refund-overcharge", custom=("Goodwill", "300")))
    answer = services.request_authorisation(case)
    assert answer["approved"] is False and answer["total"] == "342.50"
    assert answer["message"] == spec.authorisation.decline_message.strip()
    save(case, "remedy", remedy("refund-overcharge", custom=("Goodwill", "60")))
    assert services.request_authorisation(case)["approved"] is True
    requests = record_data(case, "authorisation")["requests"]
    assert [r["approved"] for r in requests] == [False, True]
    assert case.hours == 16


# --- the response and the customer's reply ---------------------------------------------------


def ready_to_send(case: Case, letter: str, *ids: str) -> None:
    save(case, "remedy", remedy(*ids))
    save(case, "letter", {"text": letter})


def test_a_short_letter_is_not_sent(case):
    ready_to_send(case, "Dear Mrs Nair, sorry. Ombudsman.", "refund-overcharge")
    refused(lambda: services.send_response(case), case, "too short to send")


def test_no_letter_or_no_remedy_is_not_sent(case):
    refused(lambda: services.send_response(case), case, "too short to send")
    save(case, "letter", {"text": GOOD_LETTER})
    refused(lambda: services.send_response(case), case, "Save your remedy")


def test_push_back_then_revision_accepted(case, spec):
    ready_to_send(case, WEAK_LETTER, "honour-price")
    first = services.send_response(case)
    assert first["round"] == 1 and first["accepted"] is False
    assert first["unmet"] == ["adr-rights", "full-refund"]
    assert first["reply"].startswith(PUSHBACK_OPENING)
    assert "Where can I go" in first["reply"] and "money I overpaid" in first["reply"]
    assert first["on_time"] is True
    assert (first["sent_hours"], first["replied_hours"]) == (2, 18)
    assert kinds(case)[-2:] == [K.RESPONSE_SENT, K.CUSTOMER_REPLIED]
    assert trail_events(case)[-1].payload == {
        "accepted": False,
        "unmet": ["adr-rights", "full-refund"],
    }

    ready_to_send(case, GOOD_LETTER, "honour-price", "refund-overcharge")
    second = services.send_response(case)
    assert second["round"] == 2 and second["accepted"] is True and second["unmet"] == []
    assert second["reply"] == spec.customer_reply.accept.strip()
    assert second["letter"] == GOOD_LETTER.replace("\r\n", "\n").strip()
    rounds = record_data(case, "correspondence")["rounds"]
    assert [r["round"] for r in rounds] == [1, 2]
    assert rounds[0]["letter"] == WEAK_LETTER  # what was sent stays as it was sent

    refused(lambda: services.send_response(case), case, "accepted your response")
    outcome = save(case, "outcome", {"outcome": "Accepted", "follow_up": "Check the bill"})
    assert outcome.version == 1 and kinds(case)[-1] == K.OUTCOME_RECORDED


def test_two_push_backs_then_no_third_send(case, spec):
    ready_to_send(case, WEAK_LETTER, "honour-price")
    services.send_response(case)
    save(case, "letter", {"text": WEAK_LETTER + " I am sorry again."})
    second = services.send_response(case)
    assert second["round"] == 2 and second["accepted"] is False
    assert not second["reply"].startswith(PUSHBACK_OPENING)
    assert second["reply"].endswith(spec.customer_reply.unresolved.strip())
    refused(lambda: services.send_response(case), case, "used your one revision")
    assert len(record_data(case, "correspondence")["rounds"]) == 2


def test_sending_the_same_letter_and_remedy_again_is_refused(case):
    """A second click on Send, or a revision that revises nothing, keeps the one revision."""
    ready_to_send(case, WEAK_LETTER, "honour-price")
    services.send_response(case)
    refused(lambda: services.send_response(case), case, "already read this letter")
    save(case, "remedy", remedy("honour-price", "refund-overcharge"))
    assert services.send_response(case)["round"] == 2


def test_asking_again_about_the_same_remedy_is_refused(case, spec):
    """The manager's answer stands; asking again (a second click) costs no more time."""
    save(case, "remedy", remedy(custom=("Goodwill", str(spec.authority_limit + 1))))
    answer = services.request_authorisation(case)
    refused(lambda: services.request_authorisation(case), case, answer["message"][:30])
    save(case, "remedy", remedy(custom=("Goodwill", str(spec.authority_limit + 2))))
    services.request_authorisation(case)
    assert len(record_data(case, "authorisation")["requests"]) == 2


def test_accepted_first_time_stops_further_sends(case):
    ready_to_send(case, GOOD_LETTER, "refund-overcharge")
    assert services.send_response(case)["accepted"] is True
    refused(lambda: services.send_response(case), case, "accepted your response")


def test_a_late_response_is_flagged_and_pushed_back(case, spec):
    ready_to_send(case, GOOD_LETTER, "refund-overcharge")
    # Simulated time has run on to the last hour that is still on time: sending takes 2 more.
    case.hours = sim_clock.last_on_time_hours(spec)
    entry = services.send_response(case)
    assert entry["on_time"] is False and entry["accepted"] is False
    assert entry["unmet"] == ["on-time"] and "This is late." in entry["reply"]


def test_the_last_on_time_hour(case, spec):
    ready_to_send(case, GOOD_LETTER, "refund-overcharge")
    case.hours = sim_clock.last_on_time_hours(spec) - spec.clock.costs.send_response
    entry = services.send_response(case)
    assert entry["on_time"] is True and entry["accepted"] is True


def test_a_remedy_beyond_authority_is_not_sent_until_authorised(case, spec):
    ready_to_send(case, GOOD_LETTER, "refund-overcharge")
    save(case, "remedy", remedy("refund-overcharge", custom=("Goodwill", "100")))
    refused(lambda: services.send_response(case), case, "cannot be sent until Helen Marsh")
    with pytest.raises(AuthorisationNeeded):
        services.send_response(case)
    assert services.request_authorisation(case)["approved"] is True
    save(
        case, "remedy", remedy("refund-overcharge", custom=("Goodwill", "100.00")) | {"notes": "x"}
    )
    assert services.send_response(case)["accepted"] is True  # notes and 100 v 100.00 do not matter
    trail = trail_of(trail_events(case))
    choice = choice_of(record_data(case, "remedy"))
    authority = checks.marking_checks(spec, trail, letter=GOOD_LETTER, choice=choice)[-1]
    assert authority.id == "authority" and authority.met is True


def test_an_authorisation_covers_only_the_remedy_it_was_for(case):
    ready_to_send(case, GOOD_LETTER, "refund-overcharge")
    save(case, "remedy", remedy("refund-overcharge", custom=("Goodwill", "100")))
    services.request_authorisation(case)
    save(case, "remedy", remedy("refund-overcharge", custom=("Goodwill", "120")))
    refused(lambda: services.send_response(case), case, "cannot be sent until Helen Marsh")


def test_a_declined_remedy_must_be_changed_before_sending(case, spec):
    ready_to_send(case, GOOD_LETTER, "refund-overcharge")
    save(case, "remedy", remedy("refund-overcharge", custom=("Goodwill", "500")))
    assert services.request_authorisation(case)["approved"] is False
    refused(lambda: services.send_response(case), case, "did not authorise this remedy")
    refused(lambda: services.request_authorisation(case), case, "already asked")
    save(case, "remedy", remedy("refund-overcharge", custom=("Goodwill", "5")))  # within authority
    assert services.send_response(case)["accepted"] is True


# --- a set-aside case ------------------------------------------------------------------------


ACTIONS = {
    "request_document": lambda c: services.request_document(c, "billing-log"),
    "ask_question": lambda c: services.ask_question(c, "billing-lead", "when-changed"),
    "pin_finding": lambda c: services.pin_finding(c, text="More", document_id="crm-history"),
    "remove_finding": lambda c: services.remove_finding(c, c.findings[0]),
    "add_timeline_entry": lambda c: services.add_timeline_entry(
        c, occurred_on=date(2026, 3, 2), description="More"
    ),
    "remove_timeline_entry": lambda c: services.remove_timeline_entry(c, c.timeline[0]),
    "save_record": lambda c: services.save_record(c, "letter", {"text": "New"}, expected_version=1),
    "save_draft": lambda c: services.save_record(
        c, "letter", {"text": "New"}, expected_version=1, draft=True
    ),
    "save_new_record": lambda c: services.save_record(
        c, "summary", {"summary": "New"}, expected_version=None
    ),
    "request_authorisation": services.request_authorisation,
    "send_response": services.send_response,
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_set_aside_case_refuses_every_action(case, scenario, learner, action):
    services.request_document(case, "crm-history")
    services.pin_finding(case, text="A fact", document_id="crm-history")
    services.add_timeline_entry(case, occurred_on=date(2026, 3, 1), description="Complaint")
    ready_to_send(case, GOOD_LETTER, "refund-overcharge")
    save(case, "remedy", remedy("refund-overcharge", custom=("Goodwill", "100")))
    services.start_case(learner, scenario)
    assert case.status == CaseStatus.SET_ASIDE
    refused(lambda: ACTIONS[action](case), case, "set aside")


def test_a_set_aside_case_refuses_the_outcome(case, scenario, learner):
    ready_to_send(case, GOOD_LETTER, "refund-overcharge")
    services.send_response(case)
    services.start_case(learner, scenario)
    refused(
        lambda: services.save_record(case, "outcome", {"outcome": "x"}, expected_version=None),
        case,
        "set aside",
    )


# --- the trail is append-only ----------------------------------------------------------------


def first_event(case) -> TrailEvent:
    """The case's first trail event as a mapped object (trail_events reads plain rows)."""
    db.session.flush()
    return db.session.scalars(
        sa.select(TrailEvent).where(TrailEvent.case_id == case.id).order_by(TrailEvent.seq)
    ).first()


def test_a_trail_event_cannot_be_changed(case):
    event = first_event(case)
    event.kind = K.RESPONSE_SENT
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_a_trail_event_payload_cannot_be_replaced(case):
    event = first_event(case)
    event.payload = {"scenario_version": 99}
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_a_trail_event_cannot_be_deleted(case):
    db.session.delete(first_event(case))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        sa.update(TrailEvent).values(sim_hours=0),
        sa.delete(TrailEvent),
        sa.update(TrailEvent).where(TrailEvent.seq == 1).values(payload={}),
    ],
    ids=["bulk-update", "bulk-delete", "bulk-update-where"],
)
def test_bulk_statements_cannot_rewrite_the_trail(case, statement):
    db.session.flush()
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.execute(statement)
    db.session.rollback()


# --- every bundled scenario, worked end to end -----------------------------------------------


def strong_letter(spec) -> str:
    """A letter containing every phrase of every letter_mentions requirement."""
    phrases = [
        phrase
        for requirement in spec.customer_reply.requirements
        if requirement.kind == "letter_mentions"
        for phrase in requirement.any_of or ()
    ]
    points = "\n".join(f"- {phrase}." for phrase in phrases)
    return f"Dear {spec.customer.name},\n\n{PADDING}\n\n{points}\n\nYours sincerely"


@pytest.fixture
def bundled(app, bundled_specs, make_user):
    """Import every bundled scenario; returns (learner, {slug: (library scenario, spec)})."""
    criteria, specs = bundled_specs
    scenarios = import_specs(criteria, list(specs.values()))
    return make_user(Role.LEARNER), {s.slug: (s, specs[s.slug]) for s in scenarios}


@pytest.mark.parametrize("slug", SLUGS)
def test_a_strong_learner_is_accepted_on_time(bundled, slug):
    learner, scenarios = bundled
    scenario, spec = scenarios[slug]
    case = services.start_case(learner, scenario)
    for person, question in spec.misleading_questions():
        assert services.ask_question(case, person.id, question.id)
    documents = [
        *spec.guidance.key_documents,
        *(q.contradicted_by for _, q in spec.misleading_questions()),
    ]
    for document_id in dict.fromkeys(documents):
        assert services.request_document(case, document_id)
        services.pin_finding(case, text=f"What {document_id} shows", document_id=document_id)
    services.add_timeline_entry(
        case, occurred_on=date(2026, 1, 5), description="First contact", document_id=documents[0]
    )
    save(case, "root_cause", ROOT_CAUSE)
    save(case, "options", {"option_1_description": "Put it right in full", "chosen": "1"})
    required = [r.remedy for r in spec.customer_reply.requirements if r.kind == "remedy_includes"]
    assert all(spec.remedy(rid).fair for rid in required)
    save(case, "remedy", remedy(*required))
    choice = choice_of(record_data(case, "remedy"))
    if needs_authorisation(spec, choice)[0]:
        assert services.request_authorisation(case)["approved"] is True
    else:
        refused(lambda: services.request_authorisation(case), case, "no authorisation needed")
    letter = strong_letter(spec)
    save(case, "letter", {"text": letter})

    entry = services.send_response(case)

    assert entry["accepted"] is True, entry["reply"]
    assert entry["on_time"] is True and entry["unmet"] == []
    assert entry["reply"] == spec.customer_reply.accept.strip()
    assert case.hours == entry["sent_hours"] + spec.clock.costs.customer_reply
    refused(lambda: services.send_response(case), case, "accepted your response")
    save(case, "outcome", {"outcome": "Accepted", "follow_up": "Check the next bill"})
    trail = trail_of(trail_events(case))
    found = checks.marking_checks(spec, trail, letter=letter, choice=choice)
    assert {c.id: c.met for c in found} == {c.id: True for c in found}, [c.detail for c in found]
    assert checks.formative_list(spec, trail, letter=letter, choice=choice) == []


@pytest.mark.parametrize("slug", SLUGS)
def test_a_weak_learner_is_pushed_back_twice(bundled, slug):
    learner, scenarios = bundled
    scenario, spec = scenarios[slug]
    case = services.start_case(learner, scenario)
    for person, question in spec.misleading_questions():
        services.ask_question(case, person.id, question.id)
    save(case, "root_cause", ROOT_CAUSE | {"method": "fishbone"})
    required = {r.remedy for r in spec.customer_reply.requirements}
    # An unfair remedy the manager would pass on its total (one they refuse for what it is
    # cannot be sent at all).
    unfair = [
        r.id
        for r in spec.remedies
        if not r.fair and r.id not in required and not r.manager_declines
    ][:1]
    goodwill = str((spec.authority_limit + Decimal(100)).quantize(Decimal("0.01")))
    save(case, "remedy", remedy(*unfair, custom=("Goodwill for the trouble", goodwill)))
    save(case, "letter", {"text": WEAK_LETTER})
    # Overpaying needs the manager: sending is refused until they authorise it, and a declined
    # remedy has to change.
    with pytest.raises(AuthorisationNeeded):
        services.send_response(case)
    if not services.request_authorisation(case)["approved"]:
        save(case, "remedy", remedy(*unfair))
        if needs_authorisation(spec, choice_of(record_data(case, "remedy")))[0]:
            assert services.request_authorisation(case)["approved"] is True

    first = services.send_response(case)

    expected = [r.id for r in spec.customer_reply.requirements if r.kind != "sent_by_deadline"]
    assert first["accepted"] is False and first["unmet"] == expected
    assert first["on_time"] is True
    assert first["reply"].startswith(PUSHBACK_OPENING)
    for requirement in spec.customer_reply.requirements:
        if requirement.id in expected:
            assert requirement.pushback.strip() in first["reply"]
    save(case, "letter", {"text": WEAK_LETTER + " I am sorry again."})
    second = services.send_response(case)
    assert second["accepted"] is False
    assert second["reply"].endswith(spec.customer_reply.unresolved.strip())
    refused(lambda: services.send_response(case), case, "used your one revision")
    trail = trail_of(trail_events(case))
    found = {
        c.id: c.met
        for c in checks.marking_checks(
            spec, trail, letter=WEAK_LETTER, choice=choice_of(record_data(case, "remedy"))
        )
    }
    assert found == {
        "key-documents": False,
        "accounts-tested": False,
        "on-time": True,
        "adr-rights": False,
        "remedy-covers": False,
        "authority": True,
    }


@pytest.mark.parametrize("slug", SLUGS)
def test_each_scenarios_manager_approves_up_to_their_limit(bundled, slug):
    learner, scenarios = bundled
    scenario, spec = scenarios[slug]
    case = services.start_case(learner, scenario)
    within = str(spec.authority_limit + 1)
    save(case, "remedy", remedy(custom=("Goodwill", within)))
    answer = services.request_authorisation(case)
    assert answer["approved"] is True
    assert answer["message"] == spec.authorisation.approve_message.strip()
    beyond = str(spec.authorisation.approve_up_to + Decimal("0.01"))
    save(case, "remedy", remedy(custom=("Goodwill", beyond)))
    answer = services.request_authorisation(case)
    assert answer["approved"] is False and answer["total"] == beyond
    assert answer["message"] == spec.authorisation.decline_message.strip()
    assert case.hours == 2 * spec.clock.costs.request_authorisation


def test_a_timeline_date_after_the_cases_today_is_refused(bundled):
    """Energy's day 0 is 13 July 2026 and the case opens on day 50 (1 September): an entry
    dated later is a mistyped date, refused with nothing saved; today itself is allowed."""
    learner, scenarios = bundled
    scenario, spec = scenarios["energy-back-bill"]
    case = services.start_case(learner, scenario)
    services.request_document(case, "crm-history")  # 3 hours: still 1 September
    hours = case.hours
    with pytest.raises(
        CaseworkError, match=r"2 Sep 2026 is after today in the case \(1 Sep 2026\)"
    ):
        services.add_timeline_entry(case, occurred_on=date(2026, 9, 2), description="Typo")
    assert case.hours == hours and not case.timeline
    services.add_timeline_entry(case, occurred_on=date(2026, 9, 1), description="Referred")
    assert [e.description for e in case.timeline] == ["Referred"]


def test_the_trail_read_as_rows_includes_an_event_not_yet_flushed(case):
    """trail_events reads on the connection, which does not flush the session as an ORM query
    does: an event appended in the same request must still be in it."""
    services.append_trail(case, K.DOCUMENT_REQUESTED, {"document_id": "crm-history"})
    assert trail_events(case)[-1].kind == K.DOCUMENT_REQUESTED
    assert trail_events(case)[-1].payload == {"document_id": "crm-history"}
    db.session.rollback()
