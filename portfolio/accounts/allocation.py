"""Allocating many learners at once to an assessor, an IQA or both: a new intake, a cohort
shared between two assessors, the learners still lacking one. The page lists a centre's
active learners a page at a time (by cohort, by name, only those lacking an allocation); the
ticked ones, or every one the filter finds, get the chosen staff in one statement."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlalchemy as sa

from portfolio.accounts.errors import AccountError
from portfolio.accounts.models import User, cohort_members
from portfolio.accounts.queries import like_pattern, name_or_email_like, users_list
from portfolio.extensions import db
from portfolio.roles import Role


@dataclass(frozen=True)
class LearnerFilter:
    """Which of a centre's active learners the page lists: members of `cohort_id` (None for
    any), only those lacking an assessor or an IQA, and those whose name or email holds `q`."""

    cohort_id: int | None = None
    lacking: bool = False
    q: str = ""

    @property
    def shape(self) -> tuple[bool, bool, bool]:
        """Which conditions the filter adds (by cohort, lacking, by text): its statements are
        built once for each shape, the values bound."""
        return self.cohort_id is not None, self.lacking, bool(self.q.strip())

    def params(self, centre_id: int) -> dict:
        # Not named after columns: an UPDATE reserves those names for its SET clause.
        return {
            "in_centre": centre_id,
            "in_cohort": self.cohort_id or 0,
            "name_like": like_pattern(self.q),
        }


@functools.cache
def _where(by_cohort: bool, lacking: bool, by_text: bool) -> tuple:
    """The filter's conditions on the users table, built once for each combination."""
    users = User.__table__
    where = [
        users.c.centre_id == sa.bindparam("in_centre"),
        users.c.role == Role.LEARNER,
        users.c.active.is_(True),
    ]
    if by_cohort:
        where.append(
            sa.exists().where(
                cohort_members.c.user_id == users.c.id,
                cohort_members.c.cohort_id == sa.bindparam("in_cohort"),
            )
        )
    if lacking:
        where.append(sa.or_(users.c.assessor_id.is_(None), users.c.iqa_id.is_(None)))
    if by_text:
        like = sa.bindparam("name_like", type_=sa.String)
        where.append(name_or_email_like(users, like))
    return tuple(where)


@functools.cache
def _listing(by_cohort: bool, lacking: bool, by_text: bool) -> tuple[sa.Select, sa.Select]:
    where = _where(by_cohort, lacking, by_text)
    return users_list().where(*where), sa.select(sa.func.count()).where(*where)


def learners(centre_id: int, chosen: LearnerFilter) -> tuple[sa.Select, sa.Select, dict]:
    """The learners the filter finds, as rows of the users list's columns (name, email,
    assessor's and IQA's names), their COUNT, and the parameters both take."""
    listed, count = _listing(*chosen.shape)
    return listed, count, chosen.params(centre_id)


def staff_names(centre_id: int) -> dict[Role, list[sa.Row]]:
    """The centre's active assessors and IQAs by name, as (id, full_name) rows for each role:
    one statement for both lists."""
    found = db.session.execute(
        sa.select(User.id, User.full_name, User.role)
        .where(
            User.centre_id == centre_id,
            User.role.in_((Role.ASSESSOR, Role.IQA)),
            User.active.is_(True),
        )
        .order_by(User.full_name, User.id)
    )
    staff: dict[Role, list[sa.Row]] = {Role.ASSESSOR: [], Role.IQA: []}
    for row in found:
        staff[row.role].append(row)
    return staff


def _staff(person: User | None, centre_id: int, role: Role) -> None:
    if person is not None and not (
        person.centre_id == centre_id and person.role == role and person.active
    ):
        raise AccountError(f"Choose an active {role.in_prose} of this centre.", role.value)


def allocate(
    centre_id: int,
    *,
    assessor: User | None,
    iqa: User | None,
    learner_ids: list[int] | None = None,
    everyone_in: LearnerFilter | None = None,
) -> int:
    """Give learners of the centre the assessor and/or IQA (None leaves that one as it is):
    either the learners `learner_ids` names, which must all be active learners of the centre
    (a stale or tampered page changes nothing), or every learner `everyone_in` finds. One
    UPDATE; flushes. Returns how many learners it allocated."""
    if assessor is None and iqa is None:
        raise AccountError("Choose an assessor, an IQA or both to allocate.", "assessor")
    _staff(assessor, centre_id, Role.ASSESSOR)
    _staff(iqa, centre_id, Role.IQA)
    users = User.__table__
    if everyone_in is not None:
        where = _where(*everyone_in.shape)
        params = everyone_in.params(centre_id)
    else:
        ids = sorted(set(learner_ids or ()))
        if not ids:
            raise AccountError("Tick the learners to allocate, or choose all of them.", "learners")
        where = (*_where(False, False, False), users.c.id.in_(ids))
        params = {"in_centre": centre_id}
        found = db.session.execute(sa.select(sa.func.count()).where(*where), params).scalar()
        if found != len(ids):
            raise AccountError(
                "Some of the learners ticked are no longer active learners of this centre "
                "(the page may be out of date). Nothing was changed: look at the list again "
                "and tick them afresh.",
                "learners",
            )
    db.session.flush()
    values = {}
    if assessor is not None:
        values["assessor_id"] = assessor.id
    if iqa is not None:
        values["iqa_id"] = iqa.id
    changed = db.session.execute(sa.update(users).where(*where).values(values), params).rowcount
    # The session may hold some of these learners: let them read the new allocation.
    db.session.expire_all()
    return changed
