"""Cleaning what a learner types into the record forms."""

import pytest

from portfolio.casework.records import clean_remedy


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("20", "20"),
        ("£20", "20"),
        ("£ 12.50", "12.50"),
        ("1,200", "1200"),
        ("£1,200.50", "1200.50"),
        ("  40 ", "40"),
        # Not amounts as written: kept as typed, for the rules to refuse with their message.
        ("12,50", "12,50"),
        ("1,20,000", "1,20,000"),
        ("lots", "lots"),
        ("-5", "-5"),
    ],
)
def test_a_custom_amount_may_be_written_as_in_a_letter(typed: str, stored: str) -> None:
    """'£20' and '1,200' were refused as 'not an amount in pounds'."""
    data = clean_remedy({"custom_1_label": "Goodwill", "custom_1_amount": typed})
    assert data["custom"] == [{"label": "Goodwill", "amount": stored}]
