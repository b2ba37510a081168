"""The learner's remedy: menu choices plus their own components, its total, and authorisation.

**The absurd-amount rule.** A custom component, and the remedy's total, may be at most
``absurd_limit(scenario)``: fifty times the largest amount on the scenario's menu, but never less
than £1,000 (so a menu of non-monetary remedies still allows a sensible goodwill payment) and never
more than £100,000. Anything above it is almost certainly a typing slip (``4250`` for ``42.50``)
and is refused with a message saying so, rather than sent to the manager.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from portfolio.scenarios.schema import MAX_MONEY, Scenario

from .errors import RulesError

#: No remedy component or total may exceed this, whatever the scenario: the limit a scenario's
#: own amounts are held to at upload, so that every menu amount can be chosen.
MAX_AMOUNT = Decimal(MAX_MONEY)
#: The absurd limit is at least this, even when every menu amount is small or zero.
ABSURD_FLOOR = Decimal("1000")
#: The absurd limit is this many times the scenario's largest menu amount.
ABSURD_MULTIPLE = 50
#: The longest label a custom component may have.
MAX_LABEL = 200
PENNY = Decimal("0.01")


def format_money(amount: Decimal) -> str:
    """An amount in pounds as the learner reads it: ``£1,042.50``."""
    return f"£{amount:,.2f}"


# A sum in pounds written in text: £20, £1,840, £955.20 (not the £20 of £200).
_POUNDS_IN_TEXT = re.compile(r"£(\d{1,3}(?:,\d{3})+|\d+)(\.\d{2})?(?!\d|[,.]\d)")


def states_amount(label: str, amount: Decimal) -> bool:
    """Whether a remedy's label already gives its amount ("£20 account credit", "(credit
    £955.20)"), so the menu need not repeat it as "(£20.00)" after the label."""
    for whole, pence in _POUNDS_IN_TEXT.findall(label):
        if Decimal(whole.replace(",", "") + (pence or "")) == amount:
            return True
    return False


def to_amount(value: object) -> Decimal:
    """A number (int, Decimal, float or numeric string) as a Decimal; RulesError otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise RulesError(f"{value!r} is not an amount in pounds.")
    written = str(value).strip()
    try:
        amount = Decimal(written)
    except InvalidOperation:
        amount = None
    # Decimal also reads "1e3" as 1000: not how anyone writes a sum of money. (A non-finite
    # amount is refused by validate_choice, which says it is not a number.)
    if amount is None or (isinstance(value, str) and "e" in written.lower()):
        raise RulesError(f'"{value}" is not an amount in pounds: write it as 60 or 12.50.')
    return amount


@dataclass(frozen=True)
class CustomComponent:
    """A remedy component the learner wrote themselves: what it is and what it costs."""

    label: str
    amount: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_amount(self.amount))


@dataclass(frozen=True)
class RemedyChoice:
    """The remedy the learner chose: menu remedy ids (in order, each once) and custom components.

    Lists are accepted and stored as tuples; a custom component may be given as a
    ``(label, amount)`` pair.
    """

    remedy_ids: tuple[str, ...] = ()
    custom: tuple[CustomComponent, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "remedy_ids", tuple(dict.fromkeys(self.remedy_ids)))
        object.__setattr__(
            self,
            "custom",
            tuple(
                c if isinstance(c, CustomComponent) else CustomComponent(*c) for c in self.custom
            ),
        )

    @classmethod
    def of(
        cls,
        remedy_ids: Iterable[str] = (),
        custom: Iterable[CustomComponent | tuple[str, Decimal | int | str]] = (),
    ) -> RemedyChoice:
        """A choice from any iterables of ids and components."""
        return cls(tuple(remedy_ids), tuple(custom))  # type: ignore[arg-type]


@dataclass(frozen=True)
class AuthorisationDecision:
    """The manager's answer to an authorisation request."""

    approved: bool
    message: str
    total: Decimal


def absurd_limit(scenario: Scenario) -> Decimal:
    """The most a custom component or a whole remedy may come to (see the module docstring)."""
    largest = max((r.amount for r in scenario.remedies), default=Decimal(0))
    return min(MAX_AMOUNT, max(ABSURD_FLOOR, largest * ABSURD_MULTIPLE))


