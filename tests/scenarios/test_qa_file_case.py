"""A document named with different capitals, or put in another folder, than scenario.yaml says:
the upload said 'no file "documents/CRM-history.md" in the scenario folder' while the admin,
whose own computer ignores capitals, could see crm-history.md right there."""

import pytest


@pytest.mark.parametrize(
    ("move_to", "found"),
    [
        ("documents/CRM-History.md", "documents/CRM-History.md"),
        ("crm-history.md", "crm-history.md"),
        ("Documents/crm-history.md", "Documents/crm-history.md"),
    ],
)
def test_a_document_under_a_near_name_is_named_with_what_to_change(scenario, move_to, found):
    source = scenario.path("documents/crm-history.md")
    text = source.read_bytes()
    source.unlink()
    scenario.write(move_to, text)
    (error,) = [e for e in scenario.errors() if e.field.endswith(".file")]
    assert error.message == (
        f'no file "documents/crm-history.md" in the scenario folder; found "{found}": names '
        "must match exactly, capitals and folder included"
    )


def test_a_document_missing_altogether_says_only_that(scenario):
    scenario.path("documents/crm-history.md").unlink()
    (error,) = [e for e in scenario.errors() if e.field.endswith(".file")]
    assert error.message == 'no file "documents/crm-history.md" in the scenario folder'
