"""Scenarios and their versions. A version is immutable: a case pins the version it started on,
so editing a scenario never rewrites a learner's history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import Centre, User
from portfolio.db import UTCDateTime, utcnow
from portfolio.extensions import db


class LibraryScenario(db.Model):
    """A scenario in the library. `centre_id` is NULL for the bundled, site-wide scenarios.

    `current_number` is the live version: the one learners read and new cases and exercises
    get. A version uploaded after the scenario was first published is a draft (its
    `published_at` is empty) until the admin publishes it; until the first publication the
    current version is the newest upload. `published` says whether learners see the scenario
    at all (a withdrawn one keeps its current version). The listing fields mirror the current
    version."""

    __tablename__ = "scenarios"
    __table_args__ = (sa.UniqueConstraint("centre_id", "slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    centre_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("centres.id"), index=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(64))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    sector: so.Mapped[str] = so.mapped_column(sa.String(40))
    difficulty: so.Mapped[str] = so.mapped_column(sa.String(20))
    summary: so.Mapped[str] = so.mapped_column(sa.Text)
    unit_code: so.Mapped[str] = so.mapped_column(sa.String(40))
    current_number: so.Mapped[int] = so.mapped_column(default=1)
    published: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    centre: so.Mapped[Centre | None] = so.relationship()
    versions: so.Mapped[list[ScenarioVersion]] = so.relationship(
        back_populates="scenario", order_by="ScenarioVersion.number"
    )

    @property
    def bundled(self) -> bool:
        return self.centre_id is None

    def __repr__(self) -> str:
        return f"<LibraryScenario {self.id} {self.slug}>"


class ScenarioVersion(db.Model):
    """One immutable version of a scenario: the validated content as JSON, keyed by the hash
    of the files it came from."""

    __tablename__ = "scenario_versions"
    __table_args__ = (
        # Named here: the convention (uq_<table>_<first column>) would give both the same name,
        # which PostgreSQL refuses (constraint names are unique per schema).
        sa.UniqueConstraint("scenario_id", "number", name="uq_scenario_versions_number"),
        sa.UniqueConstraint(
            "scenario_id", "content_hash", name="uq_scenario_versions_content_hash"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    scenario_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("scenarios.id"), index=True)
    number: so.Mapped[int]
    content_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    # Deferred: about 70 KB of JSON, parsed once per process into spec_of's cache of immutable
    # versions; pages that load a version (or a case's) then never fetch or parse it again.
    data: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, deferred=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    # When the version first went live; empty for a draft that learners have never been given.
    published_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    scenario: so.Mapped[LibraryScenario] = so.relationship(back_populates="versions")
    created_by: so.Mapped[User | None] = so.relationship()

    @property
    def draft(self) -> bool:
        return self.published_at is None

    def __repr__(self) -> str:
        return f"<ScenarioVersion {self.scenario_id} v{self.number}>"
