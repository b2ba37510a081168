"""The UK clock: timestamps are stored in UTC and read on the UK clock; the calendar day is the
UK day wherever the server runs."""

from datetime import UTC, date, datetime

from portfolio.templating import format_date, format_datetime


def test_summer_timestamps_are_shown_in_bst(app):
    submitted = datetime(2026, 7, 14, 17, 30, tzinfo=UTC)
    assert format_datetime(submitted) == "14 Jul 2026, 18:30"


def test_winter_timestamps_are_shown_in_gmt(app):
    assert format_datetime(datetime(2026, 11, 23, 14, 5, tzinfo=UTC)) == "23 Nov 2026, 14:05"


def test_a_late_summer_evening_is_the_next_uk_day(app):
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    assert format_date(late) == "1 Jul 2026"
    assert format_datetime(late) == "1 Jul 2026, 00:30"


def test_plain_dates_and_missing_values():
    assert format_date(date(2026, 12, 22)) == "22 Dec 2026"
    assert format_date(None) == format_datetime(None) == "—"


def test_the_app_works_in_the_uk_calendar_day(app):
    import time

    assert app.config["TIMEZONE"] == "Europe/London"
    assert time.tzname == ("GMT", "BST")
    summer_evening = datetime(2026, 7, 22, 23, 30, tzinfo=UTC).timestamp()
    assert date.fromtimestamp(summer_evening) == date(2026, 7, 23)


def test_records_labelled_utc_are_printed_in_utc(app):
    from portfolio.templating import format_datetime_utc

    assert format_datetime_utc(datetime(2026, 7, 14, 17, 30, tzinfo=UTC)) == "14 Jul 2026, 17:30"
    # as a snapshot stores a trail entry's real time; text that is no time is kept
    assert format_datetime_utc("2026-07-14T17:30:05+00:00") == "14 Jul 2026, 17:30"
    assert format_datetime_utc("not a time") == "not a time"


def test_no_template_labels_a_uk_clock_time_as_utc():
    """The PDF's audit lines say UTC; the `datetime` filter prints the UK clock, so a time
    labelled UTC must come from `datetime_utc` (an hour out all summer otherwise)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    wrong = [
        f"{path.relative_to(root)}: {line.strip()[:80]}"
        for path in root.rglob("*.html")
        for line in path.read_text().splitlines()
        if re.search(r"\|datetime \}\}\s*UTC", line) or ("(UTC)" in line and "|datetime }}" in line)
    ]
    assert not wrong, wrong


def test_the_date_filter_reads_iso_text_and_leaves_other_text_alone():
    assert format_date("2026-03-01") == "1 Mar 2026"
    assert format_date("early March") == "early March"
