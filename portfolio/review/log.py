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


def append(
    kind: str, *, actor: User, payload: dict[str, Any], submission_id: int | None = None
) -> DecisionLogEntry:
    """Add an entry at the end of the chain. The last entry is locked (PostgreSQL) so that two
    writers cannot both extend the same entry; SQLite serialises writers anyway, and the unique
    `seq` stops a fork in either case."""
    last = db.session.scalar(
        sa.select(DecisionLogEntry).order_by(DecisionLogEntry.seq.desc()).limit(1).with_for_update()
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
