"""Marking-point checks over a case's trail and records: facts for the assessor, never a decision.

``marking_checks`` returns one ``MarkingCheck`` per observable point of the marking guide, in
this order (ids are stable):

1. ``key-documents``: the scenario's key documents were read before the root cause was first
   saved. Not yet possible (``met`` None) until a root cause is saved.
2. ``accounts-tested``: each misleading answer was tested: the learner asked the question *and*
   requested the document that contradicts it (in either order; the order and any finding pinned
   from the document are reported). None while incomplete and neither a root cause has been saved
   nor a response sent.
3. ``on-time``: the final response (the first one sent) was on time for the final deadline (rule
   in ``clock``); the revision is reported too. None until sent, unless the deadline has passed.
4. ``adr-rights``: the letter meets every ``letter_mentions`` requirement about the ombudsman or
   ADR (those whose phrases, checklist or id speak of the ombudsman, dispute resolution or ADR);
   whether it names the scheme (``ombudsman_name``) is reported. A scenario without such a
   requirement falls back to the scheme's name, "ombudsman" or "alternative dispute resolution".
   None without a letter.
5. ``remedy-covers``: the remedy includes every ``remedy_includes`` requirement's remedy. None
   without a remedy.
6. ``authority``: a remedy beyond the learner's authority was approved by the manager, for at
   least its total, before the (last) response was sent. Not met when it was sent without such
   an approval ("committed beyond authority"); None while it needs approval and is unsent.

``formative_list`` turns the same facts into plain-English prompts for the learner that never
name a key document, a misleading stakeholder or a required remedy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from portfolio.scenarios.schema import Question, Requirement, Scenario, Stakeholder

from .clock import SimTime, day_of, deadline_status, is_on_time
from .remedy import RemedyChoice, format_money, needs_authorisation, remedy_total
from .reply import first_mention, requirement_met
from .trail import (
    Trail,
    TrailEntry,
    TrailKind,
    current_hours,
    entry_total,
    first_index,
    indexed,
    last_index,
)

CHECK_LABELS: dict[str, str] = {
    "key-documents": "Key documents read before the root cause was written",
    "accounts-tested": "Misleading account tested against the document that contradicts it",
    "on-time": "Final response sent by the regulatory deadline",
    "adr-rights": "Letter names the ombudsman or ADR rights",
    "remedy-covers": "Remedy covers what the scenario requires",
    "authority": "Authority sought when the remedy needed it",
}

#: Words that mark a letter requirement as being about the ombudsman or ADR.
ADR_MARKERS = ("ombudsman", "dispute resolution", "adr")
#: What a letter must mention when the scenario has no ombudsman or ADR requirement.
FALLBACK_ADR_PHRASES = ("ombudsman", "alternative dispute resolution")


@dataclass(frozen=True)
class MarkingCheck:
    """One marking point as a fact: met, not met or not yet possible (None), and why.

    ``evidence`` lists the trail entries behind it, e.g. ``document_requested billing-log at day
    40 10:00``.
    """

    id: str
    label: str
    met: bool | None
    detail: str
    evidence: list[str] = field(default_factory=list, hash=False)


# --- Facts shared by the checks and the formative list -------------------------------------------


def trail_reference(entry: TrailEntry, scenario: Scenario) -> str:
    """How a trail entry is cited in evidence: its kind, what it concerned and when."""
    payload = entry.payload
    subject = ""
    if entry.kind is TrailKind.DOCUMENT_REQUESTED:
        subject = str(payload["document_id"])
    elif entry.kind is TrailKind.QUESTION_ASKED:
        subject = f"{payload['stakeholder_id']}/{payload['question_id']}"
    elif entry.kind is TrailKind.FINDING_PINNED:
        if payload["source"] == "document":
            subject = f"from document {payload['document_id']}"
        else:
            subject = f"from answer {payload['stakeholder_id']}/{payload['question_id']}"
    elif entry.kind is TrailKind.ROOT_CAUSE_SAVED:
        subject = f"({payload['method']})"
    elif entry.kind is TrailKind.AUTHORISATION_REQUESTED:
        verdict = "approved" if payload["approved"] else "declined"
        subject = f"{format_money(entry_total(payload['total']))} {verdict}"
    elif entry.kind is TrailKind.RESPONSE_SENT:
        subject = f"round {payload['round']}"
    elif entry.kind is TrailKind.CUSTOMER_REPLIED:
        subject = "accepted" if payload["accepted"] else "pushed back"
    kind = f"{entry.kind} {subject}" if subject else str(entry.kind)
    return f"{kind} at {SimTime.from_hours(scenario.clock, entry.hours)}"


def _when(scenario: Scenario, entry: TrailEntry) -> str:
    return str(SimTime.from_hours(scenario.clock, entry.hours))


def _title(scenario: Scenario, document_id: str) -> str:
    document = scenario.document(document_id)
    return document.title if document else document_id


def _titles(scenario: Scenario, document_ids: Sequence[str]) -> str:
    return "; ".join(_title(scenario, d) for d in document_ids) if document_ids else "none"


@dataclass
class _Reading:
    """When each key document was first requested, relative to the first root cause."""

    root_cause: int | None
    requested: dict[str, int]
    before: list[str]
    after: list[str]
    never: list[str]


def _reading(scenario: Scenario, trail: Trail) -> _Reading:
    root = first_index(trail, TrailKind.ROOT_CAUSE_SAVED)
    reading = _Reading(root, {}, [], [], [])
    for document_id in dict.fromkeys(scenario.guidance.key_documents):
        i = first_index(trail, TrailKind.DOCUMENT_REQUESTED, document_id=document_id)
        if i is None:
            reading.never.append(document_id)
            continue
        reading.requested[document_id] = i
        (reading.before if root is None or i < root else reading.after).append(document_id)
    return reading


@dataclass
class _Test:
    """How one misleading answer was tested: positions of the question, document and pin."""

    stakeholder: Stakeholder
    question: Question
    asked: int | None
    requested: int | None
    pinned: int | None

    @property
    def complete(self) -> bool:
        return self.asked is not None and self.requested is not None


def _tests(scenario: Scenario, trail: Trail) -> list[_Test]:
    tests = []
    for stakeholder, question in scenario.misleading_questions():
        document_id = question.contradicted_by
        tests.append(
            _Test(
                stakeholder,
                question,
                first_index(
                    trail,
                    TrailKind.QUESTION_ASKED,
                    stakeholder_id=stakeholder.id,
                    question_id=question.id,
                ),
                first_index(trail, TrailKind.DOCUMENT_REQUESTED, document_id=document_id),
                first_index(
                    trail, TrailKind.FINDING_PINNED, source="document", document_id=document_id
                ),
            )
        )
    return tests


def adr_requirements(scenario: Scenario) -> list[Requirement]:
    """The ``letter_mentions`` requirements about the ombudsman or ADR rights."""
    markers = (*ADR_MARKERS, ombudsman_name(scenario))
    found = []
    for requirement in scenario.customer_reply.requirements:
        if requirement.kind != "letter_mentions":
            continue
        about = " ".join(
            [*(requirement.any_of or ()), requirement.checklist, requirement.id.replace("-", " ")]
        )
        if first_mention(about, markers) is not None:
            found.append(requirement)
    return found


def ombudsman_name(scenario: Scenario) -> str:
    """The ombudsman or ADR scheme's name: ``regime.ombudsman`` up to any note in brackets or
    after a semicolon ("RetailResolve (HomeNest's ADR provider); ..." gives "RetailResolve")."""
    name = re.split(r"[(;]", scenario.regime.ombudsman, maxsplit=1)[0].strip()
    return name or scenario.regime.ombudsman.strip()


def _letter_met(scenario: Scenario, requirement: Requirement, letter: str) -> bool:
    return requirement_met(
        scenario, requirement, letter=letter, choice=RemedyChoice(), sent_hours=0
    )


@dataclass
class _Authority:
    """Whether the remedy needed authorisation and what the trail shows about it."""

    needed: bool
    reasons: list[str]
    total: Decimal
    sent: int | None
    considered: list[tuple[int, TrailEntry]]
    covering: tuple[int, TrailEntry] | None


def _authority(
    scenario: Scenario, trail: Trail, choice: RemedyChoice, *, pending: bool = False
) -> _Authority:
    """``pending``: the choice is a draft still to be sent, so every request so far counts and
    nothing about it has been sent yet."""
    needed, reasons = needs_authorisation(scenario, choice)
    total = remedy_total(scenario, choice)
    sent = None if pending else last_index(trail, TrailKind.RESPONSE_SENT)
    considered = [
        (i, e)
        for i, e in indexed(trail, TrailKind.AUTHORISATION_REQUESTED)
        if sent is None or i < sent
    ]
    covering = next(
        (
            (i, e)
            for i, e in reversed(considered)
            if e.payload["approved"] and entry_total(e.payload["total"]) >= total
        ),
        None,
    )
    return _Authority(needed, reasons, total, sent, considered, covering)


# --- The six checks ------------------------------------------------------------------------------


def _check(check_id: str, met: bool | None, detail: str, evidence: list[str]) -> MarkingCheck:
    return MarkingCheck(check_id, CHECK_LABELS[check_id], met, detail, evidence)


def _check_key_documents(scenario: Scenario, trail: Trail) -> MarkingCheck:
    reading = _reading(scenario, trail)
    evidence = [trail_reference(trail[i], scenario) for i in reading.requested.values()]
    if reading.root_cause is None:
        detail = (
            f"No root cause saved yet. Key documents read so far: "
            f"{_titles(scenario, reading.before)}. Not yet read: "
            f"{_titles(scenario, reading.never)}."
        )
        return _check("key-documents", None, detail, evidence)
    root = trail[reading.root_cause]
    evidence.append(trail_reference(root, scenario))
    detail = (
        f"Root cause first saved at {_when(scenario, root)}. Key documents read before it: "
        f"{_titles(scenario, reading.before)}. Read only after it: "
        f"{_titles(scenario, reading.after)}. Never read: {_titles(scenario, reading.never)}."
    )
    met = not reading.after and not reading.never
    return _check("key-documents", met, detail, evidence)


def _describe_test(scenario: Scenario, trail: Trail, test: _Test) -> str:
    who = f'{test.stakeholder.name}\'s answer to "{test.question.text.strip()}"'
    document = _title(scenario, test.question.contradicted_by or "")
    asked = (
        f"asked at {_when(scenario, trail[test.asked])}"
        if test.asked is not None
        else "never asked"
    )
    if test.requested is None:
        read = f"{document} never requested"
    else:
        read = f"{document} requested at {_when(scenario, trail[test.requested])}"
        if test.asked is not None:
            read += " (after the answer)" if test.requested > test.asked else " (before asking)"
    pinned = (
        f"finding pinned from it at {_when(scenario, trail[test.pinned])}"
        if test.pinned is not None
        else "no finding pinned from it"
    )
    return f"{who}: {asked}; {read}; {pinned}."


def _check_accounts(scenario: Scenario, trail: Trail) -> MarkingCheck:
    tests = _tests(scenario, trail)
    if not tests:
        return _check("accounts-tested", True, "The scenario has no misleading account.", [])
    evidence = [
        trail_reference(trail[i], scenario)
        for test in tests
        for i in (test.asked, test.requested, test.pinned)
        if i is not None
    ]
    detail = " ".join(_describe_test(scenario, trail, test) for test in tests)
    if all(test.complete for test in tests):
        met: bool | None = True
    elif first_index(trail, TrailKind.ROOT_CAUSE_SAVED) is not None or (
        first_index(trail, TrailKind.RESPONSE_SENT) is not None
    ):
        met = False
    else:
        met = None
    return _check("accounts-tested", met, detail, evidence)


def _check_on_time(scenario: Scenario, trail: Trail) -> MarkingCheck:
    final = scenario.final_deadline
    due = f'the deadline "{final.label}" is day {final.day}'
    sends = indexed(trail, TrailKind.RESPONSE_SENT)
    if not sends:
        today = day_of(scenario.clock, current_hours(trail))
        if today > final.day:
            detail = f"No final response sent; it is day {today} and {due}: missed."
            return _check("on-time", False, detail, [])
        return _check("on-time", None, f"No final response sent yet; it is day {today}; {due}.", [])
    evidence = [trail_reference(entry, scenario) for _, entry in sends]
    first = sends[0][1]
    on_time = is_on_time(scenario, first.hours)
    sent_day = day_of(scenario.clock, first.hours)
    late = sent_day - final.day
    verdict = "on time" if on_time else f"{late} day{'' if late == 1 else 's'} late"
    detail = f"Final response sent at {_when(scenario, first)}; {due}: {verdict}."
    for _, revision in sends[1:]:
        within = "within" if is_on_time(scenario, revision.hours) else "after"
        detail += f" The revision was sent at {_when(scenario, revision)}, {within} the deadline."
    return _check("on-time", on_time, detail, evidence)


def _letter_evidence(scenario: Scenario, trail: Trail) -> list[str]:
    saved = last_index(trail, TrailKind.LETTER_SAVED)
    found = [trail[saved]] if saved is not None else []
    found += [entry for _, entry in indexed(trail, TrailKind.RESPONSE_SENT)]
    return [trail_reference(entry, scenario) for entry in found]


def _check_adr(scenario: Scenario, trail: Trail, letter: str | None) -> MarkingCheck:
    if not letter or not letter.strip():
        return _check("adr-rights", None, "No letter written yet.", [])
    ombudsman = ombudsman_name(scenario)
    names = first_mention(letter, [ombudsman]) is not None
    parts = [f"Names {ombudsman}: {'yes' if names else 'no'}."]
    requirements = adr_requirements(scenario)
    if requirements:
        met = True
        for requirement in requirements:
            phrase = first_mention(letter, requirement.any_of or ())
            met = met and phrase is not None
            found = f'yes ("{phrase}")' if phrase else "no"
            parts.append(f"{' '.join(requirement.checklist.split())}: {found}.")
    else:
        phrase = first_mention(letter, [ombudsman, *FALLBACK_ADR_PHRASES])
        met = phrase is not None
        parts.append(f'Mentions "{phrase}".' if phrase else "Mentions no ombudsman or ADR.")
    return _check("adr-rights", met, " ".join(parts), _letter_evidence(scenario, trail))


def _check_remedy(scenario: Scenario, trail: Trail, choice: RemedyChoice | None) -> MarkingCheck:
    if choice is None:
        return _check("remedy-covers", None, "No remedy chosen yet.", [])
    saved = last_index(trail, TrailKind.REMEDY_SAVED)
    evidence = [trail_reference(trail[saved], scenario)] if saved is not None else []
    chosen = [scenario.remedy(rid) for rid in choice.remedy_ids]
    labels = [r.label.strip() for r in chosen if r is not None]
    labels += [f"{c.label.strip()} ({format_money(c.amount)}, own)" for c in choice.custom]
    parts = [
        f"Chosen: {'; '.join(labels) or 'nothing'} (total "
        f"{format_money(remedy_total(scenario, choice))})."
    ]
    required = [r for r in scenario.customer_reply.requirements if r.kind == "remedy_includes"]
    missing = [r for r in required if r.remedy not in choice.remedy_ids]
    if missing:
        names = "; ".join(_remedy_label(scenario, r.remedy or "") for r in missing)
        parts.append(f"Missing what the scenario requires: {names}.")
    elif required:
        parts.append("Includes every remedy the scenario requires.")
    else:
        parts.append("The scenario requires no particular remedy.")
    unfair = [r.label.strip() for r in chosen if r is not None and not r.fair]
    if unfair:
        parts.append(f"Also chosen, not part of a fair remedy: {'; '.join(unfair)}.")
    return _check("remedy-covers", not missing, " ".join(parts), evidence)


def _remedy_label(scenario: Scenario, remedy_id: str) -> str:
    remedy = scenario.remedy(remedy_id)
    return remedy.label.strip() if remedy else remedy_id


def _check_authority(scenario: Scenario, trail: Trail, choice: RemedyChoice | None) -> MarkingCheck:
    if choice is None:
        return _check("authority", None, "No remedy chosen yet.", [])
    facts = _authority(scenario, trail, choice)
    evidence = [trail_reference(entry, scenario) for _, entry in facts.considered]
    if facts.sent is not None:
        evidence.append(trail_reference(trail[facts.sent], scenario))
    total = format_money(facts.total)
    limit = format_money(scenario.authority_limit)
    if not facts.needed:
        detail = f"Within authority: the remedy totals {total}; the limit is {limit}."
        if facts.considered:
            detail += " Authorisation was requested anyway."
        return _check("authority", True, detail, evidence)
    why = " ".join(facts.reasons)
    if facts.covering is not None:
        i, approval = facts.covering
        detail = (
            f"Needed authorisation: {why} Approved for "
            f"{format_money(entry_total(approval.payload['total']))} at "
            f"{_when(scenario, approval)}"
        )
        detail += "." if facts.sent is None else ", before the response was sent."
        return _check("authority", True, detail, evidence)
    history = _request_history(scenario, facts)
    if facts.sent is None:
        detail = f"Needs authorisation: {why} Not yet approved; {history}."
        return _check("authority", None, detail, evidence)
    detail = (
        f"Committed beyond authority without approval: the response sent at "
        f"{_when(scenario, trail[facts.sent])} offers a remedy of {total} that needed "
        f"authorisation. {why} Before it was sent, {history}."
    )
    return _check("authority", False, detail, evidence)


def _request_history(scenario: Scenario, facts: _Authority) -> str:
    if not facts.considered:
        return "no authorisation was requested"
    said = []
    for _, entry in facts.considered:
        amount = format_money(entry_total(entry.payload["total"]))
        verdict = "approved" if entry.payload["approved"] else "declined"
        said.append(f"a request for {amount} was {verdict} at {_when(scenario, entry)}")
    return "; ".join(said) + f" (the remedy totals {format_money(facts.total)})"


def marking_checks(
    scenario: Scenario,
    trail: Trail,
    *,
    letter: str | None,
    choice: RemedyChoice | None,
) -> list[MarkingCheck]:
    """The six marking-point checks, as facts, over the trail and the current records.

    ``letter`` is the response letter (as sent, or the latest draft) and ``choice`` the remedy
    (as sent, or the latest saved); None when there is none yet.
    """
    return [
        _check_key_documents(scenario, trail),
        _check_accounts(scenario, trail),
        _check_on_time(scenario, trail),
        _check_adr(scenario, trail, letter),
        _check_remedy(scenario, trail, choice),
        _check_authority(scenario, trail, choice),
    ]


# --- The learner's formative list ----------------------------------------------------------------

_IRREGULAR = {"has": "have", "does": "do", "goes": "go"}
_OBJECT_WORDS = (
    "the|her|his|their|them|it|its|a|an|any|all|what|how|when|why|where|whether|if|everything|"
    "our|your|every|each|this|that|these|those"
)
#: A lower-case third-person verb after "and", "or" or a comma, followed by an object word.
_COORDINATED = re.compile(rf"(\b(?:and|or)|,) ([a-z]+) ({_OBJECT_WORDS})\b")


def _base_form(word: str) -> str | None:
    """The infinitive of a third-person verb ("Tells" -> "tell"), or None if it is not one."""
    lower = word.lower()
    if not lower.isalpha() or word[1:] != word[1:].lower():
        return None
    if lower in _IRREGULAR:
        return _IRREGULAR[lower]
    if len(lower) < 4 or not lower.endswith("s") or lower.endswith(("ss", "us", "is")):
        return None
    if lower.endswith("ies"):
        return lower[:-3] + "y"
    if lower.endswith(("ches", "shes", "sses", "xes", "zes")):
        return lower[:-2]
    return lower[:-1]


def _coordinated(match: re.Match[str]) -> str:
    base = _base_form(match.group(2))
    return f"{match.group(1)} {base or match.group(2)} {match.group(3)}"


def _prompt(subject: str, checklist: str, *, sent: bool = False) -> str:
    """A checklist line ("Tells the customer ...") as "<subject> does not yet tell the ...",
    or, once sending is closed and nothing can change, "<subject> as sent did not tell ..."."""
    text = " ".join(checklist.split()).rstrip(".")
    first, _, rest = text.partition(" ")
    verb = _base_form(first)
    lacks = f"{subject} as sent did not" if sent else f"{subject} does not yet"
    if verb is None or not rest:
        return f"{lacks} cover this point: {text}."
    rest = _COORDINATED.sub(_coordinated, rest)
    return f"{lacks} {verb} {rest}."


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _deadline_prompts(scenario: Scenario, trail: Trail) -> list[str]:
    sends = indexed(trail, TrailKind.RESPONSE_SENT)
    if sends:
        if not is_on_time(scenario, sends[0][1].hours):
            return ["Your final response reached the customer after the regulatory deadline."]
        return []
    final = scenario.final_deadline
    status = next(
        s for s in deadline_status(scenario, current_hours(trail)) if s.deadline.id == final.id
    )
    if status.passed:
        return [f"The regulatory deadline passed {_days(-status.days_left)} ago."]
    if status.days_left == 0:
        return ["The regulatory deadline is today."]
    return [f"The regulatory deadline is in {_days(status.days_left)}."]


def _investigation_prompts(scenario: Scenario, trail: Trail) -> list[str]:
    prompts = []
    reading = _reading(scenario, trail)
    if reading.root_cause is None:
        prompts.append("You have not yet recorded a root cause.")
    if reading.never:
        prompts.append("Some records you have not read may matter to the root cause.")
    elif reading.after:
        prompts.append(
            "You read some records only after writing your root cause: check your root cause "
            "still fits what they show."
        )
    tests = _tests(scenario, trail)
    if any(test.asked is None for test in tests):
        prompts.append("Some of the people involved may know more than you have asked them.")
    if any(test.asked is not None and test.requested is None for test in tests):
        prompts.append(
            "You have not yet tested every account you were given against the documents."
        )
    return prompts


def _remedy_prompts(
    scenario: Scenario,
    trail: Trail,
    choice: RemedyChoice | None,
    *,
    pending: bool,
    closed: bool = False,
) -> list[str]:
    if choice is None:
        return ["You have not yet chosen a remedy."]
    prompts = [
        _prompt("Your remedy", r.checklist, sent=closed)
        for r in scenario.customer_reply.requirements
        if r.kind == "remedy_includes" and r.remedy not in choice.remedy_ids
    ]
    facts = _authority(scenario, trail, choice, pending=pending)
    if facts.needed and facts.covering is None:
        declined = [
            e
            for _, e in facts.considered
            if not e.payload["approved"] and entry_total(e.payload["total"]) <= facts.total
        ]
        if facts.sent is not None:
            prompts.append(
                "Your remedy went beyond your authority and was sent without a manager's approval."
            )
        elif declined:
            prompts.append(
                "Your manager has not approved a remedy of this size: revise it before you send it."
            )
        else:
            prompts.append(
                "Your remedy may go beyond your authority: seek authorisation before you send it."
            )
    return prompts


def _letter_prompts(scenario: Scenario, letter: str | None, *, closed: bool = False) -> list[str]:
    if not letter or not letter.strip():
        return ["You have not yet drafted your final response letter."]
    prompts = [
        _prompt("Your letter", r.checklist, sent=closed)
        for r in scenario.customer_reply.requirements
        if r.kind == "letter_mentions" and not _letter_met(scenario, r, letter)
    ]
    fallback = [ombudsman_name(scenario), *FALLBACK_ADR_PHRASES]
    if not adr_requirements(scenario) and not first_mention(letter, fallback):
        prompts.append(
            _prompt(
                "Your letter",
                "Tells the customer where to go if they remain unhappy",
                sent=closed,
            )
        )
    return prompts


def formative_list(
    scenario: Scenario,
    trail: Trail,
    *,
    letter: str | None,
    choice: RemedyChoice | None,
    pending: bool = False,
    closed: bool = False,
) -> list[str]:
    """The learner's "before you submit" prompts: plain English, nothing given away.

    ``letter`` and ``choice`` are the learner's current draft while ``pending`` (nothing sent
    yet, or a revision still to send), otherwise the response as last sent. Once sending is
    ``closed`` the letter and remedy prompts say what the response as sent did not do, since
    "does not yet" would promise a change the learner can no longer make.

    The prompts say what is not yet done (the deadline, the investigation, the remedy and its
    authority, the letter) without naming a key document, a misleading stakeholder, or a remedy
    the scenario requires; requirement prompts are built from the requirements' ``checklist``
    text, which the format keeps safe for learners. An empty list means nothing to flag.
    """
    return [
        *_deadline_prompts(scenario, trail),
        *_investigation_prompts(scenario, trail),
        *_remedy_prompts(scenario, trail, choice, pending=pending, closed=closed),
        *_letter_prompts(scenario, letter, closed=closed),
    ]
