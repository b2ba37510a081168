"""Evidence services: case items and proposed mappings, mapping rules, uploads, submission
snapshots that never change, and the difference between versions."""

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from portfolio.analysis import AnalysisParams
from portfolio.casework import services as casework
from portfolio.casework.models import CaseRecord
from portfolio.evidence import services
from portfolio.evidence.models import EvidenceItem, EvidenceKind, Submission, SubmissionStatus
from portfolio.evidence.services import EvidenceError
from portfolio.evidence.snapshot import diff_snapshots
from portfolio.extensions import db
from portfolio.framework.models import Criterion, Outcome, Unit
from portfolio.improvement import services as improvement
from tests.improvement.builders import open_case


def _items(case):
    services.sync_case_items(case)
    return {
        i.source: i
        for i in db.session.scalars(sa.select(EvidenceItem).where(EvidenceItem.case_id == case.id))
    }


def test_sync_makes_items_with_proposed_mappings_once(worked):
    items = _items(worked.case)
    assert {"case_log", "investigation"} <= items.keys()
    investigation = items["investigation"]
    assert investigation.kind == EvidenceKind.SIMULATED
    assert [(m.criterion.ref, m.confirmed) for m in investigation.mappings] == [("1.1", False)]
    services.sync_case_items(worked.case)
    assert len(_items(worked.case)) == len(items)


def test_mapping_needs_a_justification_and_the_same_unit(worked):
    item = _items(worked.case)["investigation"]
    criterion = item.mappings[0].criterion
    with pytest.raises(EvidenceError, match="at least"):
        services.set_mapping(item, criterion, justification="too short")
    other_unit = Unit(code="OTHER", title="Another unit", level=2)
    outcome = Outcome(unit=other_unit, ref="1", title="x", kind="competence")
    db.session.add_all([other_unit, outcome])
    db.session.flush()
    foreign = Criterion(unit_id=other_unit.id, outcome=outcome, ref="1.1", text="Foreign")
    db.session.add(foreign)
    db.session.flush()
    with pytest.raises(EvidenceError, match="another unit"):
        services.set_mapping(item, foreign, justification="This is long enough to pass.")
    mapping = services.set_mapping(item, criterion, justification="My findings gather the facts.")
    assert mapping.confirmed


def _submit(world, name=None, on=None):
    item = next(iter(_items(world.case).values()))
    return services.submit(
        item.portfolio,
        declared_name=name or world.learner.full_name,
        declared_on=on or date.today(),
        by=world.learner,
    )


def _map(world):
    item = _items(world.case)["investigation"]
    services.set_mapping(item, item.mappings[0].criterion, justification="My findings gather it.")
    return item


def test_submit_refuses_bad_declarations_and_empty_portfolios(worked):
    with pytest.raises(EvidenceError, match="at least one mapping"):
        _submit(worked)
    _map(worked)
    with pytest.raises(EvidenceError, match="full name exactly"):
        _submit(worked, name="Somebody Else")
    with pytest.raises(EvidenceError, match="today"):
        _submit(worked, on=date.today() - timedelta(days=3))
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 0
    submission = _submit(worked, name=f"  {worked.learner.full_name.upper()} ")
    assert submission.number == 1


def test_submitting_without_a_change_makes_no_new_version(worked):
    """While a version waits for assessment, submitting the same evidence again is refused
    and names that version; any change makes a new one."""
    item = _map(worked)
    first = _submit(worked)
    with pytest.raises(services.NothingNew, match="Nothing has changed since version 1") as err:
        _submit(worked)
    assert err.value.submission is first
    services.set_mapping(item, item.mappings[0].criterion, justification="It gathers it all.")
    assert _submit(worked).number == 2


def test_snapshot_is_frozen_while_work_goes_on(worked):
    _map(worked)
    first = _submit(worked)
    db.session.commit()
    frozen = first.snapshot
    casework.save_record(
        worked.case,
        "root_cause",
        {"method": "fishbone", "symptom": "Changed", "root_cause": "Something else"},
        expected_version=1,
    )
    second = _submit(worked)
    db.session.commit()
    db.session.refresh(first)
    assert first.snapshot == frozen and second.number == 2
    diff = diff_snapshots(first.snapshot, second.snapshot)
    assert any(c["content_changed"] for c in diff["changed"])
    first.snapshot = {"tampered": True}
    with pytest.raises(RuntimeError, match="cannot change"):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(RuntimeError, match="cannot be deleted"):
        db.session.delete(db.session.get(Submission, second.id))
        db.session.flush()
    db.session.rollback()


