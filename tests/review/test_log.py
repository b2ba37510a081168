"""The hash-chained decision log: appending, verifying, catching a changed or deleted row, the
ORM's refusal to update or delete, and `flask audit verify`."""

import json
import threading
import time

import pytest
import sqlalchemy as sa

from portfolio.accounts.models import User
from portfolio.extensions import db
from portfolio.review import log
from portfolio.review.log import GENESIS, entry_digest
from portfolio.review.models import DecisionLogEntry


@pytest.fixture
def chain(world):
    """Five entries by centre A's assessor."""
    entries = [
        log.append("decision", actor=world.assessor, payload={"n": n, "text": f"Entry {n}"})
        for n in range(1, 6)
    ]
    db.session.commit()
    return entries


def test_entries_link_to_the_one_before(chain):
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == GENESIS
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.prev_hash == before.entry_hash
    assert log.latest_hash() == chain[-1].entry_hash
    assert chain[0].centre_id == chain[0].actor.centre_id


def test_two_writers_at_the_same_moment_both_land_in_order(app, chain, world):
    """Two assessors (of different centres) completing an action at once: each waits for the
    other's entry and extends it, so the chain stays one line. Each writer holds its
    transaction open a moment after appending, as a sign-off does while it saves the rest."""
    start, errors = threading.Barrier(2), []

    def write(user_id: int) -> None:
        with app.app_context():
            actor = db.session.get(User, user_id)
            start.wait()
            try:
                log.append("note", actor=actor, payload={"by": user_id})
                time.sleep(0.2)
                db.session.commit()
            except Exception as exc:  # reported by the assertion below
                errors.append(repr(exc))
                db.session.rollback()

    ids = (world.assessor.id, world.other_assessor.id)
    threads = [threading.Thread(target=write, args=(user_id,)) for user_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    seqs = db.session.scalars(sa.select(DecisionLogEntry.seq).order_by(DecisionLogEntry.seq))
    assert list(seqs) == list(range(1, 8))
    assert log.verify().ok


def test_verify_passes_an_intact_chain(chain):
    result = log.verify()
    assert result.ok and result.checked == 5 and result.first_bad_seq is None


def test_verify_an_empty_log(app):
    assert log.verify().ok and log.verify().checked == 0
    assert log.latest_hash() == GENESIS


def test_a_changed_payload_is_named(chain):
    db.session.execute(
        sa.text("UPDATE decision_log SET payload = :p WHERE seq = 3"),
        {"p": json.dumps({"n": 3, "text": "Rewritten"})},
    )
    db.session.commit()
    result = log.verify()
    assert not result.ok
    assert result.first_bad_seq == 3 and result.checked == 2
    assert "does not match its hash" in result.reason


def test_a_rehashed_row_breaks_the_link_to_the_next(chain):
    """A forger who recomputes the changed row's own hash is caught at the next entry."""
    row = chain[1]
    payload = {"n": 2, "text": "Forged"}
    forged = entry_digest(
        seq=row.seq,
        kind=row.kind,
        actor_id=row.actor_id,
        centre_id=row.centre_id,
        submission_id=row.submission_id,
        payload=payload,
        created_at=row.created_at.isoformat(timespec="microseconds"),
        prev_hash=row.prev_hash,
    )
    db.session.execute(
        sa.text("UPDATE decision_log SET payload = :p, entry_hash = :h WHERE seq = 2"),
        {"p": json.dumps(payload), "h": forged},
    )
    db.session.commit()
    result = log.verify()
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "does not follow" in result.reason


def test_a_deleted_middle_row_is_named(chain):
    db.session.execute(sa.text("DELETE FROM decision_log WHERE seq = 4"))
    db.session.commit()
    result = log.verify()
    assert (result.ok, result.first_bad_seq, result.checked) == (False, 4, 3)
    assert "missing" in result.reason


def test_the_orm_refuses_to_update_or_delete(chain):
    entry = db.session.get(DecisionLogEntry, chain[0].id)
    entry.payload = {"n": 1, "text": "Edited"}
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(DecisionLogEntry, chain[0].id))
    with pytest.raises(RuntimeError, match="cannot be deleted"):
        db.session.flush()
    db.session.rollback()
    assert log.verify().ok


def test_audit_verify_command(chain, runner):
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "5 entries verified" in ok.output
    db.session.execute(
        sa.text("UPDATE decision_log SET kind = 'sign_off' WHERE seq = 2"),
    )
    db.session.commit()
    bad = runner.invoke(args=["audit", "verify"])
    assert bad.exit_code == 1
    assert "Entry 2 does not match" in bad.output


@pytest.mark.parametrize(
    "statement",
    [
        sa.update(DecisionLogEntry).values(payload={}),
        sa.update(DecisionLogEntry).where(DecisionLogEntry.seq == 2).values(kind="sign_off"),
        sa.update(DecisionLogEntry.__table__).values(entry_hash="0" * 64),
        sa.delete(DecisionLogEntry).where(DecisionLogEntry.seq == 5),
        sa.delete(DecisionLogEntry.__table__),
    ],
    ids=["update", "update-where", "core-update", "delete-where", "core-delete"],
)
def test_bulk_statements_cannot_rewrite_the_log(chain, statement):
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.execute(statement)
    db.session.rollback()
    assert log.verify().ok


def test_a_bulk_update_by_primary_key_is_refused(chain):
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.execute(sa.update(DecisionLogEntry), [{"id": chain[0].id, "payload": {}}])
    db.session.rollback()
    assert log.verify().ok
