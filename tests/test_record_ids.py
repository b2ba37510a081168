"""Record IDs typed into URLs and forms: only what the databases can store is an ID."""

import pytest

from portfolio.record_ids import LARGEST_ID, record_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("0042", 42),
        (str(LARGEST_ID), LARGEST_ID),
        (str(LARGEST_ID + 1), None),
        ("0", None),
        ("-1", None),
        ("²", None),  # str.isdigit says yes, int() says no
        ("١٢", None),  # Arabic-Indic digits: int() accepts them, but they are not typed IDs
        ("1" * 5000, None),  # int() refuses strings this long
        (" 7", None),
        ("", None),
        (None, None),
        (7, None),
    ],
)
def test_record_id(text, expected):
    assert record_id(text) == expected
