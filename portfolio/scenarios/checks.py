"""Checks that span several parts of a scenario or criteria file.

They run on the parsed YAML data (plain dicts and lists), not on the models, so that they still
report every broken reference when some other part of the file has the wrong type. Values of the
wrong type are skipped here: the schema reports those.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from portfolio.scenarios.schema import MAX_MONEY, MONEY_TOO_LARGE

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    """One problem found in parsed data: where it is (a path of keys and indexes) and what."""

    loc: Loc
    message: str


def _section(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def _entries(value: object) -> list[tuple[int, Mapping[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def _strings(value: object) -> list[tuple[int, str]]:
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, str)]


def _unique(
    entries: list[tuple[int, Mapping[str, Any]]], loc: Loc, key: str, issues: list[Issue]
) -> set[str]:
    """Collect the string values of ``key``, reporting any repeated one; return the set."""
    seen: dict[str, int] = {}
    for i, entry in entries:
        value = entry.get(key)
        if not isinstance(value, str):
            continue
        if value in seen:
            issues.append(
                Issue((*loc, i, key), f'duplicate {key} "{value}" (also item {seen[value]})')
            )
        else:
            seen[value] = i
    return set(seen)


def _exists(
    value: object, known: Collection[str], loc: Loc, what: tuple[str, str], issues: list[Issue]
) -> None:
    """Report a reference ``value`` that is not one of ``known``; ``what`` is (noun, where)."""
    noun, where = what
    if isinstance(value, str) and value not in known:
        issues.append(Issue(loc, f'no {noun} "{value}" in {where}'))


def check_criteria_data(data: Mapping[str, Any]) -> list[Issue]:
    """Unique outcome and criterion refs; each criterion ref starts with its outcome's ref."""
    issues: list[Issue] = []
    outcomes = _entries(_section(data, "unit").get("outcomes"))
    _unique(outcomes, ("unit", "outcomes"), "ref", issues)
    seen: dict[str, str] = {}
    for i, outcome in outcomes:
        outcome_ref = outcome.get("ref")
        for j, criterion in _entries(outcome.get("criteria")):
            ref = criterion.get("ref")
            if not isinstance(ref, str):
                continue
            loc = ("unit", "outcomes", i, "criteria", j, "ref")
            if ref in seen:
                issues.append(
                    Issue(loc, f'duplicate criterion ref "{ref}" (also in outcome {seen[ref]})')
                )
                continue
            seen[ref] = str(outcome_ref)
            if isinstance(outcome_ref, str) and not ref.startswith(f"{outcome_ref}."):
                issues.append(
                    Issue(
                        loc,
                        f'"{ref}" must start with its outcome\'s ref and a dot ("{outcome_ref}.")',
                    )
                )
    return issues


