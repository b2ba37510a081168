"""Reading complaint_log.csv text into rows."""

from decimal import Decimal

import pytest

from portfolio.analysis import AnalysisError, LogRow, parse_log_csv


def test_reads_the_format_example() -> None:
    text = (
        "\ufeffmonth,category,count,cost,flags\n"
        "2026-03,Price not as agreed,28,1960.00,retention-call\n"
        "2026-03,Price not as agreed,10,700.00,\n"
        '2026-04,"Refunds, late",3,45, a ; b \n'
    )

    assert parse_log_csv(text) == [
        LogRow(
            "2026-03", "Price not as agreed", 28, Decimal("1960.00"), frozenset({"retention-call"})
        ),
        LogRow("2026-03", "Price not as agreed", 10, Decimal("700.00"), frozenset()),
        LogRow("2026-04", "Refunds, late", 3, Decimal("45"), frozenset({"a", "b"})),
    ]


def test_flags_column_is_optional() -> None:
    rows = parse_log_csv("month,category,count,cost\n2026-03,Payments,7,70\n")

    assert rows == [LogRow("2026-03", "Payments", 7, Decimal("70"))]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("month,category,count\n", "no cost column"),
        ("month,category,count,cost\n2026-03,A,seven,1\n", "Line 2: count 'seven'"),
        ("month,category,count,cost\n2026-03,A,1,£5\n", "Line 2: cost '£5'"),
        ("month,category,count,cost\n2026-03,A,-1,5\n", "Line 2: A row's count"),
    ],
)
def test_bad_csv_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        parse_log_csv(text)


def test_rows_reject_negative_or_non_decimal_cost() -> None:
    with pytest.raises(AnalysisError):
        LogRow("2026-03", "A", 1, Decimal("-1"))
    with pytest.raises(AnalysisError):
        LogRow("2026-03", "A", 1, 1.5)  # type: ignore[arg-type]
