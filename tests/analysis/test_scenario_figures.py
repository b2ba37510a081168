"""The analysis against figures computed by hand from the scenario data in shared/domain.md."""

from decimal import Decimal

import pytest

from portfolio.analysis import AnalysisParams, LogRow, summarise, trend
from portfolio.scenarios.loader import DEFAULT_DIR, load_scenario_dir

MONTHS = ("2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08")

# Monthly counts M1→M6 per category, as published in domain.md section 3.
SCENARIOS: dict[str, dict[str, tuple[int, ...]]] = {
    "S1": {
        "Price not as agreed": (38, 41, 44, 52, 61, 66),
        "Fault-repair delay": (22, 25, 19, 24, 21, 23),
        "Activation delay": (14, 12, 16, 13, 15, 12),
        "Staff attitude": (9, 11, 8, 10, 9, 12),
        "Payments": (7, 6, 8, 7, 9, 6),
        "Exit fees": (6, 8, 7, 5, 6, 7),
    },
    "S2": {
        "Fees/charges": (45, 48, 60, 74, 82, 90),
        "Card disputes": (30, 28, 33, 31, 29, 32),
        "App access": (25, 27, 24, 26, 28, 25),
        "Service": (12, 11, 13, 10, 12, 11),
        "Account admin": (9, 10, 8, 9, 11, 10),
    },
    "S3": {
        "Estimated/back-bills": (60, 66, 71, 80, 88, 95),
        "Smart meter comms": (35, 38, 41, 44, 47, 50),
        "DD changes": (25, 30, 28, 26, 29, 27),
        "Switching": (20, 18, 22, 19, 21, 20),
        "Service": (15, 14, 16, 15, 13, 14),
    },
    "S4": {
        "Delivery delays": (110, 95, 102, 98, 120, 150),
        "Faulty after installation": (40, 44, 52, 61, 70, 78),
        "Refund delays": (30, 28, 35, 33, 31, 36),
        "Wrong/damaged item": (15, 17, 14, 16, 18, 15),
        "Website/payment": (10, 9, 12, 11, 10, 13),
    },
    "S5": {
        "Claim delays": (52, 58, 61, 70, 76, 83),
        "Declined": (30, 28, 31, 29, 32, 30),
        "Not kept informed": (22, 25, 27, 31, 34, 37),
        "Settlement amount": (25, 27, 24, 26, 25, 28),
        "Contractor quality": (18, 20, 22, 19, 21, 23),
        "Renewal price": (15, 14, 16, 15, 17, 16),
    },
}

# The retailer's cost per complaint: ~£210 for installation faults against ~£8 for delivery.
S4_COST_EACH = {
    "Delivery delays": Decimal("8.00"),
    "Faulty after installation": Decimal("210.00"),
    "Refund delays": Decimal("15.00"),
    "Wrong/damaged item": Decimal("35.00"),
    "Website/payment": Decimal("5.00"),
}


def log_for(scenario: str, cost_each: dict[str, Decimal] | None = None) -> list[LogRow]:
    """One row per category and month, costed at a flat rate per complaint."""
    rows = []
    for category, counts in SCENARIOS[scenario].items():
        each = (cost_each or {}).get(category, Decimal("10.00"))
        for month, count in zip(MONTHS, counts, strict=True):
            rows.append(LogRow(month, category, count, each * count))
    return rows


def test_s1_totals_shares_and_cumulative_percentages() -> None:
    summary = summarise(log_for("S1"), AnalysisParams())

    assert summary.total == 659
    assert [bar.label for bar in summary.bars][:3] == [
        "Price not as agreed",
        "Fault-repair delay",
        "Activation delay",
    ]
    # 302/659 = 45.827% → 45.83; the top three 518/659 = 78.604% → 78.60 ("79%").
    assert summary.bars[0].share_pct == Decimal("45.83")
    assert summary.bars[2].cumulative_pct == Decimal("78.60")
    assert [bar.share_pct for bar in summary.bars] == [
        Decimal(s) for s in ("45.83", "20.33", "12.44", "8.95", "6.53", "5.92")
    ]
    assert [bar.cumulative_pct for bar in summary.bars] == [
        Decimal(s) for s in ("45.83", "66.16", "78.60", "87.56", "94.08", "100.00")
    ]


def test_s1_vital_few_needs_four_categories_to_reach_80_percent() -> None:
    summary = summarise(log_for("S1"), AnalysisParams())

    # The top three stop at 78.60%, so the fourth (577/659 = 87.56%) is needed to reach 80%.
    assert summary.vital_few == (
        "Price not as agreed",
        "Fault-repair delay",
        "Activation delay",
        "Staff attitude",
    )
    assert summary.vital_few_pct == Decimal("87.56")


def test_s1_month_grouping_is_chronological_with_hand_totals() -> None:
    summary = summarise(log_for("S1"), AnalysisParams(group_by="month"))

    assert [bar.label for bar in summary.bars] == list(MONTHS)
    assert [bar.value for bar in summary.bars] == [96, 103, 102, 111, 121, 126]
    assert summary.total == 659
    assert summary.bars[-1].cumulative_pct == Decimal("100.00")
    assert summary.vital_few == ()