def _menu_amount(scenario: Scenario, remedy_id: str) -> Decimal:
    remedy = scenario.remedy(remedy_id)
    if remedy is None:
        raise RulesError(f'There is no remedy "{remedy_id}" on this case\'s menu.')
    return remedy.amount


def remedy_total(scenario: Scenario, choice: RemedyChoice) -> Decimal:
    """What the remedy pays or credits in total: menu amounts plus custom amounts."""
    menu = sum((_menu_amount(scenario, rid) for rid in choice.remedy_ids), Decimal(0))
    return menu + sum((c.amount for c in choice.custom), Decimal(0))


def validate_choice(scenario: Scenario, choice: RemedyChoice) -> None:
    """Raise RulesError, with a message for the learner, for a remedy the rules cannot take.

    Refused: an id not on the menu; a custom component with an empty or over-long label; an
    amount that is negative, not finite, finer than a penny, or absurd (see the module docstring);
    a total that is absurd.
    """
    for remedy_id in choice.remedy_ids:
        _menu_amount(scenario, remedy_id)
    limit = absurd_limit(scenario)
    for component in choice.custom:
        label = component.label.strip() if isinstance(component.label, str) else ""
        if not label:
            raise RulesError("Each remedy you add needs a description of what it is.")
        if len(label) > MAX_LABEL:
            raise RulesError(
                f'Keep the description of "{label[:40]}…" to {MAX_LABEL} characters or fewer.'
            )
        amount = component.amount
        if not amount.is_finite():
            raise RulesError(f'The amount for "{label}" is not a number of pounds.')
        if amount < 0:
            raise RulesError(f'The amount for "{label}" cannot be negative.')
        # Size before pence: quantize cannot represent an amount like 1e309 in pence.
        if amount > limit:
            raise RulesError(
                f'{format_money(amount)} for "{label}" is far more than any remedy in this case '
                f"could be (the most allowed is {format_money(limit)}): check the amount."
            )
        if amount != amount.quantize(PENNY):
            raise RulesError(f'Give the amount for "{label}" in pounds and pence, e.g. 12.50.')
    total = remedy_total(scenario, choice)
    if total > limit:
        raise RulesError(
            f"The remedy comes to {format_money(total)}, far more than any remedy in this case "
            f"could be (the most allowed is {format_money(limit)}): check the amounts."
        )


def needs_authorisation(scenario: Scenario, choice: RemedyChoice) -> tuple[bool, list[str]]:
    """Whether the remedy needs the manager's authorisation, and why (empty when it does not).

    It does when its total (custom components included) is above the learner's authority limit,
    or when any chosen menu remedy requires authorisation whatever its amount.
    """
    reasons: list[str] = []
    total = remedy_total(scenario, choice)
    if total > scenario.authority_limit:
        reasons.append(
            f"The remedy comes to {format_money(total)}, above your authority limit of "
            f"{format_money(scenario.authority_limit)}."
        )
    for remedy_id in choice.remedy_ids:
        remedy = scenario.remedy(remedy_id)
        if remedy is not None and remedy.requires_authorisation:
            reasons.append(f'"{remedy.label.strip()}" needs a manager\'s authorisation.')
    return bool(reasons), reasons


def decide_authorisation(scenario: Scenario, choice: RemedyChoice) -> AuthorisationDecision:
    """The manager's decision: declined with the remedy's own reason when a chosen remedy has
    ``manager_declines`` (the manager judges what it is, not only what it costs); otherwise
    approved when the total is at most ``authorisation.approve_up_to``.

    Raises RulesError for a choice ``validate_choice`` refuses.
    """
    validate_choice(scenario, choice)
    total = remedy_total(scenario, choice)
    refusals = [
        " ".join(remedy.manager_declines.split())
        for remedy in map(scenario.remedy, choice.remedy_ids)
        if remedy is not None and remedy.manager_declines
    ]
    if refusals:
        return AuthorisationDecision(approved=False, message=" ".join(refusals), total=total)
    rules = scenario.authorisation
    approved = total <= rules.approve_up_to
    message = rules.approve_message if approved else rules.decline_message
    return AuthorisationDecision(approved=approved, message=message.strip(), total=total)
