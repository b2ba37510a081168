"""Remedy totals, validation, the absurd-amount rule and the manager's authorisation."""

from decimal import Decimal

import pytest

from portfolio.casework.errors import RulesError
from portfolio.casework.remedy import (
    CustomComponent,
    RemedyChoice,
    absurd_limit,
    decide_authorisation,
    format_money,
    needs_authorisation,
    remedy_total,
    states_amount,
    validate_choice,
)
from portfolio.scenarios.schema import Scenario

from .builders import minimal

# The minimal fixture: authority limit £50, manager approves up to £200, menu honour-price £0
# and refund-overcharge £42.50 (largest), so the absurd limit is 50 x £42.50 = £2,125.


def with_remedies(scenario: Scenario, **changes: dict) -> Scenario:
    """The scenario with some menu remedies' fields changed, by id."""
    remedies = tuple(
        r.model_copy(update=changes[r.id]) if r.id in changes else r for r in scenario.remedies
    )
    return scenario.model_copy(update={"remedies": remedies})


def test_choice_normalises_its_input() -> None:
    choice = RemedyChoice(
        ["refund-overcharge", "honour-price", "refund-overcharge"],  # type: ignore[arg-type]
        [("Goodwill", "20"), CustomComponent("Flowers", 15)],  # type: ignore[list-item]
    )
    assert choice.remedy_ids == ("refund-overcharge", "honour-price")
    assert choice.custom == (
        CustomComponent("Goodwill", Decimal("20")),
        CustomComponent("Flowers", Decimal("15")),
    )
    assert RemedyChoice.of(iter(["honour-price"]), [("A", 1)]) == RemedyChoice(
        ("honour-price",), (CustomComponent("A", Decimal(1)),)
    )


@pytest.mark.parametrize("amount", ["lots", True, None, [1]])
def test_custom_amount_must_be_a_number(amount: object) -> None:
    with pytest.raises(RulesError, match="not an amount"):
        CustomComponent("Goodwill", amount)  # type: ignore[arg-type]


def test_total_adds_menu_and_custom_amounts() -> None:
    scenario = minimal()
    assert remedy_total(scenario, RemedyChoice()) == 0
    assert remedy_total(scenario, RemedyChoice(("honour-price", "refund-overcharge"))) == Decimal(
        "42.50"
    )
    choice = RemedyChoice(("refund-overcharge",), (("Goodwill", Decimal("20.00")),))
    assert remedy_total(scenario, choice) == Decimal("62.50")
    with pytest.raises(RulesError, match='no remedy "free-tv"'):
        remedy_total(scenario, RemedyChoice(("free-tv",)))


def test_within_authority_needs_nothing() -> None:
    scenario = minimal()
    choice = RemedyChoice(("honour-price", "refund-overcharge"), (("Goodwill", Decimal("7.50")),))
    assert remedy_total(scenario, choice) == Decimal("50.00")  # exactly the limit
    assert needs_authorisation(scenario, choice) == (False, [])


def test_custom_components_count_towards_the_limit() -> None:
    scenario = minimal()
    choice = RemedyChoice(("refund-overcharge",), (("Goodwill", Decimal("7.51")),))
    needed, reasons = needs_authorisation(scenario, choice)
    assert needed
    assert reasons == ["The remedy comes to £50.01, above your authority limit of £50.00."]


def test_a_component_that_always_needs_authorisation() -> None:
    scenario = with_remedies(minimal(), **{"honour-price": {"requires_authorisation": True}})
    needed, reasons = needs_authorisation(scenario, RemedyChoice(("honour-price",)))
    assert needed
    assert reasons == ['"Honour the agreed price" needs a manager\'s authorisation.']
    both = RemedyChoice(("honour-price",), (("Goodwill", Decimal(60)),))
    assert len(needs_authorisation(scenario, both)[1]) == 2


