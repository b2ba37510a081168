"""An exercise assigns one scenario version to one cohort for a period."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import Centre, Cohort, User
from portfolio.db import UTCDateTime, utcnow
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario, ScenarioVersion
from portfolio.library.queries import spec_of
from portfolio.scenarios.schema import Scenario


class Exercise(db.Model):
    __tablename__ = "exercises"
    __table_args__ = (sa.CheckConstraint("closes_on >= opens_on", name="closes_after_opening"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    centre_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("centres.id"), index=True)
    cohort_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    scenario_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("scenarios.id"), index=True)
    scenario_version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("scenario_versions.id"))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    opens_on: so.Mapped[date] = so.mapped_column(sa.Date)
    closes_on: so.Mapped[date] = so.mapped_column(sa.Date)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    centre: so.Mapped[Centre] = so.relationship()
    cohort: so.Mapped[Cohort] = so.relationship()
    scenario: so.Mapped[LibraryScenario] = so.relationship()
    version: so.Mapped[ScenarioVersion] = so.relationship()
    created_by: so.Mapped[User] = so.relationship()

    def is_open(self, today: date) -> bool:
        return self.opens_on <= today <= self.closes_on

    @property
    def spec(self) -> Scenario:
        """The exercise's scenario as its pinned version has it (title, summary): a later
        version may retitle the scenario in the library, but these learners work this one."""
        return spec_of(self.version)

    def __repr__(self) -> str:
        return f"<Exercise {self.id} {self.title!r}>"