@pytest.mark.parametrize(
    ("scenario", "total", "top", "top_share"),
    [
        ("S1", 659, "Price not as agreed", "45.83"),
        ("S2", 863, "Fees/charges", "46.23"),  # "Fees are 46%"
        ("S3", 1087, "Estimated/back-bills", "42.32"),
        ("S4", 1373, "Delivery delays", "49.16"),  # "Delivery tops the counts (49%)"
        ("S5", 1127, "Claim delays", "35.49"),
    ],
)
def test_scenario_totals_and_top_category(
    scenario: str, total: int, top: str, top_share: str
) -> None:
    summary = summarise(log_for(scenario), AnalysisParams())

    assert summary.total == total
    assert summary.bars[0].label == top
    assert summary.bars[0].share_pct == Decimal(top_share)


def test_s3_top_two_make_66_percent() -> None:
    summary = summarise(log_for("S3"), AnalysisParams())

    assert summary.bars[1].cumulative_pct == Decimal("65.78")  # 715/1087


def test_s5_delay_and_not_informed_make_51_percent() -> None:
    summary = summarise(log_for("S5"), AnalysisParams())

    together = summary.bar("Claim delays").share_pct + summary.bar("Not kept informed").share_pct
    assert together == Decimal("51.11")  # 576/1127


def test_s4_count_puts_delivery_first_but_cost_puts_installation_first() -> None:
    rows = log_for("S4", S4_COST_EACH)

    by_count = summarise(rows, AnalysisParams(measure="count"))
    by_cost = summarise(rows, AnalysisParams(measure="cost"))

    assert by_count.bars[0].label == "Delivery delays"
    assert by_count.bars[0].value == 675
    assert by_cost.bars[0].label == "Faulty after installation"
    assert by_cost.bars[0].value == Decimal("72450.00")  # 345 × £210
    assert by_cost.bar("Delivery delays").value == Decimal("5400.00")  # 675 × £8
    assert by_cost.bar("Faulty after installation").avg_cost == Decimal("210.00")
    assert by_cost.bar("Delivery delays").avg_cost == Decimal("8.00")
    # £72,450, £5,400, then 95 × £35 = £3,325 overtakes 193 × £15 = £2,895, then £325.
    assert [bar.label for bar in by_cost.bars] == [
        "Faulty after installation",
        "Delivery delays",
        "Wrong/damaged item",
        "Refund delays",
        "Website/payment",
    ]
    assert by_cost.total == Decimal("84395.00")
    assert by_cost.bars[0].share_pct == Decimal("85.85")  # 72450 / 84395 = 85.846%
    assert by_cost.vital_few == ("Faulty after installation",)


def test_s2_fees_step_change_is_reported_at_m3() -> None:
    trends = {item.category: item for item in trend(log_for("S2"), AnalysisParams())}
    fees = trends["Fees/charges"]

    assert fees.values == tuple(Decimal(v) for v in (45, 48, 60, 74, 82, 90))
    assert fees.changes == tuple(Decimal(v) for v in (3, 12, 14, 8, 8))
    # Least squares over months 0..5: 170.5 / 17.5 = 9.742857…
    assert fees.slope == Decimal("9.74")
    assert fees.first_to_last_pct == Decimal("100.00")
    # The rule in trends.py: M3's +25% (48→60) beats M4's +23.3% in relative terms, is 1.98×
    # the other changes' average, and every later month stays above 48.
    assert fees.step is not None
    assert fees.step.month == "2026-05"
    assert fees.step.previous_month == "2026-04"
    assert fees.step.direction == "up"
    assert fees.step.size == 12
    assert fees.step.change_pct == Decimal("25.00")
    assert fees.step.level_before == Decimal("46.50")
    assert fees.step.level_after == Decimal("76.50")
    assert all(item.step is None for name, item in trends.items() if name != "Fees/charges")


def test_steps_found_across_all_five_scenarios() -> None:
    """Noisy and steadily growing series get no step; these four shifts do."""
    found = {
        (scenario, item.category): item.step.month
        for scenario in SCENARIOS
        for item in trend(log_for(scenario), AnalysisParams())
        if item.step is not None
    }

    assert found == {
        ("S1", "Price not as agreed"): "2026-06",  # 44→52 (+18%), then 61, 66
        ("S2", "Fees/charges"): "2026-05",  # 48→60 (+25%)
        ("S4", "Delivery delays"): "2026-07",  # 98→120 (+22%), then 150
        ("S5", "Claim delays"): "2026-06",  # 61→70 (+15%)
    }


def test_trend_orders_categories_like_the_pareto() -> None:
    names = [item.category for item in trend(log_for("S1"), AnalysisParams())]
    summary = summarise(log_for("S1"), AnalysisParams())

    assert names == [bar.label for bar in summary.bars]


# The bundled CSVs spell two S2 categories out in full.
CSV_NAMES = {"Fees/charges": "Fees and charges", "Account admin": "Account administration"}
SLUGS = {
    "S1": "telecoms-billing",
    "S2": "bank-breathing-space",
    "S3": "energy-back-bill",
    "S4": "retail-faulty-goods",
    "S5": "insurance-claim-delay",
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_bundled_complaint_logs_carry_the_published_figures(scenario: str) -> None:
    """Each bundled complaint_log.csv adds up, category by category and month by month, to the
    figures the hand-computed tests above use."""
    spec = load_scenario_dir(DEFAULT_DIR / SLUGS[scenario])
    counts: dict[tuple[str, str], int] = {}
    for row in spec.log_rows:
        counts[row.category, row.month] = counts.get((row.category, row.month), 0) + row.count

    expected = {
        (CSV_NAMES.get(category, category), month): count
        for category, values in SCENARIOS[scenario].items()
        for month, count in zip(MONTHS, values, strict=True)
    }
    assert tuple(spec.complaint_log.months) == MONTHS
    assert counts == expected
