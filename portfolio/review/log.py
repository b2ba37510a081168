"""The hash-chained decision log: appending entries and verifying the chain."""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from portfolio.accounts.models import User
from portfolio.db import utcnow
from portfolio.extensions import db
from portfolio.review.models import DecisionLogEntry

GENESIS = "0" * 64


def entry_digest(
    *,
    seq: int,
    kind: str,
    actor_id: int,
    centre_id: int | None,
    submission_id: int | None,
    payload: dict[str, Any],
    created_at: str,
    prev_hash: str,
) -> str:
    """SHA-256 of an entry's content and the previous entry's hash, over canonical JSON."""
    content = {
        "seq": seq,
        "kind": kind,
        "actor_id": actor_id,
        "centre_id": centre_id,
        "submission_id": submission_id,
        "payload": payload,
        "created_at": created_at,
        "prev_hash": prev_hash,
    }
    data = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def _stamp(value) -> str:
    return value.isoformat(timespec="microseconds")


def _lock_chain() -> None:
    """Hold the chain's end until this transaction ends, before reading it. Locking the last
    row is not enough: a second writer waiting on it would then read that same row again and
    extend it too. PostgreSQL: a table lock other writers of the log wait for (readers do not).
    SQLite: a write, of nothing, takes the database's write lock now rather than at the insert,
    after the last entry has been read."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE decision_log IN EXCLUSIVE MODE")
    else:
        connection.exec_driver_sql("UPDATE decision_log SET seq = seq WHERE 0 = 1")


def append(
    kind: str, *, actor: User, payload: dict[str, Any], submission_id: int | None = None
) -> DecisionLogEntry:
    """Add an entry at the end of the chain. Writers take turns (`_lock_chain`), so two
    assessors signing off at the same moment both land, one after the other; the unique `seq`
    would stop a fork if they did not."""
    _lock_chain()
    last = db.session.scalar(
        sa.select(DecisionLogEntry).order_by(DecisionLogEntry.seq.desc()).limit(1)
    )
    seq = (last.seq + 1) if last else 1
    prev_hash = last.entry_hash if last else GENESIS
    created_at = utcnow()
    entry = DecisionLogEntry(
        seq=seq,
        kind=kind,
        actor_id=actor.id,
        centre_id=actor.centre_id,
        submission_id=submission_id,
        payload=payload,
        created_at=created_at,
        prev_hash=prev_hash,
    )
    entry.entry_hash = entry_digest(
        seq=seq,
        kind=kind,
        actor_id=actor.id,
        centre_id=actor.centre_id,
        submission_id=submission_id,
        payload=payload,
        created_at=_stamp(created_at),
        prev_hash=prev_hash,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""


def verify() -> VerifyResult:
    """Walk the chain in order; report the first entry whose hash, link or sequence is wrong."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    rows = db.session.execute(sa.select(DecisionLogEntry.__table__).order_by(DecisionLogEntry.seq))
    for row in rows.mappings():
        if row["seq"] != expected_seq:
            return VerifyResult(False, checked, expected_seq, "entry missing (deleted?)")
        if row["prev_hash"] != expected_prev:
            return VerifyResult(False, checked, row["seq"], "does not follow the entry before it")
        created = row["created_at"]
        if created.tzinfo is None:
            from datetime import UTC

            created = created.replace(tzinfo=UTC)
        digest = entry_digest(
            seq=row["seq"],
            kind=row["kind"],
            actor_id=row["actor_id"],
            centre_id=row["centre_id"],
            submission_id=row["submission_id"],
            payload=row["payload"],
            created_at=_stamp(created),
            prev_hash=row["prev_hash"],
        )
        if digest != row["entry_hash"]:
            return VerifyResult(False, checked, row["seq"], "content does not match its hash")
        expected_prev, expected_seq, checked = row["entry_hash"], expected_seq + 1, checked + 1
    return VerifyResult(True, checked)


def latest_hash() -> str:
    """The hash of the newest entry (printed on portfolios so readers can check the chain)."""
    return (
        db.session.scalar(
            sa.select(DecisionLogEntry.entry_hash).order_by(DecisionLogEntry.seq.desc()).limit(1)
        )
        or GENESIS
    )
