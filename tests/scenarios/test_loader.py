"""Tests for loading and validating scenario folders and criteria files.

The broken corpus is generated: each case copies the valid minimal fixture, breaks one thing and
checks the one error it must give (file, line, field and message).
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from portfolio.scenarios.errors import ScenarioError, ScenarioInvalid
from portfolio.scenarios.loader import (
    DEFAULT_DIR,
    files_hash,
    load_bundle,
    load_criteria,
    load_paths,
    load_scenario_dir,
    load_scenario_from_files,
    main,
    scenario_hash,
    validate_paths,
)

if TYPE_CHECKING:
    from tests.scenarios.conftest import ScenarioCopy

FIXTURES = Path(__file__).parent / "fixtures"
MANIFEST = "scenario.yaml"
LOG = "complaint_log.csv"
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Case:
    """One kind of broken scenario and the single error it must produce."""

    kind: str
    mutate: Callable[[ScenarioCopy], None]
    file: str
    field: str
    message: str
    # A text on the expected line, the line number, a function giving it, or None for no line.
    line: str | int | Callable[[ScenarioCopy], int] | None


def edit(file: str, old: str, new: str) -> Callable[[ScenarioCopy], None]:
    return lambda s: s.edit(file, old, new)


def write(file: str, content: str | bytes) -> Callable[[ScenarioCopy], None]:
    return lambda s: s.write(file, content)


MET_BY_HONOUR = "      met_by_remedy: honour-price\n"

LAUGHS = 'a: &a ["lol","lol"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: [*c,*c]\n'

CASES = [
    # The schema: fields, types and choices.
    Case(
        "missing-field",
        edit(MANIFEST, "  trigger: Third contact\n", ""),
        MANIFEST,
        "referral.trigger",
        "required field missing",
        "referral:",
    ),
    Case(
        "unknown-field",
        edit(MANIFEST, "  account: MB-1001\n", "  account: MB-1001\n  nickname: Pri\n"),
        MANIFEST,
        "customer.nickname",
        "unknown field",
        "nickname:",
    ),
    Case(
        "unknown-field-typo",
        edit(MANIFEST, "misleading: true", "misleding: true"),
        MANIFEST,
        "stakeholders[0].questions[0].misleding",
        'unknown field (did you mean "misleading"?)',
        "misleding:",
    ),
    Case(
        "loader-field-in-yaml",
        edit(MANIFEST, "    dated: ", "    content: Not from the file\n    dated: "),
        MANIFEST,
        "documents[0].content",
        "unknown field",
        "content:",
    ),
    Case(
        "wrong-type-int",
        edit(MANIFEST, "age: 68", "age: sixty-eight"),
        MANIFEST,
        "customer.age",
        'expected a whole number, got the text "sixty-eight"',
        "  age: ",
    ),
    Case(
        "wrong-type-money",
        edit(MANIFEST, "authority_limit: 50", "authority_limit: fifty pounds"),
        MANIFEST,
        "authority_limit",
        "expected an amount in pounds",
        "authority_limit:",
    ),
    Case(
        "wrong-type-bool",
        edit(
            MANIFEST,
            "requires_authorisation: false\n    fair: true\n  - id: refund",
            "requires_authorisation: no way\n    fair: true\n  - id: refund",
        ),
        MANIFEST,
        "remedies[0].requires_authorisation",
        'expected true or false, got the text "no way"',
        "no way",
    ),
    Case(
        "wrong-type-list",
        edit(MANIFEST, '  rules:\n    - "Send', '  rules: "Send'),
        MANIFEST,
        "regime.rules",
        "expected a list",
        "rules:",
    ),
    Case(
        "wrong-type-unquoted-ref",
        edit(MANIFEST, 'criterion: "2.1"', "criterion: 2.1"),
        MANIFEST,
        "knowledge_questions[0].criterion",
        'expected text, got the number 2.1 (put it in quotes: "2.1")',
        "criterion:",
    ),
    Case(
        "bad-choice",
        edit(MANIFEST, "sector: telecoms", "sector: space"),
        MANIFEST,
        "sector",
        "must be one of 'telecoms', 'financial-services'",
        "sector:",
    ),
    Case(
        "bad-format-version",
        edit(MANIFEST, "format: 1", "format: 2"),
        MANIFEST,
        "format",
        "must be 1, got the number 2",
        "format:",
    ),
    Case(
        "bad-id",
        edit(MANIFEST, "id: when-changed", "id: When_Changed"),
        MANIFEST,
        "stakeholders[0].questions[1].id",
        '"When_Changed" is not a valid id',
        "When_Changed",
    ),
    Case(
        "bad-date",
        edit(MANIFEST, 'dated: "2026-03-14"', 'dated: "2026-02-30"'),
        MANIFEST,
        "documents[0].dated",
        '"2026-02-30" is not a date',
        "dated:",
    ),
    Case(
        "bad-month",
        edit(MANIFEST, 'months: ["2026-03", "2026-04"]', 'months: ["2026-03", "2026-04", "April"]'),
        MANIFEST,
        "complaint_log.months[2]",
        '"April" is not a month',
        "months:",
    ),
    Case(
        "too-few-documents",
        edit(
            MANIFEST,
            "  - id: price-policy\n    title: Pricing policy extract\n    kind: policy\n"
            "    file: documents/price-policy.md\n    reveals_root_cause: false\n",
            "",
        ),
        MANIFEST,
        "documents",
        "needs at least 4 items, has 3",
        lambda s: s.line(MANIFEST, "- id: crm-history") - 1,
    ),
    Case(
        "requirement-missing-its-field",
        edit(MANIFEST, '      any_of: ["ombudsman", "alternative dispute resolution"]\n', ""),
        MANIFEST,
        "customer_reply.requirements[0].any_of",
        "required when kind is letter_mentions",
        "- id: adr-rights",
    ),
    Case(
        "requirement-field-of-other-kind",
        edit(
            MANIFEST,
            "      remedy: refund-overcharge\n",
            "      remedy: refund-overcharge\n      deadline: adr-letter\n",
        ),
        MANIFEST,
        "customer_reply.requirements[1].deadline",
        "only used when kind is sent_by_deadline, not remedy_includes",
        lambda s: s.line(MANIFEST, "remedy: refund-overcharge") + 1,
    ),
    # References and ids across the manifest.
    Case(
        "unique-ids",
        edit(MANIFEST, "id: reminder", "id: adr-letter"),
        MANIFEST,
        "regime.deadlines[1].id",
        'duplicate id "adr-letter" (also item 0)',
        lambda s: s.line(MANIFEST, "label: Final response") - 1,
    ),
    Case(
        "bad-criterion-ref",
        edit(MANIFEST, 'criterion: "2.1"', 'criterion: "9.9"'),
        MANIFEST,
        "knowledge_questions[0].criterion",
        'no criterion "9.9" in unit MINI',
        "criterion:",
    ),
    Case(
        "bad-evidence-map-ref",
        edit(MANIFEST, 'investigation: ["1.1"]', 'investigation: ["1.9"]'),
        MANIFEST,
        "evidence_map.investigation[0]",
        'no criterion "1.9" in unit MINI',
        "investigation:",
    ),
    Case(
        "unknown-unit",
        edit(MANIFEST, "unit: MINI", "unit: NOPE"),
        MANIFEST,
        "unit",
        '"NOPE" is not a unit this app has criteria for (known units: MINI)',
        "unit: NOPE",
    ),
    Case(
        "bad-contradicted-by",
        edit(MANIFEST, "contradicted_by: billing-log", "contradicted_by: nowhere"),
        MANIFEST,
        "stakeholders[0].questions[0].contradicted_by",
        'no document "nowhere" in documents',
        "contradicted_by:",
    ),
    Case(
        "misleading-without-document",
        edit(MANIFEST, "        contradicted_by: billing-log\n", ""),
        MANIFEST,
        "stakeholders[0].questions[0].contradicted_by",
        "required when misleading is true",
        "- id: what-happened",
    ),
    Case(
        "bad-remedy-ref",
        edit(MANIFEST, "remedy: refund-overcharge", "remedy: free-money"),
        MANIFEST,
        "customer_reply.requirements[1].remedy",
        'no remedy "free-money" in remedies',
        "remedy: free-money",
    ),
    Case(
        "bad-deadline-ref",
        edit(MANIFEST, "deadline: adr-letter", "deadline: next-week"),
        MANIFEST,
        "customer_reply.requirements[2].deadline",
        'no deadline "next-week" in regime.deadlines',
        "deadline: next-week",
    ),
    Case(
        "bad-key-document",
        edit(
            MANIFEST,
            "key_documents: [billing-log, call-transcript]",
            "key_documents: [billing-log, diary]",
        ),
        MANIFEST,
        "guidance.key_documents[1]",
        'no document "diary" in documents',
        "key_documents:",
    ),
    Case(
        "two-final-deadlines",
        edit(MANIFEST, "      day: 28\n", "      day: 28\n      final: true\n"),
        MANIFEST,
        "regime.deadlines[1].final",
        'only one deadline may be final, and "reminder" already is',
        27,
    ),
    Case(
        "no-final-deadline",
        edit(MANIFEST, "      final: true\n", ""),
        MANIFEST,
        "regime.deadlines",
        "no deadline has final: true; exactly one must",
        "deadlines:",
    ),
    Case(
        "opens-after-final-deadline",
        edit(MANIFEST, "start_day: 10", "start_day: 60"),
        MANIFEST,
        "clock.start_day",
        'the case opens on day 60, after the final deadline "adr-letter" (day 56): a case must '
        "open before its final deadline, so make start_day less than 56 or the deadline later",
        "start_day:",
    ),
    Case(
        "opens-on-final-deadline",
        edit(MANIFEST, "start_day: 10", "start_day: 56"),
        MANIFEST,
        "clock.start_day",
        'the case opens on day 56, the day of the final deadline "adr-letter": a case must '
        "open before its final deadline, so make start_day less than 56 or the deadline later",
        "start_day:",
    ),
    Case(
        "met-by-unknown-remedy",
        edit(MANIFEST, "      day: 28\n", "      day: 28\n      met_by_remedy: voucher\n"),
        MANIFEST,
        "regime.deadlines[0].met_by_remedy",
        'no remedy "voucher" in remedies',
        "met_by_remedy: voucher",
    ),
    Case(
        "final-deadline-met-by-remedy",
        edit(
            MANIFEST,
            "      final: true\n",
            "      final: true\n      met_by_remedy: honour-price\n",
        ),
        MANIFEST,
        "regime.deadlines[1].met_by_remedy",
        "the final deadline is met by the response itself, not by a remedy",
        "met_by_remedy: honour-price",
    ),
    Case(
        "met-by-remedy-and-by-the-response",
        lambda s: (
            s.edit(
                MANIFEST, "      day: 28\n", "      day: 28\n      met_by_remedy: honour-price\n"
            ),
            s.edit(MANIFEST, "deadline: adr-letter", "deadline: reminder"),
        ),
        MANIFEST,
        "regime.deadlines[0].met_by_remedy",
        "customer_reply requirement 2 already says the response meets this deadline",
        "met_by_remedy: honour-price",
    ),
    # YAML itself.
    Case(
        "duplicate-key",
        edit(MANIFEST, "sector: telecoms\n", "sector: telecoms\ntitle: Again\n"),
        MANIFEST,
        "title",
        "duplicate key (first on line 3)",
        "title: Again",
    ),
    Case(
        "yaml-anchor",
        edit(MANIFEST, "account: MB-1001", "account: &acct MB-1001"),
        MANIFEST,
        "",
        "YAML anchors (&acct) are not allowed",
        "&acct",
    ),
    Case(
        "yaml-billion-laughs",
        write(MANIFEST, LAUGHS),
        MANIFEST,
        "",
        "YAML anchors (&a) are not allowed",
        1,
    ),
    Case(
        "yaml-python-tag",
        edit(MANIFEST, "age: 68", "age: !!python/object/apply:os.system [echo]"),
        MANIFEST,
        "",
        "YAML tag !!python/object/apply:os.system is not allowed",
        "  age: ",
    ),
    Case(
        "yaml-syntax",
        edit(MANIFEST, "age: 68", "age: [68"),
        MANIFEST,
        "",
        "invalid YAML: a [ list is not closed with ]",
        None,
    ),
    Case(
        "yaml-not-a-mapping",
        write(MANIFEST, "- just\n- a list\n"),
        MANIFEST,
        "",
        "must be a YAML mapping of fields",
        1,
    ),
    Case("yaml-empty", write(MANIFEST, "# nothing\n"), MANIFEST, "", "the file is empty", None),
    Case(
        "manifest-missing",
        lambda s: s.path(MANIFEST).unlink(),
        MANIFEST,
        "",
        "file not found",
        None,
    ),
    # Encodings.
    Case(
        "manifest-not-utf8",
        lambda s: s.path(MANIFEST).write_bytes(
            s.path(MANIFEST).read_bytes().replace(b"Priya Nair", "Priya Nâir".encode("latin-1"))
        ),
        MANIFEST,
        "",
        "not UTF-8 text (byte 0xe2 cannot be read); save it as UTF-8",
        "Priya N",
    ),
    Case(
        "manifest-utf16",
        lambda s: s.path(MANIFEST).write_bytes(s.path(MANIFEST).read_text().encode("utf-16")),
        MANIFEST,
        "",
        "not UTF-8 text: it is UTF-16",
        1,
    ),
    Case(
        "document-not-utf8",
        write("documents/price-policy.md", "# Pricing\n\n1. Costs £32.\n".encode("cp1252")),
        "documents/price-policy.md",
        "",
        "not UTF-8 text (byte 0xa3 cannot be read)",
        3,
    ),
    # Document files.
    Case(
        "document-escapes-folder",
        edit(MANIFEST, "file: documents/price-policy.md", "file: ../../secrets.md"),
        MANIFEST,
        "documents[3].file",
        '"../../secrets.md": paths must stay inside the folder (no ..)',
        "secrets.md",
    ),
    Case(
        "document-absolute-path",
        edit(MANIFEST, "file: documents/price-policy.md", "file: /etc/passwd.md"),
        MANIFEST,
        "documents[3].file",
        '"/etc/passwd.md": absolute paths are not allowed',
        "passwd",
    ),
    Case(
        "document-backslash-path",
        edit(MANIFEST, "file: documents/price-policy.md", "file: documents\\price-policy.md"),
        MANIFEST,
        "documents[3].file",
        "must use / between folders",
        "price-policy.md",
    ),
    Case(
        "document-missing",
        edit(MANIFEST, "file: documents/price-policy.md", "file: documents/nope.md"),
        MANIFEST,
        "documents[3].file",
        'no file "documents/nope.md" in the scenario folder',
        "nope.md",
    ),
    Case(
        "document-not-markdown",
        edit(MANIFEST, "file: documents/price-policy.md", "file: documents/price-policy.txt"),
        MANIFEST,
        "documents[3].file",
        '"documents/price-policy.txt" must be a .md file',
        "price-policy.txt",
    ),
    Case(
        "document-empty",
        write("documents/price-policy.md", "\n  \n"),
        "documents/price-policy.md",
        "",
        "the document is empty",
        None,
    ),
    Case(
        "document-too-large",
        write("documents/price-policy.md", "# Policy\n" + "x" * 210_000),
        "documents/price-policy.md",
        "",
        "the file is 210,009 bytes; the limit is 204,800",
        None,
    ),
    Case(
        "document-raw-html",
        write("documents/price-policy.md", "# Policy\n\n<script>alert(1)</script>\n"),
        "documents/price-policy.md",
        "",
        "raw HTML is not allowed (<script>)",
        3,
    ),
    Case(
        "document-image",
        write("documents/price-policy.md", "# Policy\n![logo](logo.png)\n"),
        "documents/price-policy.md",
        "",
        "images are not allowed",
        2,
    ),
    Case(
        "document-external-link",
        write("documents/price-policy.md", "# Policy\nSee [here](https://evil.example).\n"),
        "documents/price-policy.md",
        "",
        "links to other sites are not allowed",
        2,
    ),
    # The complaint log.
    Case(
        "csv-wrong-columns",
        edit(LOG, "month,category,count,cost,flags", "month,category,count,cost"),
        LOG,
        "",
        'the header must be "month,category,count,cost,flags", not "month,category,count,cost"',
        1,
    ),
    Case(
        "csv-wrong-cell-count",
        edit(LOG, "2026-04,Billing error,4,120,", "2026-04,Billing error,4,120"),
        LOG,
        "",
        "expected 5 columns, found 4",
        5,
    ),
    Case(
        "csv-non-numeric-count",
        edit(LOG, "2026-04,Billing error,4,120,", "2026-04,Billing error,four,120,"),
        LOG,
        "count",
        '"four" is not a whole number of 0 or more',
        5,
    ),
    Case(
        "csv-negative-cost",
        edit(LOG, "2026-04,Billing error,4,120,", "2026-04,Billing error,4,-120,"),
        LOG,
        "cost",
        '"-120" is not an amount of 0 or more',
        5,
    ),
    Case(
        "csv-unknown-month",
        edit(LOG, "2026-04,Billing error", "2026-05,Billing error"),
        LOG,
        "month",
        '"2026-05" is not one of complaint_log.months',
        5,
    ),
    Case(
        "csv-month-without-rows",
        edit(
            MANIFEST, 'months: ["2026-03", "2026-04"]', 'months: ["2026-03", "2026-04", "2026-05"]'
        ),
        LOG,
        "month",
        "no rows for 2026-05, one of complaint_log.months",
        None,
    ),
    Case(
        "csv-unknown-flag",
        edit(LOG, "28,1960.00,retention-call", "28,1960.00,angry"),
        LOG,
        "flags",
        'no flag "angry" in complaint_log.flags',
        2,
    ),
    Case(
        "csv-category-spelling",
        edit(LOG, "2026-04,Price not as agreed", "2026-04,Price not as Agreed"),
        LOG,
        "category",
        '"Price not as Agreed" is spelled "Price not as agreed" on line 2',
        4,
    ),
    Case(
        "csv-repeated-group",
        edit(LOG, "10,700.00,\n", "10,700.00,retention-call\n"),
        LOG,
        "",
        "repeats the month, category and flags of line 2",
        3,
    ),
    Case(
        "csv-not-utf8",
        write(LOG, "month,category,count,cost,flags\n2026-03,Préx,1,1,\n".encode("latin-1")),
        LOG,
        "",
        "not UTF-8 text",
        2,
    ),
    Case(
        "csv-missing",
        edit(MANIFEST, "file: complaint_log.csv", "file: log.csv"),
        MANIFEST,
        "complaint_log.file",
        'no file "log.csv" in the scenario folder',
        "file: log.csv",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_broken_scenario_gives_its_own_error(scenario: ScenarioCopy, case: Case) -> None:
    case.mutate(scenario)
    if isinstance(case.line, str):
        line = scenario.line(case.file, case.line)
    else:
        line = case.line(scenario) if callable(case.line) else case.line
    errors = scenario.errors()
    assert len(errors) == 1, "\n".join(map(str, errors))
    error = errors[0]
    assert error.file == f"minimal/{case.file}"
    assert error.field == case.field
    assert case.message in error.message
    if case.line is not None:
        assert error.line == line, str(error)


def test_broken_kinds_give_distinct_messages() -> None:
    assert len({c.kind for c in CASES}) == len(CASES)
    assert len({(c.field, c.message) for c in CASES}) == len(CASES)


def test_valid_fixture_loads_with_documents_log_and_hash() -> None:
    scenario = load_scenario_dir(FIXTURES / "minimal")
    assert scenario.slug == "minimal"
    assert scenario.document("crm-history").content.startswith("# CRM contact history")
    assert scenario.document("diary") is None
    assert scenario.stakeholder("billing-lead").name == "Marcus Doyle"
    assert scenario.question("billing-lead", "what-happened").misleading
    assert scenario.question("billing-lead", "nope") is None
    assert scenario.question("nobody", "what-happened") is None
    assert scenario.remedy("refund-overcharge").amount == Decimal("42.50")
    assert scenario.final_deadline.id == "adr-letter"
    [(stakeholder, question)] = scenario.misleading_questions()
    assert (stakeholder.id, question.id, question.contradicted_by) == (
        "billing-lead",
        "what-happened",
        "billing-log",
    )
    assert scenario.documents[0].dated == "2026-03-14"
    assert [row.count for row in scenario.log_rows] == [28, 10, 35, 4]
    assert scenario.log_rows[0].flags == ("retention-call",)
    assert scenario.log_rows[1].flags == ()
    assert scenario.log_rows[2].cost == Decimal("2450.50")
    assert scenario.content_hash == scenario_hash(FIXTURES / "minimal")


def test_models_are_frozen() -> None:
    scenario = load_scenario_dir(FIXTURES / "minimal")
    with pytest.raises(ValueError):
        scenario.slug = "other"  # type: ignore[misc]


def test_every_error_in_a_file_is_reported_at_once(scenario: ScenarioCopy) -> None:
    scenario.edit(MANIFEST, "  trigger: Third contact\n", "")
    scenario.edit(MANIFEST, "  account: MB-1001\n", "  account: MB-1001\n  nickname: Pri\n")
    scenario.edit(MANIFEST, "contradicted_by: billing-log", "contradicted_by: nowhere")
    errors = scenario.errors()
    assert [(e.field, e.message) for e in errors] == [
        ("referral.trigger", "required field missing"),
        ("customer.nickname", "unknown field"),
        ("stakeholders[0].questions[0].contradicted_by", 'no document "nowhere" in documents'),
    ]
    assert [e.line for e in errors] == sorted(e.line for e in errors)


def test_errors_in_every_file_are_reported_at_once(scenario: ScenarioCopy) -> None:
    scenario.edit(MANIFEST, "age: 68", "age: old")
    scenario.edit(LOG, "2026-04,Billing error,4,120,", "2026-04,Billing error,four,120,")
    scenario.write("documents/price-policy.md", "<div>policy</div>\n")
    scenario.edit(MANIFEST, "file: documents/crm-history.md", "file: documents/gone.md")
    errors = scenario.errors()
    assert sorted((e.file, e.field) for e in errors) == [
        ("minimal/complaint_log.csv", "count"),
        ("minimal/documents/price-policy.md", ""),
        ("minimal/scenario.yaml", "customer.age"),
        ("minimal/scenario.yaml", "documents[0].file"),
    ]


def test_error_string_names_file_line_and_field() -> None:
    error = ScenarioError(
        "telecoms-billing/scenario.yaml",
        42,
        "stakeholders[2].questions[0].contradicted_by",
        'no document "x" in documents',
    )
    assert str(error) == (
        "telecoms-billing/scenario.yaml:42: stakeholders[2].questions[0].contradicted_by: "
        'no document "x" in documents'
    )
    assert (
        str(ScenarioError("upload.zip", None, "", "not a zip file")) == "upload.zip: not a zip file"
    )
    assert str(ScenarioInvalid([error, error])).count("\n") == 1


def test_symlinked_document_outside_the_folder_is_refused(
    scenario: ScenarioCopy, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n", encoding="utf-8")
    scenario.path("documents/price-policy.md").unlink()
    scenario.path("documents/price-policy.md").symlink_to(secret)
    messages = {(e.file, e.message) for e in scenario.errors()}
    assert ("minimal/documents/price-policy.md", "symbolic links are not allowed") in messages
    assert (
        "minimal/scenario.yaml",
        '"documents/price-policy.md" points outside the scenario folder',
    ) in messages


def test_optional_fields_may_be_left_out(scenario: ScenarioCopy) -> None:
    scenario.edit(MANIFEST, "  age: 68\n", "")
    scenario.edit(MANIFEST, "  history: >\n    Frontline apologised once.\n", "")
    scenario.edit(MANIFEST, '    dated: "2026-03-14"\n', "")
    scenario.edit(MANIFEST, "evidence_map:\n", "evidence_map: {}\n")
    scenario.edit(MANIFEST, '  investigation: ["1.1"]\n  resolution: ["1.2"]\n', "")
    loaded = scenario.load()
    assert loaded.customer.age is None
    assert loaded.referral.history is None
    assert loaded.evidence_map.investigation == ()


def test_third_party_and_byte_order_mark_are_accepted(scenario: ScenarioCopy) -> None:
    scenario.edit(
        MANIFEST,
        "  account: MB-1001\n",
        "  account: MB-1001\n  third_party:\n    name: Sarah Whitfield\n"
        "    relationship: Daughter\n    authority_on_file: false\n",
    )
    data = scenario.path(LOG).read_bytes()
    scenario.write(LOG, b"\xef\xbb\xbf" + data)
    loaded = scenario.load()
    assert loaded.customer.third_party.relationship == "Daughter"
    assert len(loaded.log_rows) == 4


# --- Criteria files ------------------------------------------------------------------------------


def test_criteria_file_loads() -> None:
    criteria = load_criteria(FIXTURES / "criteria" / "mini.yaml")
    assert criteria.unit.code == "MINI"
    assert criteria.criterion_refs == {"1.1", "1.2", "2.1"}
    assert criteria.criterion("1.1").reconstructed is True
    assert criteria.criterion("1.2").reconstructed is False
    assert criteria.criterion("9.9") is None


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ('ref: "2.1"', 'ref: "1.3"', "unit.outcomes[1].criteria[0].ref", "must start with"),
        ('ref: "1.2"', 'ref: "1.1"', "unit.outcomes[0].criteria[1].ref", "duplicate criterion"),
        ("level: 3", 'level: "3"', "unit.level", "expected a whole number"),
        ("kind: knowledge", "kind: know", "unit.outcomes[1].kind", "must be one of"),
        ("  code: MINI\n", "", "unit.code", "required field missing"),
        ("  level: 3\n", "  level: 3\n  credits: 4\n", "unit.credits", "unknown field"),
    ],
)
def test_broken_criteria_file(
    scenario: ScenarioCopy, old: str, new: str, field: str, message: str
) -> None:
    path = scenario.bundle / "criteria" / "mini.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ScenarioInvalid) as caught:
        load_criteria(path)
    [error] = caught.value.errors
    assert (error.file, error.field) == ("criteria/mini.yaml", field)
    assert message in error.message
    assert error.line is not None


def test_a_broken_criteria_file_fails_its_scenarios_too(scenario: ScenarioCopy) -> None:
    path = scenario.bundle / "criteria" / "mini.yaml"
    path.write_text("format: 1\nunit: {}\n", encoding="utf-8")
    files = {e.file for e in scenario.errors()}
    assert files == {"criteria/mini.yaml", "minimal/scenario.yaml"}


# --- Hashes --------------------------------------------------------------------------------------


def test_hash_is_stable(scenario: ScenarioCopy) -> None:
    first = scenario.load().content_hash
    assert scenario.load().content_hash == first == scenario_hash(scenario.root)
    assert len(first) == 64


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.edit("documents/price-policy.md", "next bill", "next-but-one bill"),
        lambda s: s.edit(LOG, "28,1960.00", "29,1960.00"),
        lambda s: s.edit(MANIFEST, "title: Retention", "title: The retention"),
        lambda s: s.write("documents/extra.md", "# Extra\n"),
        lambda s: s.path("documents/price-policy.md").rename(s.path("documents/policy.md")),
    ],
    ids=["document", "log", "manifest", "added-file", "renamed-file"],
)
def test_hash_changes_on_any_edit(scenario: ScenarioCopy, change: Callable) -> None:
    before = scenario_hash(scenario.root)
    change(scenario)
    assert scenario_hash(scenario.root) != before


def test_hash_ignores_junk_files(scenario: ScenarioCopy) -> None:
    before = scenario_hash(scenario.root)
    scenario.write(".DS_Store", b"\x00junk")
    scenario.write("documents/.notes.md.swp", b"swap")
    assert scenario_hash(scenario.root) == before


# --- Uploads given as files ----------------------------------------------------------------------


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_scenario_from_files_matches_the_folder() -> None:
    units = {"MINI": load_criteria(FIXTURES / "criteria" / "mini.yaml")}
    files = _files(FIXTURES / "minimal")
    scenario = load_scenario_from_files(files, units=units)
    assert scenario.content_hash == files_hash(files) == scenario_hash(FIXTURES / "minimal")


def test_scenario_from_files_reports_errors_under_its_label() -> None:
    files = _files(FIXTURES / "minimal")
    files["scenario.yaml"] = files["scenario.yaml"].replace(b"age: 68", b"age: old")
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenario_from_files(files, units={}, label="my-upload")
    assert {(e.file, e.field) for e in caught.value.errors} == {
        ("my-upload/scenario.yaml", "customer.age"),
        ("my-upload/scenario.yaml", "unit"),
    }


@pytest.mark.parametrize("name", ["../evil.md", "/etc/evil.md", "documents\\evil.md", "C:/x.md"])
def test_scenario_from_files_refuses_unsafe_names(name: str) -> None:
    files = _files(FIXTURES / "minimal") | {name: b"# Evil\n"}
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenario_from_files(files, units={})
    [error] = caught.value.errors
    assert error.file == f"upload/{name}"


# --- Bundles, paths and the command line ---------------------------------------------------------


def test_bundle_loads_criteria_and_scenarios(scenario: ScenarioCopy) -> None:
    criteria, scenarios = load_bundle(scenario.bundle)
    assert [c.unit.code for c in criteria] == ["MINI"]
    assert [s.slug for s in scenarios] == ["minimal"]


def test_bundle_reports_a_slug_used_twice(scenario: ScenarioCopy) -> None:
    shutil.copytree(scenario.root, scenario.bundle / "copy")
    errors = validate_paths([scenario.bundle])
    assert [(e.file, e.field, e.message) for e in errors] == [
        ("minimal/scenario.yaml", "slug", '"minimal" is also the slug of copy')
    ]


def test_bundle_folder_without_manifest_is_an_error(scenario: ScenarioCopy) -> None:
    (scenario.bundle / "half-written" / "documents").mkdir(parents=True)
    (scenario.bundle / ".git").mkdir()
    [error] = validate_paths([scenario.bundle])
    assert str(error) == (
        "half-written/scenario.yaml: file not found: every scenario folder needs a scenario.yaml"
    )


def test_a_file_is_not_a_scenario_folder(scenario: ScenarioCopy) -> None:
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenario_dir(scenario.root / "scenario.yaml")
    assert [str(e) for e in caught.value.errors] == ["scenario.yaml: not a folder"]


def test_validate_paths_accepts_folders_files_and_reports_missing(scenario: ScenarioCopy) -> None:
    assert validate_paths([scenario.root]) == []
    assert validate_paths([scenario.root / "scenario.yaml"]) == []
    assert validate_paths([scenario.bundle / "criteria" / "mini.yaml"]) == []
    [error] = validate_paths([scenario.bundle / "nope"])
    assert error.message == "not a scenario folder, bundle, criteria file or zip"
    result = load_paths([scenario.bundle])
    assert (len(result.criteria), len(result.scenarios), result.errors) == (1, 1, [])


def test_main_prints_summary_or_errors(scenario: ScenarioCopy, capsys) -> None:
    assert main([str(scenario.bundle)]) == 0
    assert capsys.readouterr().out == "1 scenario valid\n"
    scenario.edit(MANIFEST, "sector: telecoms", "sector: space")
    scenario.edit(LOG, "28,1960.00", "lots,1960.00")
    assert main([str(scenario.bundle)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        'minimal/complaint_log.csv:2: count: "lots" is not a whole number of 0 or more',
        "minimal/scenario.yaml:4: sector: must be one of 'telecoms', 'financial-services', "
        "'energy', 'retail', 'insurance', 'housing' or 'other', got the text \"space\"",
    ]
    assert captured.err == "2 errors\n"


def test_module_runs_from_the_command_line(scenario: ScenarioCopy) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "portfolio.scenarios.loader", str(scenario.bundle)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, check=False)
    assert (done.returncode, done.stdout) == (0, "1 scenario valid\n")
    scenario.edit(MANIFEST, "unit: MINI", "unit: NOPE")
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, check=False)
    assert done.returncode == 1
    assert '"NOPE" is not a unit this app has criteria for' in done.stdout


def test_bundled_scenarios_are_valid() -> None:
    result = load_paths([DEFAULT_DIR])
    assert [str(e) for e in result.errors] == []
    assert result.scenarios, "no bundled scenarios found"


# --- Fuzzing: any value anywhere gives errors, never a crash --------------------------------------

_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 100)
    | st.floats(allow_nan=True)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: object, path: tuple = ()) -> list[tuple]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


_MANIFEST_DATA = yaml.safe_load((FIXTURES / "minimal" / MANIFEST).read_text(encoding="utf-8"))
_MANIFEST_PATHS = _paths(_MANIFEST_DATA)


_UNITS = {"MINI": load_criteria(FIXTURES / "criteria" / "mini.yaml")}


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(_MANIFEST_PATHS), _VALUES)
@example(path=("stakeholders", 2, "questions", 0), value={"\n": None})
@example(path=("customer_reply", "requirements", 2, "deadline"), value=[])
def test_any_value_anywhere_is_reported_not_crashed(path: tuple, value: object) -> None:
    data = copy.deepcopy(_MANIFEST_DATA)
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    files = {
        p.relative_to(FIXTURES / "minimal").as_posix(): p.read_bytes()
        for p in (FIXTURES / "minimal").rglob("*")
        if p.is_file()
    }
    files[MANIFEST] = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    try:
        load_scenario_from_files(files, units=_UNITS)
    except ScenarioInvalid as exc:
        assert exc.errors
        assert all(e.message and "\n" not in str(e) for e in exc.errors)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('a: "unclosed\nb: 2\n', "a quote is not closed"),
        ("a: b: c\n", "put text containing ': ' in quotes"),
        ("a:\n\t- x\n", "indent with spaces only"),
        ("a:\n  b: 1\n c: 2\n", "the indentation does not line up"),
        ("a: {x: 1\n", "a { mapping is not closed with }"),
    ],
)
def test_yaml_errors_say_in_plain_words_what_to_look_for(text: str, words: str) -> None:
    """An author uploading a scenario reads what to fix, with the parser's own words after."""
    from portfolio.scenarios.parsing import SourceProblem, parse_yaml

    with pytest.raises(SourceProblem) as raised:
        parse_yaml(text)
    assert words in str(raised.value) and "(the parser says: " in str(raised.value)
