"""A learner's saved analyses of the complaint log, and the recommendations resting on them.

Both carry a version column (as ``CaseRecord`` does) so that a stale edit is refused rather
than overwriting newer work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.casework.models import Case
from portfolio.db import UTCDateTime, utcnow
from portfolio.extensions import db


class SavedAnalysis(db.Model):
    """An analysis as the learner saved it: the choices (``params``, ``AnalysisParams.to_dict()``)
    and the figures computed from them at the time (``{"summary": ..., "trends": [...]}``), so
    the saved record never changes even if the analysis code does."""

    __tablename__ = "saved_analyses"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cases.id"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    params: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    figures: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    commentary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    version: so.Mapped[int] = so.mapped_column(default=1)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    case: so.Mapped[Case] = so.relationship()
    recommendations: so.Mapped[list[Recommendation]] = so.relationship(
        back_populates="analysis", order_by="Recommendation.id"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<SavedAnalysis {self.id} case={self.case_id} v{self.version}>"


class Recommendation(db.Model):
    """A SMART recommendation: the change, who has authority to make it, the expected benefit,
    the measure and target, by when; how it addresses the case's root cause, and what should
    happen for other customers affected by the same cause."""

    __tablename__ = "recommendations"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cases.id"), index=True)
    analysis_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("saved_analyses.id"), index=True)
    change: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    owner: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    benefit: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    measure: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    target: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    by_when: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    root_cause_link: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    other_customers: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    version: so.Mapped[int] = so.mapped_column(default=1)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    case: so.Mapped[Case] = so.relationship()
    analysis: so.Mapped[SavedAnalysis] = so.relationship(back_populates="recommendations")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Recommendation {self.id} case={self.case_id} v{self.version}>"