def check_scenario_data(
    data: Mapping[str, Any], criterion_refs: Collection[str] | None, unit_code: str = ""
) -> list[Issue]:
    """Every cross-reference, unique-id and final-deadline check on a parsed manifest.

    ``criterion_refs`` are the refs of the scenario's unit; None skips the criterion checks (the
    caller reports the missing unit instead).
    """
    issues: list[Issue] = []
    regime = _section(data, "regime")
    deadlines = _entries(regime.get("deadlines"))
    deadline_ids = _unique(deadlines, ("regime", "deadlines"), "id", issues)
    _check_final_deadline(data, deadlines, issues)
    _check_bounds(data, deadlines, issues)

    documents = _entries(data.get("documents"))
    document_ids = _unique(documents, ("documents",), "id", issues)

    stakeholders = _entries(data.get("stakeholders"))
    _unique(stakeholders, ("stakeholders",), "id", issues)
    for i, stakeholder in stakeholders:
        questions = _entries(stakeholder.get("questions"))
        _unique(questions, ("stakeholders", i, "questions"), "id", issues)
        for j, question in questions:
            loc = ("stakeholders", i, "questions", j, "contradicted_by")
            if question.get("misleading") is True and question.get("contradicted_by") is None:
                issues.append(
                    Issue(
                        loc,
                        "required when misleading is true: the id of the document that shows it",
                    )
                )
            _exists(
                question.get("contradicted_by"),
                document_ids,
                loc,
                ("document", "documents"),
                issues,
            )

    remedies = _entries(data.get("remedies"))
    remedy_ids = _unique(remedies, ("remedies",), "id", issues)
    _check_met_by_remedy(data, deadlines, remedy_ids, issues)

    requirements = _entries(_section(data, "customer_reply").get("requirements"))
    _unique(requirements, ("customer_reply", "requirements"), "id", issues)
    for i, requirement in requirements:
        loc = ("customer_reply", "requirements", i)
        if requirement.get("kind") == "remedy_includes":
            _exists(
                requirement.get("remedy"),
                remedy_ids,
                (*loc, "remedy"),
                ("remedy", "remedies"),
                issues,
            )
        if requirement.get("kind") == "sent_by_deadline":
            _exists(
                requirement.get("deadline"),
                deadline_ids,
                (*loc, "deadline"),
                ("deadline", "regime.deadlines"),
                issues,
            )

    for i, document_id in _strings(_section(data, "guidance").get("key_documents")):
        _exists(
            document_id,
            document_ids,
            ("guidance", "key_documents", i),
            ("document", "documents"),
            issues,
        )

    log = _section(data, "complaint_log")
    months = [(i, {"month": m}) for i, m in _strings(log.get("months"))]
    _unique(months, ("complaint_log", "months"), "month", issues)
    _unique(_entries(log.get("flags")), ("complaint_log", "flags"), "id", issues)

    questions = _entries(data.get("knowledge_questions"))
    _unique(questions, ("knowledge_questions",), "id", issues)
    if criterion_refs is not None:
        what = ("criterion", f"unit {unit_code}" if unit_code else "the unit")
        for i, question in questions:
            loc = ("knowledge_questions", i, "criterion")
            _exists(question.get("criterion"), criterion_refs, loc, what, issues)
        for kind, refs in _section(data, "evidence_map").items():
            for i, ref in _strings(refs):
                _exists(ref, criterion_refs, ("evidence_map", kind, i), what, issues)
    return issues


def _check_met_by_remedy(
    data: Mapping[str, Any],
    deadlines: list[tuple[int, Mapping[str, Any]]],
    remedy_ids: set[str],
    issues: list[Issue],
) -> None:
    """A deadline's ``met_by_remedy`` names a remedy on the menu, and only on a deadline the
    response does not already meet (not the final one, not one a ``sent_by_deadline``
    requirement names): one event settles each deadline."""
    requirements = _entries(_section(data, "customer_reply").get("requirements"))
    # Only a string id names anything; a value of another type is the schema's to report.
    named = {
        r["deadline"]: i
        for i, r in requirements
        if r.get("kind") == "sent_by_deadline" and isinstance(r.get("deadline"), str)
    }
    for i, deadline in deadlines:
        remedy = deadline.get("met_by_remedy")
        if remedy is None:
            continue
        loc = ("regime", "deadlines", i, "met_by_remedy")
        _exists(remedy, remedy_ids, loc, ("remedy", "remedies"), issues)
        if deadline.get("final") is True:
            issues.append(
                Issue(loc, "the final deadline is met by the response itself, not by a remedy")
            )
        elif isinstance(deadline_id := deadline.get("id"), str) and deadline_id in named:
            issues.append(
                Issue(
                    loc,
                    f"customer_reply requirement {named[deadline_id]} already says the "
                    "response meets this deadline (sent_by_deadline); use one or the other",
                )
            )


