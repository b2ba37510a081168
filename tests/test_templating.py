"""Template filters: timestamps are stored in UTC and read on the UK clock."""

from datetime import UTC, date, datetime

from portfolio.templating import format_date, format_datetime


def test_summer_timestamps_are_shown_in_bst():
    submitted = datetime(2026, 7, 14, 17, 30, tzinfo=UTC)
    assert format_datetime(submitted) == "14 Jul 2026, 18:30"


def test_winter_timestamps_are_shown_in_gmt():
    assert format_datetime(datetime(2026, 11, 23, 14, 5, tzinfo=UTC)) == "23 Nov 2026, 14:05"


def test_a_late_summer_evening_is_the_next_uk_day():
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    assert format_date(late) == "1 Jul 2026"
    assert format_datetime(late) == "1 Jul 2026, 00:30"


def test_plain_dates_and_missing_values():
    assert format_date(date(2026, 12, 22)) == "22 Dec 2026"
    assert format_date(None) == format_datetime(None) == "—"
