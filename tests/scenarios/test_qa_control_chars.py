"""Invisible control characters in a scenario's text: a YAML escape such as "\\0" in a title, or
a NUL or form feed pasted into a document or the complaint log, loaded; SQLite stores a NUL, but
PostgreSQL refuses it (a server error at upload), and the others show as garbage on the case
pages and in exports. Each is refused at its file and line, as the app's forms refuse them."""

MESSAGE = "holds an invisible control character (U+{code}), often pasted in with text: remove it"


def test_a_control_character_escaped_in_a_yaml_string_is_refused_at_its_field(scenario):
    old = 'title: "Minimal Broadband: a bill that went wrong"'
    scenario.edit("scenario.yaml", old, 'title: "Minimal\\0 Broadband\\x07"')
    (error,) = scenario.errors()
    assert (error.field, error.line) == ("title", scenario.line("scenario.yaml", "Minimal\\0"))
    assert error.message == MESSAGE.format(code="0000")


def test_a_control_character_in_a_document_is_refused_at_its_line(scenario):
    scenario.edit("documents/crm-history.md", "about her bill.", "about her\x0c bill.")
    (error,) = scenario.errors()
    assert error.file.endswith("documents/crm-history.md") and error.line == 5
    assert error.message == MESSAGE.format(code="000C")


def test_a_control_character_in_the_complaint_log_is_refused_at_its_line(scenario):
    scenario.edit(
        "complaint_log.csv",
        "2026-03,Price not as agreed,28,1960.00,retention-call",
        "2026-03,Price not\x00 as agreed,28,1960.00,retention-call",
    )
    errors = scenario.errors()
    assert [(e.file.rsplit("/", 1)[-1], e.line, e.message) for e in errors] == [
        ("complaint_log.csv", 2, MESSAGE.format(code="0000"))
    ]


def test_tabs_and_windows_line_endings_are_fine(scenario):
    text = scenario.path("documents/crm-history.md").read_text(encoding="utf-8")
    text = text.replace("\n", "\r\n").replace("| 2026", "|\t2026")
    scenario.write("documents/crm-history.md", text)
    assert scenario.load()
