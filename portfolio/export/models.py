"""A cohort bulk export: its progress lives in the database, so any app server (and the page
polling it) sees the same figures whichever process is doing the work."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import Cohort, User
from portfolio.db import UTCDateTime, utcnow
from portfolio.extensions import db


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {
            "queued": "Waiting to start",
            "running": "Rendering",
            "done": "Ready to download",
            "failed": "Failed",
        }[self]


class BulkExport(db.Model):
    """One request to export a cohort's latest submissions as a zip of PDFs."""

    __tablename__ = "bulk_exports"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    centre_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("centres.id"), index=True)
    cohort_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    # None when an operator ran it from the command line.
    requested_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    status: so.Mapped[ExportStatus] = so.mapped_column(
        sa.Enum(
            ExportStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ExportStatus.QUEUED,
    )
    total: so.Mapped[int] = so.mapped_column(default=0)
    done: so.Mapped[int] = so.mapped_column(default=0)
    # The zip, relative to PDF_CACHE_DIR, once written.
    path: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    error: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Moves with every rendered PDF: a job that stops moving was lost with its server.
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    cohort: so.Mapped[Cohort] = so.relationship()
    requested_by: so.Mapped[User | None] = so.relationship()

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    def __repr__(self) -> str:
        return f"<BulkExport {self.id} cohort={self.cohort_id} {self.status.value}>"
