"""Results as JSON for storage, tables of figures, and text descriptions."""

import json
from decimal import Decimal

from portfolio.analysis import (
    AnalysisParams,
    LogRow,
    describe_summary,
    describe_trends,
    summarise,
    summary_table,
    trend,
    trend_table,
)

MONTHS = ("2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08")
FEES = (45, 48, 60, 74, 82, 90)
CARDS = (30, 28, 33, 31, 29, 32)
ROWS = [
    LogRow(month, category, count, Decimal(count) * each)
    for category, counts, each in (
        ("Fees/charges", FEES, Decimal("40.00")),
        ("Card disputes", CARDS, Decimal("12.50")),
    )
    for month, count in zip(MONTHS, counts, strict=True)
]


def test_summary_to_dict_is_json_with_decimals_as_strings() -> None:
    summary = summarise(ROWS, AnalysisParams(measure="cost"))

    data = json.loads(json.dumps(summary.to_dict()))

    assert data["params"]["measure"] == "cost"
    assert data["total"] == "18247.50"
    assert data["bars"][0] == {
        "label": "Fees/charges",
        "value": "15960.00",
        "share_pct": "87.46",
        "cumulative_pct": "87.46",
        "count": 399,
        "cost": "15960.00",
        "avg_cost": "40.00",
    }
    assert data["vital_few"] == ["Fees/charges"]
    assert Decimal(data["bars"][-1]["cumulative_pct"]) == 100


def test_trend_to_dict_is_json() -> None:
    fees = trend(ROWS, AnalysisParams())[0]

    data = json.loads(json.dumps(fees.to_dict()))

    assert data["category"] == "Fees/charges"
    assert data["values"] == ["45", "48", "60", "74", "82", "90"]
    assert data["change_pcts"][:2] == ["6.67", "25.00"]
    assert data["step"]["month"] == "2026-05"
    assert data["step"]["change_pct"] == "25.00"


def test_summary_table_rows_and_total() -> None:
    table = summary_table(summarise(ROWS, AnalysisParams()))

    assert table.headers == (
        "Category",
        "Complaints",
        "Cost",
        "Share of complaints",
        "Cumulative share",
        "Average cost per complaint",
    )
    assert table.rows == (
        ("Fees/charges", "399", "£15,960.00", "68.56%", "68.56%", "£40.00"),
        ("Card disputes", "183", "£2,287.50", "31.44%", "100.00%", "£12.50"),
    )
    assert table.footer == ("Total", "582", "£18,247.50", "100.00%", "", "£31.35")
    assert json.loads(json.dumps(table.to_dict()))["rows"][0][0] == "Fees/charges"


def test_trend_table_shows_months_slope_and_step() -> None:
    table = trend_table(trend(ROWS, AnalysisParams()))

    assert table.headers[1:7] == (
        "Mar 2026",
        "Apr 2026",
        "May 2026",
        "Jun 2026",
        "Jul 2026",
        "Aug 2026",
    )
    assert table.rows[0] == (
        "Fees/charges",
        "45",
        "48",
        "60",
        "74",
        "82",
        "90",
        "+100.00%",
        "+9.74 a month",
        "May 2026 (+12, +25.00%)",
    )
    assert table.rows[1][-1] == "None found"


def test_descriptions_give_the_key_figures() -> None:
    summary = summarise(ROWS, AnalysisParams())
    text = describe_summary(summary)

    assert "582 complaints across 2 categories" in text
    assert "Fees/charges is the largest: 399 (68.56%)" in text
    # Which categories together reach 80%, not "2 categories reach 80%" as if each did.
    assert "The largest 2 categories together reach 80% (100.00%): Fees/charges and" in text
    only = describe_summary(summarise(ROWS, AnalysisParams(categories=frozenset({"Fees/charges"}))))
    assert "Fees/charges is the only category: 399 (100.00%)." in only
    assert "Fees/charges alone reaches 80% (100.00%)." in only
    assert "step change in May 2026 (+12, +25.00%)" in describe_trends(
        trend(ROWS, AnalysisParams())
    )
    flagged = describe_summary(summarise(ROWS, AnalysisParams(flag="x")))
    assert flagged == 'No complaints match the chosen filters. Only complaints flagged "x".'
