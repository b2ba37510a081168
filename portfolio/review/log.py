"""The hash-chained decision log: appending entries and verifying the chain."""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from portfolio.accounts.models import User
from portfolio.db import utcnow
from portfolio.evidence.models import Portfolio, Submission
from portfolio.extensions import db
from portfolio.framework.models import Criterion
from portfolio.review.models import (
    Assessment,
    AssessmentStatus,
    CriterionDecision,
    DecisionLogEntry,
    IqaReview,
    IqaReviewStatus,
    Sample,
)

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
    missing: str = ""  # the first recorded fact with no entry, when the chain itself holds


def _keys(kind: str, payload: dict[str, Any]) -> list[tuple]:
    """What an entry vouches for, as keys the recorded facts are looked up by."""
    if kind == "decision":
        aid = payload.get("assessment_id")
        return [
            (kind, aid, "id", payload.get("criterion_id")),
            (kind, aid, "ref", payload.get("criterion")),
        ]
    if kind in ("return", "sign_off", "standardisation", "acknowledgement"):
        return [(kind, payload.get("assessment_id"))]
    if kind in ("iqa_verdict", "assessor_response"):
        return [(kind, payload.get("review_id"))]
    return []


def _recorded_facts() -> list[tuple[Any, str, list[tuple]]]:
    """Every fact in the assessment and IQA tables that must have a log entry, as
    (when, description, keys any one of which is its entry), in plain-column queries."""
    closing = {
        AssessmentStatus.RETURNED: ("return", "the return"),
        AssessmentStatus.SIGNED_OFF: ("sign_off", "the sign-off"),
        AssessmentStatus.COMPLETED: ("standardisation", "the standardisation marking"),
    }
    a, s, p, u = Assessment, Submission, Portfolio, User
    assessed = (
        sa.select(a.id, a.status, a.completed_at, a.acknowledged_at, u.full_name, s.number)
        .join(s, s.id == a.submission_id)
        .join(p, p.id == s.portfolio_id)
        .join(u, u.id == p.learner_id)
        .where(a.status != AssessmentStatus.IN_PROGRESS)
    )
    facts: list[tuple[Any, str, list[tuple]]] = []
    named: dict[int, str] = {}
    for aid, status, completed_at, acknowledged_at, learner, number in db.session.execute(assessed):
        named[aid] = f"assessment {aid} ({learner}, version {number})"
        kind, what = closing[status]
        facts.append((completed_at, f"{what} of {named[aid]}", [(kind, aid)]))
        if acknowledged_at is not None:
            facts.append(
                (
                    acknowledged_at,
                    f"the learner's acknowledgement of {named[aid]}",
                    [("acknowledgement", aid)],
                )
            )
    decided = (
        sa.select(
            CriterionDecision.assessment_id,
            CriterionDecision.criterion_id,
            Criterion.ref,
            a.completed_at,
        )
        .join(Criterion, Criterion.id == CriterionDecision.criterion_id)
        .join(a, a.id == CriterionDecision.assessment_id)
        .where(a.status != AssessmentStatus.IN_PROGRESS)
    )
    for aid, cid, ref, completed_at in db.session.execute(decided):
        facts.append(
            (
                completed_at,
                f"the decision on {ref} in {named[aid]}",
                [("decision", aid, "id", cid), ("decision", aid, "ref", ref)],
            )
        )
    reviews = (
        sa.select(
            IqaReview.id,
            IqaReview.status,
            IqaReview.completed_at,
            IqaReview.responded_at,
            Sample.assessment_id,
        )
        .join(Sample, Sample.id == IqaReview.sample_id)
        .where(IqaReview.status != IqaReviewStatus.IN_PROGRESS)
    )
    for rid, status, completed_at, responded_at, aid in db.session.execute(reviews):
        of = named.get(aid, f"assessment {aid}")
        facts.append(
            (completed_at, f"the IQA verdict of review {rid} ({of})", [("iqa_verdict", rid)])
        )
        if status == IqaReviewStatus.RESPONDED:
            facts.append(
                (
                    responded_at,
                    f"the assessor's response to review {rid} ({of})",
                    [("assessor_response", rid)],
                )
            )
    return facts


def _first_missing(vouched: set[tuple]) -> str:
    """The earliest recorded fact with no entry on the log, described; "" when none."""
    missing = [(when, what) for when, what, keys in _recorded_facts() if not vouched & set(keys)]
    if not missing:
        return ""
    when, what = min(missing, key=lambda m: (m[0] is None, m[0] or 0, m[1]))
    return f"{what} has no entry on the decision log (deleted?)"


def verify() -> VerifyResult:
    """Walk the chain in order; report the first entry whose hash, link or sequence is wrong.
    A chain cannot see its own end cut off, so then cross-check: every return, sign-off,
    standardisation marking, decision, acknowledgement, IQA verdict and assessor response
    recorded in the tables must have its entry; report the earliest that has none."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    vouched: set[tuple] = set()
    rows = db.session.execute(sa.select(DecisionLogEntry.__table__).order_by(DecisionLogEntry.seq))
    for row in rows.mappings():
        vouched.update(_keys(row["kind"], row["payload"] or {}))
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
    missing = _first_missing(vouched)
    if missing:
        return VerifyResult(False, checked, None, "a recorded fact has no entry", missing)
    return VerifyResult(True, checked)


def latest_hash() -> str:
    """The hash of the newest entry (printed on portfolios so readers can check the chain)."""
    return (
        db.session.scalar(
            sa.select(DecisionLogEntry.entry_hash).order_by(DecisionLogEntry.seq.desc()).limit(1)
        )
        or GENESIS
    )
