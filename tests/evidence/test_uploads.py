"""How an uploaded file's size reads on the evidence pages and in the PDF."""

import pytest

from portfolio.evidence.uploads import MAX_BYTES, format_size


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (18, "18 bytes"),  # not "0.0 KB", which reads as an empty file
        (1023, "1,023 bytes"),
        (1024, "1.0 KB"),
        (12_600, "12.3 KB"),
        (5 * 1024 * 1024, "5.0 MB"),  # not "5120.0 KB"
        (MAX_BYTES, "10.0 MB"),
    ],
)
def test_a_size_reads_in_the_unit_people_use(size, shown):
    assert format_size(size) == shown