def test_absurd_limit_rule() -> None:
    assert absurd_limit(minimal()) == Decimal("2125.00")
    all_free = with_remedies(minimal(), **{"refund-overcharge": {"amount": Decimal(0)}})
    assert absurd_limit(all_free) == Decimal(1000)  # the floor
    huge = with_remedies(minimal(), **{"refund-overcharge": {"amount": Decimal(5000)}})
    assert absurd_limit(huge) == Decimal(100_000)  # the cap


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        (RemedyChoice(("free-tv",)), 'no remedy "free-tv"'),
        (RemedyChoice((), (("Goodwill", Decimal("-1")),)), "cannot be negative"),
        (RemedyChoice((), (("Goodwill", Decimal("2125.01")),)), "far more than any remedy"),
        (RemedyChoice((), (("Goodwill", Decimal("100001")),)), "far more than any remedy"),
        # Too large to express in pence: refused for its size, not a failure of quantize.
        (RemedyChoice((), (("Goodwill", Decimal("1e309")),)), "far more than any remedy"),
        (RemedyChoice((), (("Goodwill", Decimal("NaN")),)), "not a number"),
        (RemedyChoice((), (("Goodwill", Decimal("Infinity")),)), "not a number"),
        (RemedyChoice((), (("Goodwill", Decimal("12.345")),)), "pounds and pence"),
        (RemedyChoice((), (("", Decimal(10)),)), "needs a description"),
        (RemedyChoice((), (("   ", Decimal(10)),)), "needs a description"),
        (RemedyChoice((), (("x" * 201, Decimal(10)),)), "200 characters"),
        (
            RemedyChoice((), (("Goodwill", Decimal(1100)), ("Extra", Decimal(1100)))),
            "The remedy comes to £2,200.00",
        ),
    ],
)
def test_invalid_choices_are_refused(choice: RemedyChoice, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        validate_choice(minimal(), choice)


def test_valid_choices_pass() -> None:
    scenario = minimal()
    validate_choice(scenario, RemedyChoice())
    validate_choice(scenario, RemedyChoice((), (("Goodwill", Decimal("2125.00")),)))
    validate_choice(scenario, RemedyChoice(("refund-overcharge",), (("Goodwill", "0"),)))


def test_manager_approves_up_to_the_limit() -> None:
    scenario = minimal()
    at_limit = RemedyChoice(("refund-overcharge",), (("Goodwill", Decimal("157.50")),))
    decision = decide_authorisation(scenario, at_limit)
    assert decision.approved
    assert decision.total == Decimal("200.00")
    assert decision.message == "Approved."
    over = RemedyChoice(("refund-overcharge",), (("Goodwill", Decimal("157.51")),))
    declined = decide_authorisation(scenario, over)
    assert not declined.approved
    assert declined.message == "Too much."
    assert declined.total == Decimal("200.01")


def test_manager_declines_a_remedy_for_what_it_is_whatever_the_total() -> None:
    """A remedy with manager_declines is refused with its own reason even far under the
    manager's limit; without one, the total decides as before."""
    scenario = with_remedies(
        minimal(),
        **{"honour-price": {"manager_declines": "  Not that one:\n  it ignores the rules. "}},
    )
    declined = decide_authorisation(scenario, RemedyChoice(("honour-price",)))
    assert not declined.approved and declined.total == Decimal("0.00")
    assert declined.message == "Not that one: it ignores the rules."
    both = with_remedies(scenario, **{"refund-overcharge": {"manager_declines": "Nor that."}})
    pair = decide_authorisation(both, RemedyChoice(("honour-price", "refund-overcharge")))
    assert pair.message == "Not that one: it ignores the rules. Nor that."
    assert decide_authorisation(scenario, RemedyChoice(("refund-overcharge",))).approved


@pytest.mark.parametrize(
    ("slug", "remedy_id"),
    [
        ("energy-back-bill", "split-difference"),
        ("energy-back-bill", "full-write-off"),
        ("retail-faulty-goods", "refund-machine-only"),
        ("retail-faulty-goods", "publicity-goodwill"),
    ],
)
def test_bundled_managers_refuse_the_unfair_remedies_only_they_could_approve(
    slug: str, remedy_id: str
) -> None:
    from .builders import bundled

    scenario = bundled()[slug]
    remedy = scenario.remedy(remedy_id)
    assert remedy.requires_authorisation and not remedy.fair and remedy.manager_declines
    assert not decide_authorisation(scenario, RemedyChoice((remedy_id,))).approved
    fair = tuple(r.id for r in scenario.remedies if r.fair)
    assert decide_authorisation(scenario, RemedyChoice(fair)).approved
    for other in scenario.remedies:  # only unfair remedies are refused for what they are
        assert not other.manager_declines or not other.fair


def test_manager_never_sees_an_invalid_choice() -> None:
    with pytest.raises(RulesError):
        decide_authorisation(minimal(), RemedyChoice((), (("Goodwill", Decimal(-5)),)))


def test_format_money() -> None:
    assert format_money(Decimal("1042.5")) == "£1,042.50"
    assert format_money(Decimal(0)) == "£0.00"


@pytest.mark.parametrize(
    ("label", "amount", "stated"),
    [
        ("£20 account credit for the inconvenience", "20", True),
        ("recalculated from the actual readings (credit £955.20)\n", "955.20", True),
        ("Write off the entire £1,840 catch-up bill", "1840", True),
        ("Refund the machine price only (£649), keeping the £39 charge", "649", True),
        ("£200 goodwill", "20", False),
        ("£20.50 goodwill", "20", False),
        ("£1,8400 typo", "1840", False),
        ("Write off half of the catch-up bill", "920", False),
    ],
)
def test_a_label_that_gives_its_amount_is_recognised(label, amount, stated):
    """The menu read '... (credit £955.20) (£955.20)' and '£20 account credit ... (£20.00)'."""
    assert states_amount(label, Decimal(amount)) is stated
