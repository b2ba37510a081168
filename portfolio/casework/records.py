"""Cleaning what a learner submits for each kind of case record. Each cleaner takes the raw
mapping from a form (or autosave) and returns the data to store, or raises CaseworkError."""

import re
from collections.abc import Callable, Mapping
from typing import Any

from portfolio.casework.errors import CaseworkError

MAX_TEXT = 20_000
MAX_SHORT = 2_000
FISHBONE_CATEGORIES = (
    ("people", "People"),
    ("process", "Process and policy"),
    ("systems", "Systems"),
    ("information", "Information and data"),
    ("environment", "Environment"),
    ("measurement", "Measurement"),
)
WHYS = 5
OPTIONS = 3
CUSTOM_COMPONENTS = 3


def _text(raw: Mapping[str, Any], key: str, label: str, limit: int = MAX_SHORT) -> str:
    value = raw.get(key) or ""
    if not isinstance(value, str):
        raise CaseworkError(f"{label} must be text.")
    value = value.replace("\r\n", "\n").strip()
    if len(value) > limit:
        raise CaseworkError(f"{label} is {len(value):,} characters; keep it to {limit:,}.")
    return value


def clean_root_cause(raw: Mapping[str, Any]) -> dict:
    """5 Whys steps or fishbone categories, separating the symptom from the cause."""
    method = raw.get("method") or "five_whys"
    if method not in ("five_whys", "fishbone"):
        raise CaseworkError("Choose 5 Whys or a fishbone diagram as your method.")
    return {
        "method": method,
        "symptom": _text(raw, "symptom", "The symptom"),
        "whys": [_text(raw, f"why_{i}", f"Why {i}") for i in range(1, WHYS + 1)],
        "fishbone": {key: _text(raw, f"bone_{key}", label) for key, label in FISHBONE_CATEGORIES},
        "root_cause": _text(raw, "root_cause", "The root cause"),
    }


def clean_summary(raw: Mapping[str, Any]) -> dict:
    return {"summary": _text(raw, "summary", "The summary", MAX_TEXT)}


def clean_options(raw: Mapping[str, Any]) -> dict:
    options = []
    for i in range(1, OPTIONS + 1):
        option = {
            field: _text(raw, f"option_{i}_{field}", f"Option {i}: {label}")
            for field, label in (
                ("description", "description"),
                ("customer_pros", "pros for the customer"),
                ("customer_cons", "cons for the customer"),
                ("organisation_pros", "pros for the organisation"),
                ("organisation_cons", "cons for the organisation"),
            )
        }
        options.append(option)
    chosen = raw.get("chosen") or ""
    if chosen and chosen not in {str(i) for i in range(1, OPTIONS + 1)}:
        raise CaseworkError("Choose one of the options you described.")
    if chosen and not options[int(chosen) - 1]["description"]:
        raise CaseworkError(f"Option {chosen} has no description: describe it before choosing it.")
    return {
        "options": options,
        "chosen": chosen,
        "reasons": _text(raw, "reasons", "Why you chose it"),
    }


#: An amount as people write it: an optional £, thousands grouped by commas, optional pence.
_WRITTEN_AMOUNT = re.compile(r"£?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")


def _plain_amount(value: object) -> str:
    """'£1,200.50' as '1200.50', so that a learner may write an amount as they would in a
    letter; anything else is returned stripped, for the rules to refuse with their message."""
    text = str(value).strip()
    written = _WRITTEN_AMOUNT.fullmatch(text)
    if written is None:
        return text
    return written.group(1).replace(",", "") + (written.group(2) or "")


def clean_remedy(raw: Mapping[str, Any]) -> dict:
    """Menu remedy ids and up to three custom components; amounts are checked by the rules."""
    ids = raw.get("remedy_ids") or []
    if isinstance(ids, str):
        ids = [ids]
    custom = []
    for i in range(1, CUSTOM_COMPONENTS + 1):
        label = _text(raw, f"custom_{i}_label", f"Your component {i}", 200)
        amount = _plain_amount(raw.get(f"custom_{i}_amount") or "")
        if label or amount:
            if not label:
                raise CaseworkError(f"Your component {i} has an amount but no description.")
            custom.append({"label": label, "amount": amount or "0"})
    return {
        "remedy_ids": [str(i) for i in ids],
        "custom": custom,
        "notes": _text(raw, "notes", "Notes on the remedy"),
    }


def clean_letter(raw: Mapping[str, Any]) -> dict:
    return {"text": _text(raw, "text", "The letter", MAX_TEXT)}


def clean_outcome(raw: Mapping[str, Any]) -> dict:
    return {
        "outcome": _text(raw, "outcome", "The outcome", MAX_TEXT),
        "follow_up": _text(raw, "follow_up", "The follow-up", MAX_TEXT),
    }


def clean_knowledge(raw: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> dict:
    """Answers to the scenario's knowledge questions, from the form keys ``answer_<question id>``.
    Whether each id is one of the case's questions is checked by services.save_record. `labels`
    names each question's answer in a message ("Your answer to question 2"), by question id: the
    page has several answers, and the learner must know which one is too long."""
    labels = labels or {}
    return {
        "answers": {
            key.removeprefix("answer_"): _text(
                raw, key, labels.get(key.removeprefix("answer_"), "Your answer"), MAX_TEXT
            )
            for key in sorted(raw)
            if isinstance(key, str) and key.startswith("answer_")
        }
    }


def clean_reflection(raw: Mapping[str, Any]) -> dict:
    return {"text": _text(raw, "text", "Your reflective account", MAX_TEXT)}


CLEANERS: dict[str, Callable[[Mapping[str, Any]], dict]] = {
    "root_cause": clean_root_cause,
    "summary": clean_summary,
    "options": clean_options,
    "remedy": clean_remedy,
    "letter": clean_letter,
    "outcome": clean_outcome,
    "knowledge": clean_knowledge,
    "reflection": clean_reflection,
}
