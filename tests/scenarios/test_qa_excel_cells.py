"""What Excel does to a complaint log: a month typed 2026-03 becomes a date ('Mar-26',
'01/03/2026'), and a cost formatted as currency is saved as '£1,960.00'. The upload said only
that they were not a month of complaint_log.months or not an amount, not what had happened."""

import pytest

ROW = "2026-03,Price not as agreed,28,1960.00,retention-call"


@pytest.mark.parametrize("month", ["Mar-26", "01/03/2026", "2026-03-01"])
def test_a_month_excel_made_a_date_says_so(scenario, month):
    scenario.edit("complaint_log.csv", ROW, ROW.replace("2026-03", month, 1))
    errors = [e for e in scenario.errors() if e.field == "month" and e.line == 2]
    assert len(errors) == 1
    assert "Excel may have made it a date: format the column as Text and type" in (
        errors[0].message
    )


def test_a_cost_excel_formatted_as_currency_says_to_write_a_plain_number(scenario):
    scenario.edit("complaint_log.csv", ROW, ROW.replace("1960.00", '"£1,960.00"'))
    (error,) = scenario.errors()
    assert error.field == "cost"
    assert error.message == (
        '"£1,960.00" is not an amount of 0 or more: write it as a plain number such as '
        "1960.00, without £ or commas"
    )


def test_a_month_missing_from_the_manifest_gets_no_excel_hint(scenario):
    scenario.edit("complaint_log.csv", ROW, ROW.replace("2026-03", "2026-09", 1))
    errors = [e for e in scenario.errors() if e.field == "month" and e.line == 2]
    assert errors and "Excel" not in errors[0].message
