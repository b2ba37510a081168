"""A complaint log saved from Excel as plain 'CSV' is in Windows-1252, so a £ or an accent
made the upload say 'not UTF-8 text ...; save it as UTF-8', which an Excel user cannot act on
without knowing which of Excel's CSV formats that is."""

EXCEL = "in Excel, File > Save As and choose 'CSV UTF-8 (Comma delimited)'"


def test_a_log_saved_as_windows_csv_says_which_excel_format_to_choose(scenario):
    text = scenario.path("complaint_log.csv").read_text(encoding="utf-8")
    scenario.write("complaint_log.csv", text.replace("Price not", "Price £ not").encode("cp1252"))
    errors = [e for e in scenario.errors() if e.file.endswith("complaint_log.csv")]
    assert len(errors) == 1 and errors[0].message.startswith("not UTF-8 text")
    assert EXCEL in errors[0].message


def test_a_document_not_in_utf8_does_not_mention_excel(scenario):
    text = scenario.path("documents/crm-history.md").read_text(encoding="utf-8")
    scenario.write("documents/crm-history.md", ("Café\n" + text).encode("cp1252"))
    (error,) = scenario.errors()
    assert error.message.startswith("not UTF-8 text") and "Excel" not in error.message
