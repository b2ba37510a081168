"""Marking-point checks and the formative list, against hand-made trails."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.casework.checks import (
    CHECK_LABELS,
    MarkingCheck,
    _prompt,
    adr_requirements,
    formative_list,
    marking_checks,
    ombudsman_name,
    trail_reference,
)
from portfolio.casework.remedy import RemedyChoice
from portfolio.casework.trail import TrailEntry, TrailKind
from portfolio.scenarios.schema import Scenario

from .builders import Learner, bundled, bundled_slugs, entry, minimal, strong_case, weak_case

K = TrailKind
CHECK_IDS = [
    "key-documents",
    "accounts-tested",
    "on-time",
    "adr-rights",
    "remedy-covers",
    "authority",
]

# The minimal fixture: opens day 10, 8-hour days (09:00-17:00), final deadline day 56 (so the last
# on-time hours are 375); key documents billing-log and call-transcript; Marcus Doyle's
# (billing-lead) answer to what-happened is misleading and contradicted by billing-log; the
# customer requires ADR rights in the letter, refund-overcharge in the remedy, and an on-time
# response. Authority limit £50; the manager approves up to £200.

GOOD_LETTER = (
    "Dear Mrs Nair,\nI am sorry. If you remain unhappy you can refer your complaint to the "
    "Communications Ombudsman, free of charge.\nYours sincerely"
)
WEAK_LETTER = "Dear Mrs Nair,\nWe are sorry, but the bill was correct.\nRegards"
FULL = RemedyChoice(("honour-price", "refund-overcharge"))
OVER_AUTHORITY = RemedyChoice(("honour-price", "refund-overcharge"), (("Goodwill", Decimal(20)),))

STRONG = [
    entry(K.CASE_STARTED, 0),
    entry(K.DOCUMENT_REQUESTED, 3, document_id="crm-history"),
    entry(K.QUESTION_ASKED, 4, stakeholder_id="billing-lead", question_id="what-happened"),
    entry(K.DOCUMENT_REQUESTED, 7, document_id="billing-log"),
    entry(K.FINDING_PINNED, 7, source="document", document_id="billing-log"),
    entry(K.DOCUMENT_REQUESTED, 10, document_id="call-transcript"),
    entry(K.TIMELINE_SAVED, 10),
    entry(K.ROOT_CAUSE_SAVED, 10, method="five_whys"),
    entry(K.REMEDY_SAVED, 10),
    entry(K.LETTER_SAVED, 10),
    entry(K.RESPONSE_SENT, 12, round=1),
    entry(K.CUSTOMER_REPLIED, 28, accepted=True, unmet=[]),
]
STRONG_UNSENT = STRONG[:10]

WEAK_UNSENT = [
    entry(K.CASE_STARTED, 0),
    entry(K.QUESTION_ASKED, 1, stakeholder_id="billing-lead", question_id="what-happened"),
    entry(K.QUESTION_ASKED, 2, stakeholder_id="retention-agent", question_id="what-offered"),
    entry(K.ROOT_CAUSE_SAVED, 2, method="fishbone"),
    entry(K.DOCUMENT_REQUESTED, 5, document_id="crm-history"),
    entry(K.REMEDY_SAVED, 5),
    entry(K.LETTER_SAVED, 5),
]
WEAK = [
    *WEAK_UNSENT,
    entry(K.DRAFT_SAVED, 376),
    entry(K.RESPONSE_SENT, 378, round=1),
    entry(K.CUSTOMER_REPLIED, 394, accepted=False, unmet=["adr-rights", "full-refund", "on-time"]),
]
WEAK_CHOICE = RemedyChoice(("honour-price",), (("Goodwill", Decimal(80)),))


def checks(
    trail: list[TrailEntry],
    *,
    letter: str | None = None,
    choice: RemedyChoice | None = None,
    scenario: Scenario | None = None,
) -> dict[str, MarkingCheck]:
    found = marking_checks(scenario or minimal(), trail, letter=letter, choice=choice)
    assert [c.id for c in found] == CHECK_IDS
    assert [c.label for c in found] == [CHECK_LABELS[i] for i in CHECK_IDS]
    return {c.id: c for c in found}


def met(trail: list[TrailEntry], **kwargs: object) -> dict[str, bool | None]:
    return {i: c.met for i, c in checks(trail, **kwargs).items()}  # type: ignore[arg-type]


def formative(
    trail: list[TrailEntry], *, letter: str | None = None, choice: RemedyChoice | None = None
) -> list[str]:
    return formative_list(minimal(), trail, letter=letter, choice=choice)


# --- Whole trails --------------------------------------------------------------------------------


def test_nothing_done_yet_is_all_not_yet_possible() -> None:
    assert set(met([entry(K.CASE_STARTED, 0)]).values()) == {None}
    assert set(met([]).values()) == {None}


def test_strong_trail_meets_every_check() -> None:
    found = checks(STRONG, letter=GOOD_LETTER, choice=FULL)
    assert {i: c.met for i, c in found.items()} == dict.fromkeys(CHECK_IDS, True)
    assert found["key-documents"].detail == (
        "Root cause first saved at day 11 11:00. Key documents read before it: Billing system "
        "log; Retention call transcript. Read only after it: none. Never read: none."
    )
    assert found["key-documents"].evidence == [
        "document_requested billing-log at day 10 16:00",
        "document_requested call-transcript at day 11 11:00",
        "root_cause_saved (five_whys) at day 11 11:00",
    ]
    assert found["accounts-tested"].detail == (
        'Marcus Doyle\'s answer to "What does the billing system show?": asked at day 10 13:00; '
        "Billing system log requested at day 10 16:00 (after the answer); finding pinned from it "
        "at day 10 16:00."
    )
    assert found["accounts-tested"].evidence == [
        "question_asked billing-lead/what-happened at day 10 13:00",
        "document_requested billing-log at day 10 16:00",
        "finding_pinned from document billing-log at day 10 16:00",
    ]
    assert found["on-time"].detail == (
        'Final response sent at day 11 13:00; the deadline "Final response or ADR letter '
        '(8 weeks)" is day 56: on time.'
    )
    assert found["on-time"].evidence == ["response_sent round 1 at day 11 13:00"]
    assert found["adr-rights"].detail == (
        "Names Communications Ombudsman: yes. "
        'Tells the customer where to go next: yes ("ombudsman").'
    )
    assert found["adr-rights"].evidence == [
        "letter_saved at day 11 11:00",
        "response_sent round 1 at day 11 13:00",
    ]
    assert found["remedy-covers"].detail == (
        "Chosen: Honour the agreed price; Refund the overcharge (total £42.50). Includes every "
        "remedy the scenario requires."
    )
    assert found["authority"].detail == (
        "Within authority: the remedy totals £42.50; the limit is £50.00."
    )


def test_strong_trail_leaves_nothing_to_flag() -> None:
    assert formative(STRONG, letter=GOOD_LETTER, choice=FULL) == []
    assert formative(STRONG_UNSENT, letter=GOOD_LETTER, choice=FULL) == [
        "The regulatory deadline is in 45 days."
    ]


def test_weak_trail_meets_none() -> None:
    found = checks(WEAK, letter=WEAK_LETTER, choice=WEAK_CHOICE)
    assert {i: c.met for i, c in found.items()} == dict.fromkeys(CHECK_IDS, False)
    assert found["key-documents"].detail.endswith(
        "read before it: none. Read only after it: none. "
        "Never read: Billing system log; Retention call transcript."
    )
    assert "Billing system log never requested; no finding pinned" in (
        found["accounts-tested"].detail
    )
    assert found["on-time"].detail.endswith("is day 56: 1 day late.")
    assert found["adr-rights"].detail == (
        "Names Communications Ombudsman: no. Tells the customer where to go next: no."
    )
    assert "Missing what the scenario requires: Refund the overcharge." in (
        found["remedy-covers"].detail
    )
    assert found["authority"].detail.startswith(
        "Committed beyond authority without approval: the response sent at day 57 11:00 offers "
        "a remedy of £80.00 that needed authorisation."
    )
    assert found["authority"].detail.endswith("no authorisation was requested.")


def test_weak_trail_formative_list() -> None:
    assert formative(WEAK_UNSENT, letter=WEAK_LETTER, choice=WEAK_CHOICE) == [
        "The regulatory deadline is in 46 days.",
        "Some records you have not read may matter to the root cause.",
        "You have not yet tested every account you were given against the documents.",
        "Your remedy does not yet put right what the customer lost.",
        "Your remedy may go beyond your authority: seek authorisation before you send it.",
        "Your letter does not yet tell the customer where to go next.",
    ]
    after = formative(WEAK, letter=WEAK_LETTER, choice=WEAK_CHOICE)
    assert after[0] == "Your final response reached the customer after the regulatory deadline."
    assert (
        "Your remedy went beyond your authority and was sent without a manager's approval." in after
    )


def test_once_sending_is_closed_the_prompts_say_what_was_sent() -> None:
    """After the last send the letter page said "Your letter does not yet ...", as if the
    learner could still change what the customer received."""
    closed = formative_list(minimal(), WEAK, letter=WEAK_LETTER, choice=WEAK_CHOICE, closed=True)
    assert "Your remedy as sent did not put right what the customer lost." in closed
    assert "Your letter as sent did not tell the customer where to go next." in closed
    assert not any("does not yet" in prompt for prompt in closed)


def test_formative_list_at_the_start() -> None:
    assert formative([entry(K.CASE_STARTED, 0)]) == [
        "The regulatory deadline is in 46 days.",
        "You have not yet recorded a root cause.",
        "Some records you have not read may matter to the root cause.",
        "Some of the people involved may know more than you have asked them.",
        "You have not yet chosen a remedy.",
        "You have not yet drafted your final response letter.",
    ]


# --- 1. Key documents before the root cause ------------------------------------------------------


def test_key_documents_read_after_the_root_cause() -> None:
    trail = [
        entry(K.DOCUMENT_REQUESTED, 3, document_id="billing-log"),
        entry(K.ROOT_CAUSE_SAVED, 3, method="five_whys"),
        entry(K.DOCUMENT_REQUESTED, 6, document_id="call-transcript"),
        entry(K.ROOT_CAUSE_SAVED, 6, method="fishbone"),  # a later rewrite does not count
    ]
    found = checks(trail)["key-documents"]
    assert found.met is False
    assert "before it: Billing system log. Read only after it: Retention call transcript." in (
        found.detail
    )
    assert (
        "You read some records only after writing your root cause: check your root cause still "
        "fits what they show." in formative(trail)
    )


def test_key_documents_before_any_root_cause_is_not_yet_possible() -> None:
    found = checks([entry(K.DOCUMENT_REQUESTED, 3, document_id="billing-log")])["key-documents"]
    assert found.met is None
    assert found.detail == (
        "No root cause saved yet. Key documents read so far: Billing system log. "
        "Not yet read: Retention call transcript."
    )


def test_same_hour_order_comes_from_the_trail() -> None:
    trail = [
        entry(K.DOCUMENT_REQUESTED, 3, document_id="billing-log"),
        entry(K.DOCUMENT_REQUESTED, 6, document_id="call-transcript"),
        entry(K.ROOT_CAUSE_SAVED, 6, method="five_whys"),
    ]
    assert checks(trail)["key-documents"].met is True
    swapped = [trail[0], trail[2], trail[1]]
    assert checks(swapped)["key-documents"].met is False


# --- 2. The misleading account tested ------------------------------------------------------------

ASK = entry(K.QUESTION_ASKED, 1, stakeholder_id="billing-lead", question_id="what-happened")
READ = entry(K.DOCUMENT_REQUESTED, 4, document_id="billing-log")
ROOT = entry(K.ROOT_CAUSE_SAVED, 4, method="five_whys")


def test_document_read_before_asking_still_tests_the_account() -> None:
    found = checks([READ, ASK])["accounts-tested"]
    assert found.met is True
    assert "(before asking)" in found.detail
    assert "no finding pinned from it" in found.detail


def test_asked_but_not_checked() -> None:
    assert checks([ASK])["accounts-tested"].met is None  # still investigating
    found = checks([ASK, ROOT])["accounts-tested"]
    assert found.met is False
    assert "asked at day 10 10:00; Billing system log never requested" in found.detail
    assert (
        "You have not yet tested every account you were given against the documents."
        in formative([ASK, ROOT])
    )


def test_checked_but_never_asked() -> None:
    found = checks([READ, ROOT])["accounts-tested"]
    assert found.met is False
    assert "never asked" in found.detail
    prompts = formative([READ, ROOT])
    assert "Some of the people involved may know more than you have asked them." in prompts
    assert not any("tested every account" in p for p in prompts)


def test_scenario_without_a_misleading_account() -> None:
    scenario = minimal()
    lead = scenario.stakeholders[0]
    honest = lead.model_copy(
        update={
            "questions": tuple(
                q.model_copy(update={"misleading": False, "contradicted_by": None})
                for q in lead.questions
            )
        }
    )
    plain = scenario.model_copy(update={"stakeholders": (honest, *scenario.stakeholders[1:])})
    found = checks([ROOT], scenario=plain)["accounts-tested"]
    assert (found.met, found.detail) == (True, "The scenario has no misleading account.")


# --- 3. Sent by the final deadline ---------------------------------------------------------------


def sent_at(hours: int) -> list[TrailEntry]:
    return [entry(K.DRAFT_SAVED, hours - 2), entry(K.RESPONSE_SENT, hours, round=1)]


def test_sent_on_the_deadline_day_is_on_time() -> None:
    assert checks(sent_at(375))["on-time"].met is True  # day 56 16:00
    assert checks(sent_at(368))["on-time"].met is True  # day 56 09:00


def test_sent_a_day_after_is_late() -> None:
    found = checks(sent_at(376))["on-time"]  # day 57 09:00
    assert found.met is False
    assert found.detail.startswith("Final response sent at day 57 09:00;")
    assert found.detail.endswith(": 1 day late.")


def test_unsent_until_the_deadline_passes() -> None:
    assert checks([entry(K.DRAFT_SAVED, 375)])["on-time"].met is None
    found = checks([entry(K.DRAFT_SAVED, 376)])["on-time"]
    assert found.met is False
    assert found.detail.startswith("No final response sent; it is day 57")


def test_the_first_response_counts_and_the_revision_is_reported() -> None:
    trail = [*sent_at(100), entry(K.RESPONSE_SENT, 380, round=2)]
    found = checks(trail)["on-time"]
    assert found.met is True
    assert found.detail.endswith("The revision was sent at day 57 13:00, after the deadline.")
    assert len(found.evidence) == 2


@pytest.mark.parametrize(
    ("hours", "prompt"),
    [
        (0, "The regulatory deadline is in 46 days."),
        (360, "The regulatory deadline is in 1 day."),
        (375, "The regulatory deadline is today."),
        (376, "The regulatory deadline passed 1 day ago."),
        (392, "The regulatory deadline passed 3 days ago."),
    ],
)
def test_deadline_prompt(hours: int, prompt: str) -> None:
    assert formative([entry(K.DRAFT_SAVED, hours)])[0] == prompt


# --- 4. Ombudsman or ADR rights ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("letter", "expected"),
    [
        (None, None),
        ("   ", None),
        (GOOD_LETTER, True),
        ("You may use alternative   dispute\nresolution.", True),
        ("If you are unhappy, contact the ombudsman.", True),
        (WEAK_LETTER, False),
    ],
)
def test_adr_rights(letter: str | None, expected: bool | None) -> None:
    assert checks(STRONG, letter=letter)["adr-rights"].met is expected


def test_adr_requirements_and_ombudsman_name() -> None:
    assert [r.id for r in adr_requirements(minimal())] == ["adr-rights"]
    assert ombudsman_name(minimal()) == "Communications Ombudsman"
    regime = minimal().regime.model_copy(
        update={"ombudsman": "RetailResolve (the ADR provider); there is no statutory ombudsman"}
    )
    assert ombudsman_name(minimal().model_copy(update={"regime": regime})) == "RetailResolve"


def test_scenario_without_an_adr_requirement_falls_back_to_the_ombudsman() -> None:
    scenario = minimal()
    reply = scenario.customer_reply.model_copy(
        update={"requirements": scenario.customer_reply.requirements[1:]}
    )
    plain = scenario.model_copy(update={"customer_reply": reply})
    assert checks(STRONG, letter=GOOD_LETTER, scenario=plain)["adr-rights"].met is True
    found = checks(STRONG, letter=WEAK_LETTER, scenario=plain)["adr-rights"]
    assert (found.met, found.detail) == (
        False,
        "Names Communications Ombudsman: no. Mentions no ombudsman or ADR.",
    )
    prompts = formative_list(plain, STRONG, letter=WEAK_LETTER, choice=FULL)
    assert prompts == [
        "Your letter does not yet tell the customer where to go if they remain unhappy."
    ]


# --- 5. The remedy covers what is required -------------------------------------------------------


def test_remedy_covers() -> None:
    assert checks(STRONG)["remedy-covers"].met is None
    assert checks(STRONG, choice=FULL)["remedy-covers"].met is True
    partial = checks(STRONG, choice=RemedyChoice(("honour-price",)))["remedy-covers"]
    assert partial.met is False
    assert partial.evidence == ["remedy_saved at day 11 11:00"]


def test_remedy_notes_unfair_choices_and_own_components() -> None:
    scenario = minimal()
    unfair = tuple(
        r.model_copy(update={"fair": False}) if r.id == "honour-price" else r
        for r in scenario.remedies
    )
    varied = scenario.model_copy(update={"remedies": unfair})
    found = checks(STRONG, choice=OVER_AUTHORITY, scenario=varied)["remedy-covers"]
    assert found.met is True
    assert "Goodwill (£20.00, own)" in found.detail
    assert found.detail.endswith("Also chosen, not part of a fair remedy: Honour the agreed price.")


# --- 6. Authority sought when needed -------------------------------------------------------------


def authorised(total: str, approved: bool, hours: int = 18) -> TrailEntry:
    return entry(K.AUTHORISATION_REQUESTED, hours, total=total, approved=approved)


SEND = entry(K.RESPONSE_SENT, 20, round=1)


def test_within_authority() -> None:
    assert checks([SEND], choice=FULL)["authority"].met is True
    anyway = checks([authorised("42.50", True), SEND], choice=FULL)["authority"]
    assert anyway.met is True
    assert anyway.detail.endswith("Authorisation was requested anyway.")


def test_approved_before_sending() -> None:
    found = checks([authorised("62.50", True), SEND], choice=OVER_AUTHORITY)["authority"]
    assert found.met is True
    assert found.detail == (
        "Needed authorisation: The remedy comes to £62.50, above your authority limit of £50.00. "
        "Approved for £62.50 at day 12 11:00, before the response was sent."
    )
    assert found.evidence == [
        "authorisation_requested £62.50 approved at day 12 11:00",
        "response_sent round 1 at day 12 13:00",
    ]
    assert not any(
        "authority" in p for p in formative([authorised("62.50", True)], choice=OVER_AUTHORITY)
    )


def test_needs_authority_and_not_yet_sent() -> None:
    assert checks([], choice=OVER_AUTHORITY)["authority"].met is None
    assert checks([authorised("62.50", True)], choice=OVER_AUTHORITY)["authority"].met is True
    assert (
        "Your remedy may go beyond your authority: seek authorisation before you send it."
        in formative([], choice=OVER_AUTHORITY)
    )


def test_sent_without_asking() -> None:
    found = checks([SEND], choice=OVER_AUTHORITY)["authority"]
    assert found.met is False
    assert found.detail.startswith("Committed beyond authority without approval")


def test_declined() -> None:
    big = RemedyChoice(("refund-overcharge",), (("Goodwill", Decimal(200)),))
    declined = authorised("242.50", False)
    assert checks([declined], choice=big)["authority"].met is None
    assert (
        "Your manager has not approved a remedy of this size: revise it before you send it."
        in formative([declined], choice=big)
    )
    found = checks([declined, SEND], choice=big)["authority"]
    assert found.met is False
    assert "a request for £242.50 was declined at day 12 11:00" in found.detail


def test_approval_for_less_than_was_sent() -> None:
    bigger = RemedyChoice(("refund-overcharge",), (("Goodwill", Decimal(50)),))
    found = checks([authorised("62.50", True), SEND], choice=bigger)["authority"]
    assert found.met is False
    assert "(the remedy totals £92.50)" in found.detail


def test_approval_after_sending_is_too_late() -> None:
    trail = [SEND, authorised("62.50", True, hours=28)]
    assert checks(trail, choice=OVER_AUTHORITY)["authority"].met is False


def test_authority_for_a_revised_remedy_before_the_revision() -> None:
    """Round 1 was within authority; the revision adds more and is approved before it is sent."""
    trail = [
        entry(K.RESPONSE_SENT, 20, round=1),
        entry(K.CUSTOMER_REPLIED, 36, accepted=False, unmet=["full-refund"]),
        authorised("62.50", True, hours=44),
        entry(K.RESPONSE_SENT, 46, round=2),
    ]
    assert checks(trail, choice=OVER_AUTHORITY)["authority"].met is True


def test_trail_reference_formats() -> None:
    scenario = minimal()
    assert trail_reference(ASK, scenario) == (
        "question_asked billing-lead/what-happened at day 10 10:00"
    )
    pin = entry(K.FINDING_PINNED, 9, source="answer", stakeholder_id="a", question_id="b")
    assert trail_reference(pin, scenario) == "finding_pinned from answer a/b at day 11 10:00"
    reply = entry(K.CUSTOMER_REPLIED, 16, accepted=False, unmet=[])
    assert trail_reference(reply, scenario) == "customer_replied pushed back at day 12 09:00"
    assert trail_reference(entry(K.CASE_STARTED, 0), scenario) == "case_started at day 10 09:00"


# --- The formative list gives nothing away -------------------------------------------------------


def forbidden(scenario: Scenario) -> list[str]:
    """What the learner's list must never contain: key documents, misleading people, and the
    required remedies (ids and labels)."""
    words: list[str] = []
    for document_id in scenario.guidance.key_documents:
        document = scenario.document(document_id)
        words += [document_id, document.title] if document else [document_id]
    for stakeholder, question in scenario.misleading_questions():
        words += [stakeholder.id, stakeholder.name, stakeholder.name.split()[-1], question.text]
    for requirement in scenario.customer_reply.requirements:
        if requirement.kind == "remedy_includes" and requirement.remedy:
            remedy = scenario.remedy(requirement.remedy)
            words += [requirement.remedy, remedy.label.strip() if remedy else ""]
        words.append(requirement.id)
    return [w.strip().lower() for w in words if w.strip()]


def assert_gives_nothing_away(scenario: Scenario, prompts: list[str]) -> None:
    for prompt in prompts:
        for word in forbidden(scenario):
            assert word not in prompt.lower(), f"{word!r} leaks in {prompt!r}"


def stages(scenario: Scenario) -> list[tuple[list[TrailEntry], str | None, RemedyChoice | None]]:
    weak_unsent = weak_case(scenario, sent=False)
    strong_trail, strong_letter, strong_choice = strong_case(scenario)
    return [
        ([entry(K.CASE_STARTED, 0)], None, None),
        weak_unsent,
        weak_case(scenario),
        (strong_trail[:-3], "Dear customer, sorry.", RemedyChoice()),
        (strong_trail, strong_letter, strong_choice),
    ]


def test_minimal_formative_gives_nothing_away() -> None:
    scenario = minimal()
    for trail, letter, choice in [
        ([], None, None),
        (WEAK_UNSENT, WEAK_LETTER, WEAK_CHOICE),
        (WEAK, WEAK_LETTER, WEAK_CHOICE),
        (STRONG_UNSENT, "Hello", RemedyChoice()),
    ]:
        prompts = formative_list(scenario, trail, letter=letter, choice=choice)
        assert prompts
        assert_gives_nothing_away(scenario, prompts)
    for trail, letter, choice in stages(scenario):
        prompts = formative_list(scenario, trail, letter=letter, choice=choice)
        assert_gives_nothing_away(scenario, prompts)


@pytest.mark.parametrize("slug", bundled_slugs())
def test_bundled_formative_gives_nothing_away(slug: str) -> None:
    scenario = bundled()[slug]
    for trail, letter, choice in stages(scenario):
        prompts = formative_list(scenario, trail, letter=letter, choice=choice)
        assert_gives_nothing_away(scenario, prompts)
        assert all(p.endswith(".") and p[0].isupper() for p in prompts)


@pytest.mark.parametrize("slug", bundled_slugs())
def test_bundled_strong_and_weak(slug: str) -> None:
    scenario = bundled()[slug]
    trail, letter, choice = strong_case(scenario)
    strong = checks(trail, letter=letter, choice=choice, scenario=scenario)
    assert {i: c.met for i, c in strong.items()} == dict.fromkeys(CHECK_IDS, True), {
        i: c.detail for i, c in strong.items() if not c.met
    }
    assert formative_list(scenario, trail, letter=letter, choice=choice) == []
    trail, letter, choice = weak_case(scenario)
    weak = checks(trail, letter=letter, choice=choice, scenario=scenario)
    assert {i: c.met for i, c in weak.items()} == dict.fromkeys(CHECK_IDS, False), {
        i: c.detail for i, c in weak.items() if c.met is not False
    }


# --- Any trail at all ----------------------------------------------------------------------------


@st.composite
def random_cases(draw: st.DrawFn) -> tuple[list[TrailEntry], str | None, RemedyChoice | None]:
    scenario = minimal()
    learner = Learner(scenario)
    documents = [d.id for d in scenario.documents]
    questions = [(s.id, q.id) for s in scenario.stakeholders for q in s.questions]
    for _ in range(draw(st.integers(0, 15))):
        action = draw(st.sampled_from(["read", "ask", "pin", "root", "auth", "send", "wait"]))
        if action == "read":
            learner.read(draw(st.sampled_from(documents)))
        elif action == "ask":
            learner.ask(*draw(st.sampled_from(questions)))
        elif action == "pin":
            learner.do(
                K.FINDING_PINNED, source="document", document_id=draw(st.sampled_from(documents))
            )
        elif action == "root":
            learner.do(K.ROOT_CAUSE_SAVED, method=draw(st.sampled_from(["five_whys", "fishbone"])))
        elif action == "auth":
            total = draw(st.decimals(0, 300, places=2))
            learner.do(K.AUTHORISATION_REQUESTED, total=str(total), approved=draw(st.booleans()))
        elif action == "send":
            learner.do(K.RESPONSE_SENT, round=draw(st.sampled_from([1, 2])))
        else:
            learner.wait_until(learner.hours + draw(st.integers(0, 200)))
    letter = draw(st.sampled_from([None, "", GOOD_LETTER, WEAK_LETTER]))
    choice = draw(st.sampled_from([None, RemedyChoice(), FULL, OVER_AUTHORITY, WEAK_CHOICE]))
    return learner.trail, letter, choice


@settings(max_examples=150, deadline=None)
@given(case=random_cases())
def test_any_trail_gives_facts_and_safe_prompts(
    case: tuple[list[TrailEntry], str | None, RemedyChoice | None],
) -> None:
    trail, letter, choice = case
    found = checks(trail, letter=letter, choice=choice)
    for check in found.values():
        assert check.met in (True, False, None)
        assert check.detail
    if choice is None:
        assert found["remedy-covers"].met is None and found["authority"].met is None
    if not letter:
        assert found["adr-rights"].met is None
    assert_gives_nothing_away(minimal(), formative(trail, letter=letter, choice=choice))


@pytest.mark.parametrize(
    ("checklist", "prompt"),
    [
        (
            "Tells the customer where to go next",
            "Your letter does not yet tell the customer where to go next.",
        ),
        (
            "Names the ombudsman, explains when she can refer, and says whether it stays open",
            "Your letter does not yet name the ombudsman, explain when she can refer, and "
            "say whether it stays open.",
        ),
        (
            "Settles the claim or authorises the repairs now.",
            "Your letter does not yet settle the claim or authorise the repairs now.",
        ),
        ("Reaches her by day 56", "Your letter does not yet reach her by day 56."),
        ("Has the right tone", "Your letter does not yet have the right tone."),
        (
            "Applies the rule; Citizens Advice is named",
            "Your letter does not yet apply the rule; Citizens Advice is named.",
        ),
        (
            "ADR rights explained",
            "Your letter does not yet cover this point: ADR rights explained.",
        ),
        ("Apologise  sincerely", "Your letter does not yet cover this point: Apologise sincerely."),
    ],
)
def test_checklist_text_becomes_a_prompt(checklist: str, prompt: str) -> None:
    assert _prompt("Your letter", checklist) == prompt
