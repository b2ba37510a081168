"""Parsing the learner's analysis choices, and the clear messages for bad ones."""

from decimal import Decimal

import pytest

from portfolio.analysis import AnalysisError, AnalysisParams, LogRow, filter_rows, summarise

FLAGS = {"retention-call", "vulnerable"}
CATEGORIES = {"Price not as agreed", "Payments"}


def parse(data: dict[str, object]) -> AnalysisParams:
    return AnalysisParams.parse(data, flags=FLAGS, categories=CATEGORIES)


def test_defaults_when_nothing_is_chosen() -> None:
    assert parse({}) == AnalysisParams("category", "count", None, None, frozenset())
    assert parse({"group_by": "", "measure": " ", "flag": ""}) == AnalysisParams()


def test_parses_every_choice() -> None:
    params = parse(
        {
            "group_by": "month",
            "measure": "cost",
            "flag": "retention-call",
            "exclude_flag": "vulnerable",
            "category": ["Payments", "Price not as agreed"],
            "page": "2",  # unrelated keys are ignored
        }
    )

    assert params == AnalysisParams(
        group_by="month",
        measure="cost",
        flag="retention-call",
        exclude_flag="vulnerable",
        categories=frozenset(CATEGORIES),
    )
    assert params.to_dict()["categories"] == ["Payments", "Price not as agreed"]


def test_accepts_lists_as_from_to_dict_flat_false() -> None:
    params = parse({"group_by": ["month"], "measure": ["cost"], "category": ["Payments"]})

    assert (params.group_by, params.measure, params.categories) == (
        "month",
        "cost",
        frozenset({"Payments"}),
    )


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"group_by": "colour"}, "group_by", ['grouping "colour"', '"category", "month"']),
        ({"measure": "weight"}, "measure", ['measure "weight"', '"count", "cost"']),
        ({"flag": "vip"}, "flag", ['flag "vip"', '"retention-call", "vulnerable"']),
        ({"exclude_flag": "vip"}, "exclude_flag", ['flag "vip"']),
        ({"category": ["Payments", "Billing"]}, "category", ['category "Billing"']),
        ({"group_by": ["month", "category"]}, "group_by", ["Choose one group by"]),
        ({"flag": "vulnerable", "exclude_flag": "vulnerable"}, "exclude_flag", ["both"]),
    ],
)
def test_bad_choices_raise_clear_messages(
    data: dict[str, object], field: str, words: list[str]
) -> None:
    with pytest.raises(AnalysisError) as caught:
        parse(data)

    assert caught.value.field == field
    for word in words:
        assert word in str(caught.value)


def test_a_flag_on_a_log_without_flags() -> None:
    with pytest.raises(AnalysisError, match="no flags to filter on"):
        AnalysisParams.parse({"flag": "x"}, flags=set(), categories=CATEGORIES)


def test_constructor_rejects_unknown_grouping_and_measure() -> None:
    with pytest.raises(AnalysisError, match="grouping"):
        AnalysisParams(group_by="week")  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match="measure"):
        AnalysisParams(measure="severity")  # type: ignore[arg-type]


def test_filters_keep_flagged_drop_excluded_and_limit_categories() -> None:
    rows = [
        LogRow(
            "2026-03", "Price not as agreed", 28, Decimal("1960.00"), frozenset({"retention-call"})
        ),
        LogRow("2026-03", "Price not as agreed", 10, Decimal("700.00")),
        LogRow("2026-03", "Payments", 7, Decimal("70.00"), frozenset({"vulnerable"})),
    ]

    assert filter_rows(rows, AnalysisParams(flag="retention-call")) == rows[:1]
    assert filter_rows(rows, AnalysisParams(exclude_flag="vulnerable")) == rows[:2]
    assert filter_rows(rows, AnalysisParams(categories=frozenset({"Payments"}))) == rows[2:]
    flagged = summarise(rows, AnalysisParams(flag="retention-call"))
    assert (flagged.total, flagged.bars[0].share_pct) == (28, Decimal("100.00"))


def test_months_outside_the_given_list_are_an_error() -> None:
    rows = [LogRow("2026-09", "Payments", 1, Decimal("1"))]

    with pytest.raises(AnalysisError, match='"2026-09"') as caught:
        summarise(rows, AnalysisParams(), months=["2026-03"])
    assert caught.value.field == "months"


def test_an_empty_month_in_the_given_list_shows_as_zero() -> None:
    rows = [LogRow("2026-04", "Payments", 4, Decimal("40"))]

    summary = summarise(rows, AnalysisParams(group_by="month"), months=["2026-03", "2026-04"])

    assert [(bar.label, bar.value) for bar in summary.bars] == [("2026-03", 0), ("2026-04", 4)]
    assert [bar.cumulative_pct for bar in summary.bars] == [Decimal("0.00"), Decimal("100.00")]