def _check_final_deadline(
    data: Mapping[str, Any], deadlines: list[tuple[int, Mapping[str, Any]]], issues: list[Issue]
) -> None:
    """Exactly one final deadline, and the case must open before it."""
    finals = [(i, d) for i, d in deadlines if d.get("final") is True]
    if deadlines and not finals:
        issues.append(
            Issue(("regime", "deadlines"), "no deadline has final: true; exactly one must")
        )
    first_id = finals[0][1].get("id") if finals else None
    for i, _ in finals[1:]:
        issues.append(
            Issue(
                ("regime", "deadlines", i, "final"),
                f'only one deadline may be final, and "{first_id}" already is',
            )
        )
    start_day = _section(data, "clock").get("start_day")
    if len(finals) == 1 and isinstance(start_day, int) and not isinstance(start_day, bool):
        final_day = finals[0][1].get("day")
        if (
            isinstance(final_day, int)
            and not isinstance(final_day, bool)
            and start_day >= final_day
        ):
            when = (
                f'after the final deadline "{first_id}" (day {final_day})'
                if start_day > final_day
                else f'the day of the final deadline "{first_id}"'
            )
            issues.append(
                Issue(
                    ("clock", "start_day"),
                    f"the case opens on day {start_day}, {when}: a case must open before its "
                    f"final deadline, so make start_day less than {final_day} or the deadline "
                    "later",
                )
            )


#: Upload limits, checked here and not in the schema, so that versions stored before a limit
#: existed still load. Money (schema.MAX_MONEY): a learner's remedy is refused above it, so a
#: menu amount above it could never be chosen. Days and hours: day 0's date plus them must
#: stay a real date, and a case's hours an integer the database holds (start_day
#: 100000000000 loaded, and the case page failed).
MAX_DAY = 3650
MAX_HOURS = 8760
#: The library's title column (PostgreSQL refuses a longer one; an exercise takes it too).
MAX_TITLE = 200


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_bounds(
    data: Mapping[str, Any], deadlines: list[tuple[int, Mapping[str, Any]]], issues: list[Issue]
) -> None:
    """Amounts, days and hours no complaint could have, and a title too long to store."""
    title = data.get("title")
    if isinstance(title, str) and len(title) > MAX_TITLE:
        issues.append(
            Issue(
                ("title",),
                f"must be at most {MAX_TITLE} characters (it has {len(title)}): shorten it",
            )
        )
    limits: list[tuple[Loc, object, int, str]] = []
    clock = _section(data, "clock")
    limits.append((("clock", "start_day"), clock.get("start_day"), MAX_DAY, " (ten years)"))
    for i, deadline in deadlines:
        limits.append(
            (("regime", "deadlines", i, "day"), deadline.get("day"), MAX_DAY, " (ten years)")
        )
    for action, hours in _section(clock, "costs").items():
        limits.append((("clock", "costs", action), hours, MAX_HOURS, " (a year of hours)"))
    for loc, value, limit, note in limits:
        if _number(value) and value > limit:
            issues.append(Issue(loc, f"must be {limit} or less{note}, got the number {value}"))
    amounts = [(("authority_limit",), data.get("authority_limit"))]
    amounts.append(
        (("authorisation", "approve_up_to"), _section(data, "authorisation").get("approve_up_to"))
    )
    amounts += [
        (("remedies", i, "amount"), r.get("amount")) for i, r in _entries(data.get("remedies"))
    ]
    for loc, value in amounts:
        if _number(value) and value > MAX_MONEY:
            issues.append(Issue(loc, MONEY_TOO_LARGE))
    # The learner's whole remedy is held to the same ceiling, so a fair remedy above it could
    # never be chosen.
    fair = [
        r.get("amount")
        for _, r in _entries(data.get("remedies"))
        if r.get("fair") is True and _number(r.get("amount"))
    ]
    if all(a <= MAX_MONEY for a in fair) and sum(fair) > MAX_MONEY:
        issues.append(
            Issue(
                ("remedies",),
                f"the fair remedies (fair: true) add up to £{sum(fair):,.2f}, more than the "
                f"£{MAX_MONEY:,} a learner's remedy may come to: lower their amounts",
            )
        )
