"""Reads for accounts, scoped to what a user may see."""

import functools

import sqlalchemy as sa

from portfolio.accounts.models import Cohort, User, cohort_members
from portfolio.extensions import db
from portfolio.roles import Role


@functools.cache
def users_list() -> sa.Select:
    """The users list's columns with the assessor's and IQA's names (the users and allocation
    pages), built once (aliased columns cost more to build than the query takes to run)."""
    users = User.__table__
    assessor, iqa = users.alias("assessor"), users.alias("iqa")
    return (
        sa.select(
            users.c.id,
            users.c.full_name,
            users.c.email,
            users.c.role,
            users.c.active,
            users.c.must_change_password,
            users.c.is_new_assessor,
            assessor.c.full_name.label("assessor_name"),
            iqa.c.full_name.label("iqa_name"),
        )
        .select_from(users)
        .outerjoin(assessor, assessor.c.id == users.c.assessor_id)
        .outerjoin(iqa, iqa.c.id == users.c.iqa_id)
        .order_by(users.c.full_name, users.c.id)
    )


LIKE_ESCAPE = "!"


def like_pattern(q: str) -> str:
    """A LIKE pattern finding `q` anywhere, lower-cased, its own % and _ taken literally (with
    the escape character LIKE_ESCAPE): a search for "jo_smith" finds jo_smith, not josmith."""
    text = q.strip().lower()
    for ch in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(ch, LIKE_ESCAPE + ch)
    return f"%{text}%"


def name_or_email_like(users: sa.Table, like: sa.BindParameter) -> sa.ColumnElement[bool]:
    """A user's name or email matches the like_pattern bound as `like`."""
    return sa.or_(
        sa.func.lower(users.c.full_name).like(like, escape=LIKE_ESCAPE),
        users.c.email.like(like, escape=LIKE_ESCAPE),
    )


def centre_users(
    centre_id: int, *, role: Role | None = None, q: str = "", unallocated: bool = False
) -> tuple[sa.Select, sa.Select, dict]:
    """The users of one centre by name, as rows of the columns the list shows with their
    assessor's and IQA's names (plain rows: far cheaper to load than objects), the COUNT of
    the same users (without the joins, so it reads only the index), and the parameters both
    take. `unallocated` keeps the active learners still lacking an assessor or an IQA (those
    the dashboard counts). Built once for each combination of filters."""
    q = q.strip()
    params = {"centre_id": centre_id, "role": role, "like": like_pattern(q)}
    listed, count = _centre_users_for(role is not None, bool(q), unallocated)
    return listed, count, params


@functools.cache
def _centre_users_for(by_role: bool, by_text: bool, unallocated: bool) -> tuple[sa.Select, ...]:
    users = User.__table__
    where = [users.c.centre_id == sa.bindparam("centre_id")]
    if by_role:
        where.append(users.c.role == sa.bindparam("role", type_=users.c.role.type))
    if unallocated:
        where += [
            users.c.role == Role.LEARNER,
            users.c.active.is_(True),
            sa.or_(users.c.assessor_id.is_(None), users.c.iqa_id.is_(None)),
        ]
    if by_text:
        like = sa.bindparam("like", type_=sa.String)
        where.append(name_or_email_like(users, like))
    return users_list().where(*where), sa.select(sa.func.count()).where(*where)


def centre_staff(centre_id: int, role: Role) -> sa.Select:
    """Active users of a centre holding a role (for allocation choices)."""
    return (
        sa.select(User)
        .where(User.centre_id == centre_id, User.role == role, User.active.is_(True))
        .order_by(User.full_name)
    )


@functools.cache
def _cohorts_list() -> sa.Select:
    """Cohorts with their member counts and how many of those are deactivated (the board and
    dashboard count only active learners, so the list says why its number is larger), built
    once."""
    cohorts, users = Cohort.__table__, User.__table__
    members = (
        sa.select(sa.func.count())
        .where(cohort_members.c.cohort_id == cohorts.c.id)
        .scalar_subquery()
        .label("members")
    )
    # Deactivated members counted once for every cohort from the few deactivated users, and
    # joined: as a subquery per cohort PostgreSQL scanned every user for each cohort (10 ms
    # for a large centre's 40 cohorts, against 2 ms this way).
    deactivated = (
        sa.select(cohort_members.c.cohort_id, sa.func.count().label("n"))
        .join(users, users.c.id == cohort_members.c.user_id)
        .where(users.c.active.is_(False))
        .group_by(cohort_members.c.cohort_id)
        .subquery("deactivated")
    )
    return (
        sa.select(
            cohorts.c.id,
            cohorts.c.name,
            cohorts.c.description,
            members,
            sa.func.coalesce(deactivated.c.n, 0).label("deactivated"),
        )
        .outerjoin(deactivated, deactivated.c.cohort_id == cohorts.c.id)
        .order_by(cohorts.c.name, cohorts.c.id)
    )


