"""Unit → learning outcome → criterion. Nothing assumes there is only one unit."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.extensions import db


class Unit(db.Model):
    __tablename__ = "units"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    level: so.Mapped[int]
    source_note: so.Mapped[str | None] = so.mapped_column(sa.Text)

    outcomes: so.Mapped[list[Outcome]] = so.relationship(
        back_populates="unit", order_by="Outcome.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class Outcome(db.Model):
    __tablename__ = "learning_outcomes"
    __table_args__ = (sa.UniqueConstraint("unit_id", "ref"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("units.id"), index=True)
    ref: so.Mapped[str] = so.mapped_column(sa.String(10))
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))  # competence | knowledge
    position: so.Mapped[int] = so.mapped_column(default=0)

    unit: so.Mapped[Unit] = so.relationship(back_populates="outcomes")
    criteria: so.Mapped[list[Criterion]] = so.relationship(
        back_populates="outcome", order_by="Criterion.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Outcome {self.ref}>"


class Criterion(db.Model):
    __tablename__ = "criteria"
    __table_args__ = (sa.UniqueConstraint("unit_id", "ref"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("units.id"), index=True)
    outcome_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("learning_outcomes.id"), index=True)
    ref: so.Mapped[str] = so.mapped_column(sa.String(10))
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    reconstructed: so.Mapped[bool] = so.mapped_column(default=False)
    position: so.Mapped[int] = so.mapped_column(default=0)

    outcome: so.Mapped[Outcome] = so.relationship(back_populates="criteria")

    def __repr__(self) -> str:
        return f"<Criterion {self.ref}>"
