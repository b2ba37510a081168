"""A learner's case: the pinned scenario version, the simulated clock, the append-only trail,
and the records the learner writes (each with a version column so a stale save is refused)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import User
from portfolio.db import UTCDateTime, refuse_bulk_changes, utcnow
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario, ScenarioVersion


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    SET_ASIDE = "set_aside"  # the learner started the scenario again; this case is kept


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        # One open case per learner and scenario, enforced by the database itself.
        sa.Index(
            "uq_cases_open_per_scenario",
            "learner_id",
            "scenario_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
        # Who has started each exercise, and when (the admin dashboard's progress), from the
        # index alone.
        sa.Index("ix_cases_exercise_started", "exercise_id", "status", "learner_id", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    learner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    scenario_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("scenarios.id"), index=True)
    scenario_version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("scenario_versions.id"), index=True
    )
    status: so.Mapped[CaseStatus] = so.mapped_column(
        sa.Enum(
            CaseStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
        ),
        default=CaseStatus.OPEN,
    )
    exercise_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("exercises.id"), index=True)
    hours: so.Mapped[int] = so.mapped_column(default=0)  # simulated working hours since opening
    trail_count: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    learner: so.Mapped[User] = so.relationship()
    scenario: so.Mapped[LibraryScenario] = so.relationship()
    version: so.Mapped[ScenarioVersion] = so.relationship()
    records: so.Mapped[list[CaseRecord]] = so.relationship(back_populates="case")
    findings: so.Mapped[list[Finding]] = so.relationship(
        back_populates="case", order_by="Finding.id", cascade="all, delete-orphan"
    )
    timeline: so.Mapped[list[TimelineEntry]] = so.relationship(
        back_populates="case",
        order_by="(TimelineEntry.occurred_on, TimelineEntry.id)",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Case {self.id} learner={self.learner_id} scenario={self.scenario_id}>"


class TrailEvent(db.Model):
    """One entry of the case trail: what happened, in order, at which real and simulated time.
    Append-only: the mapper refuses updates and deletes (see below)."""

    __tablename__ = "trail_events"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "seq"),
        # The live board reads each case's furthest kind of action from this index alone.
        sa.Index("ix_trail_events_case_id_kind", "case_id", "kind"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cases.id"), index=True)
    seq: so.Mapped[int]
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    sim_hours: so.Mapped[int]
    real_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    payload: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)

    def __repr__(self) -> str:
        return f"<TrailEvent {self.case_id}#{self.seq} {self.kind}>"


@sa.event.listens_for(TrailEvent, "before_update")
def _trail_is_append_only(mapper, connection, target):
    raise RuntimeError("Trail events are append-only and cannot be changed.")


@sa.event.listens_for(TrailEvent, "before_delete")
def _trail_cannot_be_deleted(mapper, connection, target):
    raise RuntimeError("Trail events are append-only and cannot be deleted.")


# Bulk UPDATE and DELETE statements skip the mapper events above.
_trail_refuses_bulk_changes = refuse_bulk_changes(
    TrailEvent.__table__, "Trail events are append-only and cannot be changed or deleted."
)


class CaseRecord(db.Model):
    """A record the learner writes (root cause, options, remedy, letter, outcome, ...) or the
    simulation keeps (correspondence, authorisation). `version` increases on every save; a save
    that names an older version is refused as stale."""

    __tablename__ = "case_records"
    __table_args__ = (sa.UniqueConstraint("case_id", "kind"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(30))
    data: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    version: so.Mapped[int] = so.mapped_column(default=1)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    case: so.Mapped[Case] = so.relationship(back_populates="records")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<CaseRecord {self.case_id} {self.kind} v{self.version}>"


class Finding(db.Model):
    """A finding the learner pinned to the document or interview answer it came from."""

    __tablename__ = "findings"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cases.id"), index=True)
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    source: so.Mapped[str] = so.mapped_column(sa.String(10))  # document | answer
    document_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    stakeholder_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    question_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    case: so.Mapped[Case] = so.relationship(back_populates="findings")


class TimelineEntry(db.Model):
    """A dated event in the learner's timeline of the complaint."""

    __tablename__ = "timeline_entries"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cases.id"), index=True)
    occurred_on: so.Mapped[date] = so.mapped_column(sa.Date)
    description: so.Mapped[str] = so.mapped_column(sa.Text)
    document_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    case: so.Mapped[Case] = so.relationship(back_populates="timeline")
