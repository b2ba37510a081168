"""Centres, users and cohorts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from portfolio.db import UTCDateTime, utcnow
from portfolio.extensions import db
from portfolio.roles import Role


class Centre(db.Model):
    __tablename__ = "centres"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    users: so.WriteOnlyMapped[User] = so.relationship(back_populates="centre")

    def __repr__(self) -> str:
        return f"<Centre {self.id} {self.name!r}>"


cohort_members = sa.Table(
    "cohort_members",
    db.metadata,
    sa.Column("cohort_id", sa.ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            "(role = 'site_admin') = (centre_id IS NULL)", name="centre_unless_site_admin"
        ),
        # A centre's people by name: the users list, the cohort members page and the staff
        # lists read the first 50 from the index instead of sorting thousands of rows.
        sa.Index("ix_users_centre_id_full_name", "centre_id", "full_name", "id"),
        # The admin dashboard's counts and the allocation page's totals read only these
        # columns: from the index alone, not from every user's row (half the time on SQLite).
        sa.Index(
            "ix_users_centre_id_role_allocation",
            "centre_id",
            "role",
            "active",
            "assessor_id",
            "iqa_id",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    centre_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("centres.id"), index=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    full_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    role: so.Mapped[Role] = so.mapped_column(
        sa.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    active: so.Mapped[bool] = so.mapped_column(default=True)
    must_change_password: so.Mapped[bool] = so.mapped_column(default=False)
    # Allocation: a learner's assessor and IQA (both in the learner's centre).
    assessor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    iqa_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # An assessor new to the role: the IQA samples every one of their decisions.
    is_new_assessor: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_login_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    centre: so.Mapped[Centre | None] = so.relationship(back_populates="users")
    assessor: so.Mapped[User | None] = so.relationship(foreign_keys=[assessor_id], remote_side=[id])
    iqa: so.Mapped[User | None] = so.relationship(foreign_keys=[iqa_id], remote_side=[id])
    cohorts: so.Mapped[list[Cohort]] = so.relationship(
        secondary=cohort_members, back_populates="members", order_by="Cohort.name"
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role.value}>"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in to inactive users
        return self.active

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


class Cohort(db.Model):
    __tablename__ = "cohorts"
    __table_args__ = (sa.UniqueConstraint("centre_id", "name"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    centre_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("centres.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    centre: so.Mapped[Centre] = so.relationship()
    members: so.Mapped[list[User]] = so.relationship(
        secondary=cohort_members, back_populates="cohorts", order_by="User.full_name"
    )

    def __repr__(self) -> str:
        return f"<Cohort {self.id} {self.name!r}>"


class LoginFailure(db.Model):
    """A failed sign-in, kept in the database so that throttling holds across workers."""

    __tablename__ = "login_failures"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), index=True)
    ip: so.Mapped[str] = so.mapped_column(sa.String(45), index=True)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