def test_status_may_move_on_but_nothing_else(worked):
    from portfolio.evidence.models import SubmissionStatus

    _map(worked)
    submission = _submit(worked)
    db.session.commit()
    submission.status = SubmissionStatus.RETURNED
    db.session.commit()
    assert submission.status == SubmissionStatus.RETURNED


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.pdf", "empty"),
        (b"MZ\x90\x00binary", "tool.pdf", "not accepted"),
        (b"%PDF-1.7 ok", "letter.png", "does not match"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 10, "photo.jpg", "does not match"),
        (b"PK\x03\x04 not a real zip", "doc.docx", "not accepted"),
        (b"x" * (10 * 1024 * 1024 + 1), "big.txt", "limit is 10 MB"),
    ],
)
def test_uploads_are_checked_by_content_and_size(worked, app, data, name, message):
    portfolio = _items(worked.case)["case_log"].portfolio
    before = (
        set(Path(app.config["UPLOAD_DIR"]).glob("*"))
        if Path(app.config["UPLOAD_DIR"]).exists()
        else set()
    )
    with pytest.raises(EvidenceError, match=message):
        services.upload_evidence(
            portfolio,
            data=data,
            filename=name,
            title="x",
            description="y",
            occurred_on=date(2026, 1, 1),
            by=worked.learner,
        )
    after = (
        set(Path(app.config["UPLOAD_DIR"]).glob("*"))
        if Path(app.config["UPLOAD_DIR"]).exists()
        else set()
    )
    assert after == before


def test_a_name_that_tries_to_escape_is_stored_under_a_random_name(worked, app):
    portfolio = _items(worked.case)["case_log"].portfolio
    item = services.upload_evidence(
        portfolio,
        data=b"%PDF-1.4 hello",
        filename="../../../etc/passwd.pdf",
        title="Letter",
        description="d",
        occurred_on=date(2026, 1, 1),
        by=worked.learner,
    )
    assert item.original_name == "passwd.pdf"
    stored = Path(app.config["UPLOAD_DIR"]) / item.stored_name
    assert stored.read_bytes() == b"%PDF-1.4 hello"
    assert stored.resolve().parent == Path(app.config["UPLOAD_DIR"]).resolve()
    assert "static" not in str(stored)


def test_only_the_learner_uploads_and_the_date_is_not_in_the_future(worked):
    portfolio = _items(worked.case)["case_log"].portfolio
    kwargs = dict(data=b"%PDF-1.4", filename="a.pdf", title="t", description="d")
    with pytest.raises(EvidenceError, match="Only the learner"):
        services.upload_evidence(
            portfolio, occurred_on=date(2026, 1, 1), by=worked.assessor, **kwargs
        )
    with pytest.raises(EvidenceError, match="future"):
        services.upload_evidence(
            portfolio, occurred_on=date.today() + timedelta(days=1), by=worked.learner, **kwargs
        )


# --- items follow the case's records as they are saved ----------------------------------------


def _sources(case) -> list[str]:
    return sorted(
        db.session.scalars(sa.select(EvidenceItem.source).where(EvidenceItem.case_id == case.id))
    )


def test_each_record_is_an_item_as_soon_as_it_is_saved(worked):
    # Started, a finding pinned, a timeline entry and a root cause saved: no sync was called.
    assert _sources(worked.case) == ["case_log", "investigation"]
    casework.save_record(
        worked.case, "reflection", {"text": "I check offer codes first now."}, expected_version=None
    )
    casework.save_record(worked.case, "root_cause", {"root_cause": "Expired"}, expected_version=1)
    assert _sources(worked.case) == ["case_log", "investigation", "reflection"]
    assert services.sync_case_items(worked.case) == services.sync_case_items(worked.case)
    assert len(services.sync_case_items(worked.case)) == 3


def test_a_record_saved_just_before_submitting_is_in_the_snapshot(worked):
    _map(worked)
    db.session.commit()
    casework.save_record(
        worked.case,
        "reflection",
        {"text": "Saved a moment before submitting."},
        expected_version=None,
    )
    submission = _submit(worked)
    [reflection] = [i for i in submission.snapshot["items"] if i["source"] == "reflection"]
    assert reflection["content"] == {"text": "Saved a moment before submitting."}