@functools.cache
def centre_cohorts() -> sa.Select:
    """A centre's cohorts (bind :centre_id) by name with their member counts: rows (id, name,
    description, members, deactivated). Built once."""
    return _cohorts_list().where(Cohort.__table__.c.centre_id == sa.bindparam("centre_id"))


@functools.cache
def cohort_member_rows() -> sa.Select:
    """A cohort's members by name as rows (id, full_name, email, active), built once: execute
    it with the parameter `cohort_id`."""
    users = User.__table__
    return (
        sa.select(users.c.id, users.c.full_name, users.c.email, users.c.active)
        .select_from(users)
        .join(cohort_members, cohort_members.c.user_id == users.c.id)
        .where(cohort_members.c.cohort_id == sa.bindparam("cohort_id"))
        .order_by(users.c.full_name, users.c.id)
    )


def member_counts(cohort_ids: list[int]) -> dict[int, int]:
    """How many learners each of these cohorts has, in one query."""
    if not cohort_ids:
        return {}
    rows = db.session.execute(
        sa.select(cohort_members.c.cohort_id, sa.func.count())
        .where(cohort_members.c.cohort_id.in_(cohort_ids))
        .group_by(cohort_members.c.cohort_id)
    )
    return dict(rows.all())


@functools.cache
def _picker_columns() -> tuple[sa.Select, sa.Select]:
    """Learners with whether they belong to the cohort `:cohort_id`: (every learner, only the
    members), built once."""
    users = User.__table__
    columns = (users.c.id, users.c.full_name, users.c.email, users.c.active)
    everyone = (
        sa.select(*columns, cohort_members.c.cohort_id.is_not(None).label("member"))
        .select_from(users)
        .outerjoin(
            cohort_members,
            sa.and_(
                cohort_members.c.user_id == users.c.id,
                cohort_members.c.cohort_id == sa.bindparam("cohort_id"),
            ),
        )
        .where(users.c.role == Role.LEARNER)
        .order_by(users.c.full_name, users.c.id)
    )
    members = (
        sa.select(*columns, sa.true().label("member"))
        .select_from(users)
        .join(cohort_members, cohort_members.c.user_id == users.c.id)
        .where(cohort_members.c.cohort_id == sa.bindparam("cohort_id"))
        .where(users.c.role == Role.LEARNER)
        .order_by(users.c.full_name, users.c.id)
    )
    return everyone, members


def cohort_picker(
    centre_id: int, *, show: str = "all", q: str = ""
) -> tuple[sa.Select, sa.Select | None, dict]:
    """A centre's learners to choose a cohort's members from, by name, as rows (id, full_name,
    email, active, member): all of them, only the cohort's members (`show="members"`), or only
    those in no cohort (`show="unassigned"`); the COUNT of them for the long lists (None for a
    cohort's members, small enough to count with the page); and the parameters, to which the
    caller adds `cohort_id` (0 for none). Built once for each combination of filters."""
    q = q.strip()
    listed, count = _cohort_picker_for(show, bool(q))
    return listed, count, {"centre_id": centre_id, "like": like_pattern(q)}


@functools.cache
def _cohort_picker_for(show: str, by_text: bool) -> tuple[sa.Select, sa.Select | None]:
    users = User.__table__
    everyone, members = _picker_columns()
    where = [users.c.centre_id == sa.bindparam("centre_id"), users.c.role == Role.LEARNER]
    if show == "unassigned":
        where.append(~sa.exists().where(cohort_members.c.user_id == users.c.id).correlate(users))
    if by_text:
        like = sa.bindparam("like", type_=sa.String)
        where.append(name_or_email_like(users, like))
    if show == "members":
        return members.where(*where), None
    return everyone.where(*where), sa.select(sa.func.count()).select_from(users).where(*where)


def centre_admins(centre_id: int) -> list[User]:
    """A centre's admins, active first, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.centre_id == centre_id, User.role == Role.CENTRE_ADMIN)
            .order_by(User.active.desc(), User.full_name, User.id)
        )
    )
