"""The simulated customer's reply to the learner's final response, by the scenario's rules.

Each of ``customer_reply.requirements`` is met or not:

- ``letter_mentions``: the letter contains any of the phrases. Matching ignores case, treats any
  run of whitespace as one space, reads curly apostrophes and quotes as straight ones and dashes
  as hyphens, and needs the phrase to start at the start of a word (so "apologise" also matches
  "apologised", but "adr" does not match inside "quadrant").
- ``remedy_includes``: the menu remedy is in the learner's choice.
- ``sent_by_deadline``: the response was on time for that deadline (``clock.is_on_time``).

Round 1 is the first response; round 2 the one permitted revision. When every requirement is
met the customer accepts. Otherwise in round 1 the customer pushes back with each unmet
requirement's ``pushback`` in order (between a short opening and closing), and in round 2 with
the still-unmet pushbacks followed by ``customer_reply.unresolved``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from portfolio.scenarios.schema import Requirement, Scenario

from .clock import is_on_time
from .errors import RulesError
from .remedy import RemedyChoice, validate_choice

#: How the customer opens and closes a round-1 pushback.
PUSHBACK_OPENING = "Thank you for your letter, but it does not settle my complaint."
PUSHBACK_CLOSING = "Please look at this again and write back to me."
#: Round 1 and the one permitted revision.
MAX_ROUND = 2

_CHARACTERS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)


@dataclass(frozen=True)
class CustomerReplyResult:
    """The customer's answer: accepted or not, the requirements still unmet, and the text."""

    accepted: bool
    unmet: list[Requirement] = field(hash=False)
    text: str


def normalise_text(text: str) -> str:
    """Text as phrase matching sees it: case-folded, straight quotes, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_CHARACTERS).casefold()
    return re.sub(r"\s+", " ", text).strip()


def first_mention(letter: str, phrases: Iterable[str]) -> str | None:
    """The first of the phrases the letter contains (as written in ``phrases``), or None."""
    text = normalise_text(letter)
    for phrase in phrases:
        wanted = normalise_text(phrase)
        if not wanted:
            continue
        start = r"(?<!\w)" if wanted[0].isalnum() else ""
        if re.search(start + re.escape(wanted), text):
            return phrase
    return None


def mentions(letter: str, phrases: Iterable[str]) -> bool:
    """Whether the letter contains any of the phrases (see the module docstring for how)."""
    return first_mention(letter, phrases) is not None


def requirement_met(
    scenario: Scenario,
    requirement: Requirement,
    *,
    letter: str,
    choice: RemedyChoice,
    sent_hours: int,
) -> bool:
    """Whether one of the customer's requirements is met by this response."""
    if requirement.kind == "letter_mentions":
        return mentions(letter, requirement.any_of or ())
    if requirement.kind == "remedy_includes":
        return requirement.remedy in choice.remedy_ids
    return is_on_time(scenario, sent_hours, requirement.deadline)


def unmet_requirements(
    scenario: Scenario, *, letter: str, choice: RemedyChoice, sent_hours: int
) -> list[Requirement]:
    """The customer's requirements this response does not meet, in the scenario's order."""
    return [
        requirement
        for requirement in scenario.customer_reply.requirements
        if not requirement_met(
            scenario, requirement, letter=letter, choice=choice, sent_hours=sent_hours
        )
    ]


def evaluate_response(
    scenario: Scenario, *, letter: str, choice: RemedyChoice, sent_hours: int, round: int
) -> CustomerReplyResult:
    """The customer's reply to the response sent at ``sent_hours`` (the hours after sending).

    ``round`` is 1 for the first response and 2 for the one permitted revision; any other round,
    or a remedy ``validate_choice`` refuses, raises RulesError.
    """
    if isinstance(round, bool) or round not in range(1, MAX_ROUND + 1):
        raise RulesError(
            "Only one revision of the final response is permitted: the round must be 1 or 2."
        )
    validate_choice(scenario, choice)
    unmet = unmet_requirements(scenario, letter=letter, choice=choice, sent_hours=sent_hours)
    reply = scenario.customer_reply
    if not unmet:
        return CustomerReplyResult(accepted=True, unmet=[], text=reply.accept.strip())
    pushbacks = [requirement.pushback.strip() for requirement in unmet]
    if round == 1:
        parts = [PUSHBACK_OPENING, *pushbacks, PUSHBACK_CLOSING]
    else:
        parts = [*pushbacks, reply.unresolved.strip()]
    return CustomerReplyResult(accepted=False, unmet=unmet, text="\n\n".join(parts))
