"""A learner's portfolio for a unit, its evidence items, their mappings to criteria, and the
submissions that freeze them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import User
from portfolio.db import UTCDateTime, refuse_bulk_changes, utcnow
from portfolio.extensions import db
from portfolio.framework.models import Criterion, Unit


def _enum(cls):
    return sa.Enum(
        cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )


class EvidenceKind(enum.StrEnum):
    SIMULATED = "simulated"
    WORKPLACE = "workplace"
    ASSESSOR = "assessor"

    @property
    def label(self) -> str:
        return {"simulated": "Simulated", "workplace": "Workplace", "assessor": "Assessor"}[self]


class Portfolio(db.Model):
    __tablename__ = "portfolios"
    __table_args__ = (sa.UniqueConstraint("learner_id", "unit_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    learner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("units.id"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    learner: so.Mapped[User] = so.relationship()
    unit: so.Mapped[Unit] = so.relationship()

    def __repr__(self) -> str:
        return f"<Portfolio {self.id} learner={self.learner_id}>"


class EvidenceItem(db.Model):
    """One piece of evidence. Case-derived items are keyed by (case, source, source_ref) and
    read their content from the case's records until a submission freezes it."""

    __tablename__ = "evidence_items"
    __table_args__ = (
        sa.Index(
            "uq_evidence_items_source",
            "portfolio_id",
            "case_id",
            "source",
            "source_ref",
            unique=True,
            sqlite_where=sa.text("case_id IS NOT NULL"),
            postgresql_where=sa.text("case_id IS NOT NULL"),
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    portfolio_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("portfolios.id"), index=True)
    kind: so.Mapped[EvidenceKind] = so.mapped_column(_enum(EvidenceKind))
    # investigation | resolution | analysis | recommendations | knowledge | reflection |
    # case_log | upload | professional_discussion | observation | questioning
    source: so.Mapped[str] = so.mapped_column(sa.String(40))
    case_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("cases.id"), index=True)
    source_ref: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    occurred_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # assessor-written records
    # Uploads: stored outside static/, under UPLOAD_DIR, by a random name.
    stored_name: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    original_name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    mime_type: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    size: so.Mapped[int | None]
    sha256: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    withdrawn: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    portfolio: so.Mapped[Portfolio] = so.relationship()
    author: so.Mapped[User] = so.relationship()
    mappings: so.Mapped[list[Mapping]] = so.relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="Mapping.id"
    )

    def __repr__(self) -> str:
        return f"<EvidenceItem {self.id} {self.source}>"


class Mapping(db.Model):
    """An item mapped to a criterion, with the learner's sentence on how it meets it. Proposed
    mappings come from the scenario and wait for the learner to confirm them."""

    __tablename__ = "evidence_mappings"
    __table_args__ = (sa.UniqueConstraint("item_id", "criterion_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    item_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("evidence_items.id"), index=True)
    criterion_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("criteria.id"), index=True)
    justification: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    confirmed: so.Mapped[bool] = so.mapped_column(default=False)

    item: so.Mapped[EvidenceItem] = so.relationship(back_populates="mappings")
    criterion: so.Mapped[Criterion] = so.relationship()


class SubmissionStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"  # assessed as needing more: the learner resubmits as version N+1
    SIGNED_OFF = "signed_off"


class Submission(db.Model):
    """Version N of a portfolio: a snapshot of every item's content, its mappings and the case
    logs. The snapshot never changes (see the guard below); only the status moves on."""

    __tablename__ = "submissions"
    __table_args__ = (
        sa.UniqueConstraint("portfolio_id", "number"),
        # A learner's newest version and its status (dashboards, live board) from the index:
        # the status column sits after the snapshot, so on SQLite reading it from the row
        # walked the snapshot's overflow pages (the admin dashboard's progress, 5.4 -> 3.1 ms).
        sa.Index("ix_submissions_portfolio_newest", "portfolio_id", "submitted_at", "status"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    portfolio_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("portfolios.id"), index=True)
    number: so.Mapped[int]
    declared_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    declared_on: so.Mapped[date] = so.mapped_column(sa.Date)
    submitted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    snapshot: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    snapshot_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    status: so.Mapped[SubmissionStatus] = so.mapped_column(
        _enum(SubmissionStatus), default=SubmissionStatus.SUBMITTED
    )

    portfolio: so.Mapped[Portfolio] = so.relationship()

    def __repr__(self) -> str:
        return f"<Submission {self.portfolio_id} v{self.number}>"


FROZEN = (
    "portfolio_id",
    "number",
    "declared_name",
    "declared_on",
    "submitted_at",
    "snapshot",
    "snapshot_hash",
)


@sa.event.listens_for(Submission, "before_update")
def _snapshot_is_immutable(mapper, connection, target):
    state = sa.inspect(target)
    changed = [name for name in FROZEN if state.attrs[name].history.has_changes()]
    if changed:
        raise RuntimeError(f"A submitted version cannot change ({', '.join(changed)}).")


@sa.event.listens_for(Submission, "before_delete")
def _submission_cannot_be_deleted(mapper, connection, target):
    raise RuntimeError("A submitted version cannot be deleted.")


# Bulk UPDATE and DELETE statements skip the mapper events above: only the status may move on.
_submissions_refuse_bulk_changes = refuse_bulk_changes(
    Submission.__table__,
    "A submitted version cannot change or be deleted; only its status moves on.",
    mutable={"status"},
)
