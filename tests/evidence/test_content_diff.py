"""What changed in an item's content between versions: parts, lines and words."""

from portfolio.evidence.content_diff import content_changes, content_lines


def _shown(parts):
    return {
        p.label: [(line.op, "".join(f"[{k}:{t}]" for k, t in line.pieces)) for line in p.lines]
        for p in parts
    }


def test_the_same_content_has_no_changes():
    content = {"letter": "Dear Ms Khan", "remedy": {"total": "50"}}
    assert content_changes(content, dict(content)) == []


def test_a_changed_paragraph_marks_its_words_and_leaves_the_others_alone():
    old = {"letter": "Dear Ms Khan,\n\nWe will refund £50.\n\nYours sincerely"}
    new = {
        "letter": "Dear Ms Khan,\n\nWe will refund £80.\n\n"
        "The Ombudsman can help.\n\nYours sincerely"
    }
    assert _shown(content_changes(old, new)) == {
        "Letter": [
            ("changed", "[same:We will refund ][removed:£50.][added:£80.]"),
            ("added", "[added:The Ombudsman can help.]"),
        ]
    }


def test_an_entry_added_at_the_top_of_a_list_does_not_mark_the_later_ones():
    old = {"findings": [{"text": "Meter misread", "source": "Meter log"}]}
    new = {
        "findings": [
            {"text": "Code expired", "source": "Tariff notice"},
            {"text": "Meter misread", "source": "Meter log"},
        ]
    }
    assert _shown(content_changes(old, new)) == {
        "Findings": [("added", "[added:Text: Code expired; Source: Tariff notice]")]
    }


def test_parts_are_named_for_a_reader_and_the_name_on_disk_is_not_shown():
    old = {"file": {"name": "a.pdf", "size": 3, "sha256": "ab", "stored_name": "x1"}}
    new = {"file": {"name": "b.pdf", "size": 3, "sha256": "cd", "stored_name": "y2"}}
    shown = _shown(content_changes(old, new))
    assert list(shown) == ["File"]
    assert [text for _, text in shown["File"]] == [
        "[same:Name: ][removed:a.pdf][added:b.pdf]",
        "[same:SHA-256 fingerprint: ][removed:ab][added:cd]",
    ]
    assert _shown(content_changes({"body": "Old notes"}, {"body": "New notes"})) == {
        "Text": [("changed", "[removed:Old ][added:New ][same:notes]")]
    }


def test_a_part_emptied_or_dropped_shows_its_lines_removed_last():
    old = {"summary": "All of it", "outcome": {"accepted": True}}
    new = {"summary": "All of it", "letter": "Dear Sir"}
    assert _shown(content_changes(old, new)) == {
        "Letter": [("added", "[added:Dear Sir]")],
        "Outcome": [("removed", "[removed:Accepted: Yes]")],
    }


def test_content_lines_read_nested_records():
    root = {"method": "five_whys", "steps": ["Bill high", "Code expired"], "root_cause": "No check"}
    assert list(content_lines(root)) == [
        "Method: five_whys",
        "Steps: Bill high",
        "Steps: Code expired",
        "Root cause: No check",
    ]


def test_a_case_log_entrys_time_reads_as_a_reader_writes_it():
    """A new case-log entry showed its stored time, "Real: 2026-11-24T20:29+00:00"."""
    old = {"entries": []}
    new = {"entries": [{"seq": 5, "real": "2026-11-24T20:29+00:00", "action": "Saved"}]}
    assert _shown(content_changes(old, new)) == {
        "Entries": [("added", "[added:Seq: 5; Real: 24 Nov 2026 20:29 UTC; Action: Saved]")]
    }