def test_submitting_brings_in_records_that_have_no_item_yet(worked):
    """Records written before items followed saves (or by anything but the save services) are
    frozen too: submission brings the learner's open cases up to date first."""
    _map(worked)
    db.session.add(
        CaseRecord(case_id=worked.case.id, kind="knowledge", data={"answers": {"q1": "My answer."}})
    )
    db.session.flush()
    submission = _submit(worked)
    assert "knowledge" in {i["source"] for i in submission.snapshot["items"]}


def test_a_withdrawn_item_stays_withdrawn_when_its_record_changes(worked):
    item = _items(worked.case)["investigation"]
    services.withdraw_item(item)
    casework.save_record(worked.case, "root_cause", {"root_cause": "Changed"}, expected_version=1)
    assert item.withdrawn
    assert _sources(worked.case).count("investigation") == 1


def test_a_saved_analysis_is_an_item_until_it_is_deleted(app, world):
    case = open_case(world.learner)
    analysis = improvement.save_analysis(
        case, params=AnalysisParams(measure="cost"), title="Pareto by cost"
    )
    item = db.session.scalar(
        sa.select(EvidenceItem).where(
            EvidenceItem.case_id == case.id, EvidenceItem.source == "analysis"
        )
    )
    assert item.source_ref == str(analysis.id)
    assert item.title == "Complaint analysis: Pareto by cost"
    assert item.portfolio.learner == world.learner
    improvement.delete_analysis(analysis)
    assert "analysis" not in _sources(case)


# --- bulk statements cannot rewrite a submitted version ----------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        sa.update(Submission).values(snapshot={}),
        sa.update(Submission).where(Submission.number == 1).values(snapshot_hash="0" * 64),
        sa.update(Submission).values(status=SubmissionStatus.RETURNED, declared_name="X"),
        sa.update(Submission.__table__).values(number=7),
        sa.delete(Submission),
        sa.delete(Submission.__table__),
    ],
    ids=["snapshot", "hash-where", "status-and-name", "core-table", "delete", "core-delete"],
)
def test_bulk_statements_cannot_rewrite_a_submission(worked, statement):
    _map(worked)
    _submit(worked)
    db.session.commit()
    with pytest.raises(RuntimeError, match="cannot change or be deleted"):
        db.session.execute(statement)
    db.session.rollback()


def test_a_bulk_update_by_primary_key_cannot_touch_the_snapshot(worked):
    _map(worked)
    submission = _submit(worked)
    db.session.commit()
    rows = [{"id": submission.id, "snapshot": {"tampered": True}}]
    with pytest.raises(RuntimeError, match="cannot change or be deleted"):
        db.session.execute(sa.update(Submission), rows)
    db.session.rollback()
    assert db.session.get(Submission, submission.id).snapshot["items"]


def test_a_bulk_update_may_move_the_status_on(worked):
    _map(worked)
    submission = _submit(worked)
    db.session.commit()
    db.session.execute(
        sa.update(Submission)
        .where(Submission.id == submission.id)
        .values(status=SubmissionStatus.RETURNED)
    )
    db.session.execute(
        sa.update(Submission), [{"id": submission.id, "status": SubmissionStatus.SIGNED_OFF}]
    )
    db.session.commit()
    assert db.session.get(Submission, submission.id).status == SubmissionStatus.SIGNED_OFF


def test_a_record_saved_blank_is_not_yet_evidence(worked):
    """Pressing Save on an empty reflection made a 'Reflective account' item with nothing in
    it, which the learner could map and submit."""
    case = worked.case
    casework.save_record(case, "reflection", {"text": "  "}, expected_version=None)
    casework.save_record(case, "knowledge", {}, expected_version=None)
    db.session.commit()
    sources = {i.source for i in services.sync_case_items(case)}
    assert "reflection" not in sources and "knowledge" not in sources
    assert "investigation" in sources  # the finding and root cause are there
    casework.save_record(case, "reflection", {"text": "What I learned."}, expected_version=1)
    db.session.commit()
    assert "reflection" in {i.source for i in services.sync_case_items(case)}
    assert services.is_blank({"text": "", "answers": {"a": " "}, "custom": []})
    assert not services.is_blank({"method": "five_whys", "why_1": ""})
