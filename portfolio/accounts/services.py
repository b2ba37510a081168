"""Writes for centres, users, allocation and cohorts. Services flush; the caller commits."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from portfolio.accounts.errors import AccountError
from portfolio.accounts.models import Centre, Cohort, LoginFailure, User, cohort_members
from portfolio.auth.passwords import hash_password, password_problem, verify_password
from portfolio.casework.models import Case
from portfolio.db import utcnow
from portfolio.exercises.models import Exercise
from portfolio.exercises.services import follow_cohort_changes
from portfolio.export.bulk import STALLED_AFTER
from portfolio.export.cache import cache_dir
from portfolio.export.models import BulkExport, ExportStatus
from portfolio.extensions import db
from portfolio.roles import CENTRE_ROLES, Role


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively; store them trimmed and lower-cased."""
    return email.strip().lower()


EMAIL_TAKEN = "An account with that email address already exists."
CENTRE_NAME_TAKEN = "A centre with that name already exists."


def email_taken(email: str, *, except_id: int | None = None) -> bool:
    """Whether an account (other than `except_id`'s) already signs in with this email."""
    query = sa.select(User.id).where(User.email == normalise_email(email)).limit(1)
    if except_id is not None:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


def centre_name_taken(name: str) -> bool:
    """Whether a centre already has this name (trimmed, in any case)."""
    query = sa.select(Centre.id).where(sa.func.lower(Centre.name) == name.strip().lower())
    return db.session.scalar(query.limit(1)) is not None


def create_centre(*, name: str) -> Centre:
    """Create a centre; names are unique across the site."""
    name = name.strip()
    if centre_name_taken(name):
        raise AccountError(CENTRE_NAME_TAKEN, "name")
    centre = Centre(name=name)
    db.session.add(centre)
    db.session.flush()
    return centre


def create_user(
    *,
    email: str,
    full_name: str,
    role: Role,
    centre: Centre | None,
    password: str,
    must_change_password: bool = True,
    check_strength: bool = False,
) -> User:
    """Create a user. Admin-created accounts get a temporary password that must be changed at
    first sign-in; everyone but a site admin belongs to a centre."""
    email = normalise_email(email)
    if email_taken(email):
        raise AccountError(EMAIL_TAKEN, "email")
    if (role == Role.SITE_ADMIN) != (centre is None):
        raise AccountError("Only a site admin stands outside a centre.", "role")
    if check_strength and (problem := password_problem(password, email=email)):
        raise AccountError(problem, "password")
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        centre=centre,
        password_hash=hash_password(password),
        must_change_password=must_change_password,
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    return user


def allocated_learners(staff: User) -> tuple[int, list[str]]:
    """How many learners have this user as their assessor or IQA, and the first few names."""
    column = User.iqa_id if staff.role == Role.IQA else User.assessor_id
    where = (User.role == Role.LEARNER, column == staff.id)
    count = db.session.scalar(sa.select(sa.func.count(User.id)).where(*where))
    names = db.session.scalars(
        sa.select(User.full_name).where(*where).order_by(User.full_name, User.id).limit(3)
    ).all()
    return count, list(names)


def _refuse_while_allocated(staff: User, *, change: str, field: str | None) -> None:
    """An assessor or IQA who still has learners allocated keeps the role (and stays active):
    otherwise those learners' work would go to someone who cannot mark or sample it."""
    if staff.role not in (Role.ASSESSOR, Role.IQA):
        return
    count, names = allocated_learners(staff)
    if not count:
        return
    job = staff.role.in_prose
    who = ", ".join(names) + (f" and {count - len(names)} more" if count > len(names) else "")
    learners = "1 learner" if count == 1 else f"{count} learners"
    raise AccountError(
        f"{staff.full_name} is still the {job} of {learners} ({who}). Allocate "
        f"{'that learner' if count == 1 else 'them'} to another {job} first, then {change}.",
        field,
    )


def _refuse_for_a_learner_with_work(learner: User) -> None:
    """A learner who has started a case or belongs to a cohort keeps the role: as staff they
    would still sit on cohort boards and grids, with a portfolio that no learner page shows.
    Someone who also becomes staff gets a separate staff account."""
    if learner.role != Role.LEARNER:
        return
    has_cases = sa.exists().where(Case.learner_id == learner.id)
    in_cohorts = sa.exists().where(cohort_members.c.user_id == learner.id)
    cases, cohorts = db.session.execute(sa.select(has_cases, in_cohorts)).one()
    if not (cases or cohorts):
        return
    held = " and ".join(
        what for what, yes in (("has started casework", cases), ("is in a cohort", cohorts)) if yes
    )
    raise AccountError(
        f"{learner.full_name} {held}, so the account stays a learner's: their portfolio and "
        "progress belong to it. Give them a separate account, with another email address, "
        "for the new role.",
        "role",
    )


def move_learners(staff: User, *, to: User | None, by: User) -> int:
    """Allocate every learner of an assessor (or IQA) to another active assessor (or IQA) of
    the same centre, so that the first can change role or be deactivated. Returns how many
    learners moved."""
    if staff.role not in (Role.ASSESSOR, Role.IQA):
        raise AccountError("Only an assessor's or an IQA's learners can be moved.", "to")
    job = staff.role.in_prose
    if (
        to is None
        or to.id == staff.id
        or to.centre_id != staff.centre_id
        or to.role != staff.role
        or not to.active
    ):
        raise AccountError(f"Choose another active {job} of this centre.", "to")
    column = "iqa_id" if staff.role == Role.IQA else "assessor_id"
    moved = db.session.execute(
        sa.update(User)
        .where(User.role == Role.LEARNER, getattr(User, column) == staff.id)
        .values({column: to.id})
        .execution_options(synchronize_session="fetch")
    ).rowcount
    db.session.flush()
    return moved


def user_stamp(user: User) -> str:
    """A short fingerprint of what the edit form changes (details, role, allocation): the form
    carries it, so a change made meanwhile (another admin, the allocation page, learners moved
    from their assessor) is not silently undone by saving a page loaded before it."""
    seen = "\n".join(
        str(v)
        for v in (
            user.email,
            user.full_name,
            user.role.value,
            user.assessor_id,
            user.iqa_id,
            user.is_new_assessor,
        )
    )
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


class UserChanged(AccountError):
    """Someone changed the account after the editor loaded it."""


def _staff_name(user_id: int | None) -> str:
    if user_id is None:
        return "none"
    return db.session.scalar(sa.select(User.full_name).where(User.id == user_id)) or "none"


def update_user(
    user: User,
    *,
    email: str,
    full_name: str,
    role: Role,
    assessor: User | None,
    iqa: User | None,
    is_new_assessor: bool = False,
    by: User,
    seen: str | None = None,
) -> User:
    """Edit a centre user's details, role and allocation. Allocation applies to learners only,
    and the assessor and IQA must belong to the learner's centre and hold those roles. `seen`
    is the user_stamp the editor loaded: a different one now means someone changed the account
    meanwhile, and nothing is saved (UserChanged)."""
    if seen is not None and seen != user_stamp(user):
        now = f"{user.full_name} ({user.email}), {user.role.label.lower()}"
        if user.role == Role.LEARNER:
            now += f", assessor {_staff_name(user.assessor_id)}, IQA {_staff_name(user.iqa_id)}"
        raise UserChanged(
            f"Nothing was saved: this account was changed by someone else after you opened "
            f"this page. It is now {now}. Check the form below and save again."
        )
    email = normalise_email(email)
    if email_taken(email, except_id=user.id):
        raise AccountError(EMAIL_TAKEN, "email")
    if role not in CENTRE_ROLES:
        raise AccountError("Choose one of the centre roles.", "role")
    if user.id == by.id and role != user.role:
        raise AccountError("You cannot change your own role.", "role")
    if role != user.role:
        _refuse_while_allocated(user, change="change the role", field="role")
        _refuse_for_a_learner_with_work(user)
    if role == Role.LEARNER:
        for person, needed, field in (
            (assessor, Role.ASSESSOR, "assessor"),
            (iqa, Role.IQA, "iqa"),
        ):
            if person is not None and (person.centre_id != user.centre_id or person.role != needed):
                raise AccountError(f"Choose an {needed.label.lower()} from this centre.", field)
    else:
        assessor = iqa = None
    user.email = email
    user.full_name = full_name.strip()
    user.role = role
    user.assessor = assessor
    user.iqa = iqa
    user.is_new_assessor = is_new_assessor and role == Role.ASSESSOR
    db.session.flush()
    return user


def set_active(user: User, *, active: bool, by: User) -> User:
    """Deactivate or reactivate an account. Nobody deactivates themselves."""
    if user.id == by.id and not active:
        raise AccountError("You cannot deactivate your own account.")
    if not active:
        _refuse_while_allocated(user, change="deactivate the account", field=None)
    user.active = active
    db.session.flush()
    return user


def reset_password(user: User, *, temporary: str) -> User:
    """Give a user a new temporary password that they must change at next sign-in. The
    account's failed sign-ins are forgotten: a user locked out by forgetting their password
    signs in with the new one at once, not after the throttle's wait."""
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    clear_login_failures(email=user.email)
    db.session.flush()
    return user


def change_password(user: User, *, current: str, new: str) -> User:
    """Change a user's own password after checking the current one and the policy."""
    if not verify_password(user.password_hash, current):
        raise AccountError("Your current password is not right.", "current_password")
    if new == current:
        raise AccountError("Choose a password different from the current one.", "new_password")
    if problem := password_problem(new, email=user.email, full_name=user.full_name):
        raise AccountError(problem, "new_password")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    db.session.flush()
    return user


def record_login_failure(*, email: str, ip: str) -> None:
    """Remember a failed sign-in for throttling."""
    db.session.add(LoginFailure(email=normalise_email(email)[:254], ip=ip[:45]))
    db.session.flush()


def throttle_wait() -> str:
    """How long a throttled sign-in waits (the throttle's window, a setting), in words."""
    minutes = max(1, -(-current_app.config["LOGIN_THROTTLE_WINDOW_SECONDS"] // 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def login_throttled(*, email: str, ip: str) -> bool:
    """True when this email or address has failed too often within the window."""
    cfg = current_app.config
    since = utcnow() - timedelta(seconds=cfg["LOGIN_THROTTLE_WINDOW_SECONDS"])
    recent = sa.select(sa.func.count(LoginFailure.id)).where(LoginFailure.at >= since)
    by_email = db.session.scalar(recent.where(LoginFailure.email == normalise_email(email)))
    if by_email >= cfg["LOGIN_MAX_FAILURES_PER_EMAIL"]:
        return True
    return (
        db.session.scalar(recent.where(LoginFailure.ip == ip)) >= cfg["LOGIN_MAX_FAILURES_PER_IP"]
    )


def clear_login_failures(*, email: str) -> None:
    """Forget an email's failures after a successful sign-in."""
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.email == normalise_email(email)))


def create_cohort(*, centre: Centre, name: str, description: str | None = "") -> Cohort:
    """Create a cohort; names are unique within a centre. A form posted without its
    description field gives None: that is an empty description, not an error."""
    name = name.strip()
    exists = sa.select(Cohort.id).where(Cohort.centre_id == centre.id, Cohort.name == name)
    if db.session.scalar(exists):
        raise AccountError("This centre already has a cohort with that name.", "name")
    cohort = Cohort(centre=centre, name=name, description=(description or "").strip())
    db.session.add(cohort)
    db.session.flush()
    return cohort


def change_cohort_members(
    cohort: Cohort, *, add: list[User], remove: list[User]
) -> tuple[int, int]:
    """Add and remove some of a cohort's members, leaving the rest as they are (the members
    page shows a page of learners at a time). Returns how many joined and how many left."""
    for learner in add:
        if learner.centre_id != cohort.centre_id or learner.role != Role.LEARNER:
            raise AccountError("Only learners of this centre can join the cohort.", "members")
    table = Cohort.members.property.secondary
    present = set(
        db.session.scalars(
            sa.select(table.c.user_id).where(
                table.c.cohort_id == cohort.id,
                table.c.user_id.in_([u.id for u in add] + [u.id for u in remove]),
            )
        )
    )
    joining = [u.id for u in add if u.id not in present]
    leaving = [u.id for u in remove if u.id in present]
    if joining:
        db.session.execute(
            sa.insert(table), [{"cohort_id": cohort.id, "user_id": i} for i in joining]
        )
    if leaving:
        db.session.execute(
            sa.delete(table).where(table.c.cohort_id == cohort.id, table.c.user_id.in_(leaving))
        )
    db.session.expire(cohort, ["members"])
    for user in add + remove:
        db.session.expire(user, ["cohorts"])
    db.session.flush()
    follow_cohort_changes(cohort.id, joined=joining, left=leaving)
    return len(joining), len(leaving)


def set_cohort_members(cohort: Cohort, *, learners: list[User]) -> Cohort:
    """Replace a cohort's members; only learners of the cohort's centre may join."""
    for learner in learners:
        if learner.centre_id != cohort.centre_id or learner.role != Role.LEARNER:
            raise AccountError("Only learners of this centre can join the cohort.", "members")
    cohort.members = list(learners)
    db.session.flush()
    return cohort


@dataclass(frozen=True)
class CohortDeletion:
    """What deleting a cohort would do. It may go only when it has no `exercises` (id, title
    rows) and no export of it is under way; its `members` only leave it, and its finished
    `exports` (with their zips) go with it."""

    members: int
    exercises: list
    exporting: bool
    exports: int

    @property
    def allowed(self) -> bool:
        return not self.exercises and not self.exporting


def cohort_deletion(cohort: Cohort) -> CohortDeletion:
    """Whether the cohort can be deleted, and what would go with it: three queries."""
    exercises = db.session.execute(
        sa.select(Exercise.id, Exercise.title)
        .where(Exercise.cohort_id == cohort.id)
        .order_by(Exercise.opens_on, Exercise.id)
    ).all()
    members = sa.select(sa.func.count()).where(cohort_members.c.cohort_id == cohort.id)
    exports = sa.select(sa.func.count(BulkExport.id)).where(BulkExport.cohort_id == cohort.id)
    exporting = sa.exists().where(
        BulkExport.cohort_id == cohort.id,
        BulkExport.status.in_((ExportStatus.QUEUED, ExportStatus.RUNNING)),
        BulkExport.updated_at >= utcnow() - STALLED_AFTER,
    )
    counts = db.session.execute(
        sa.select(members.scalar_subquery(), exports.scalar_subquery(), exporting)
    ).one()
    return CohortDeletion(counts[0], list(exercises), bool(counts[2]), counts[1])


class CohortInUse(AccountError):
    """The cohort has exercises (or an export under way), so it cannot be deleted yet."""


def cohort_in_use_message(cohort: Cohort, deletion: CohortDeletion) -> str:
    """Why the cohort cannot be deleted yet, and what to do first."""
    if deletion.exercises:
        titles = ", ".join(f"“{e.title}”" for e in deletion.exercises)
        one = len(deletion.exercises) == 1
        some, those = ("an exercise", "that exercise") if one else ("exercises", "those exercises")
        where = "its page" if one else "each one's page"
        return (
            f"{cohort.name} cannot be deleted while it has {some}: {titles}. Delete {those} "
            f"first, from {where}, then delete the cohort. An exercise that learners have "
            "started cannot be deleted, so its cohort stays."
        )
    return (
        f"An export of {cohort.name} is under way. Wait for it to finish (see the Exports page), "
        "then delete the cohort."
    )


def delete_cohort(cohort: Cohort, *, by: User) -> list[str]:
    """Delete a cohort set in error. Its learners only leave it: their accounts, cases and
    portfolios are untouched. Its finished exports go with it (their page would name a cohort
    that is gone); returns their zips' paths (under PDF_CACHE_DIR), for discard_export_zips
    once the deletion is committed. Refused (CohortInUse) while it has exercises or an export
    of it is under way."""
    if cohort.centre_id != by.centre_id:
        raise AccountError("Choose a cohort of your own centre.")
    deletion = cohort_deletion(cohort)
    if not deletion.allowed:
        raise CohortInUse(cohort_in_use_message(cohort, deletion))
    zips = db.session.scalars(
        sa.select(BulkExport.path).where(
            BulkExport.cohort_id == cohort.id, BulkExport.path.is_not(None)
        )
    ).all()
    db.session.execute(sa.delete(BulkExport).where(BulkExport.cohort_id == cohort.id))
    db.session.execute(sa.delete(cohort_members).where(cohort_members.c.cohort_id == cohort.id))
    db.session.expire(cohort, ["members"])
    db.session.delete(cohort)
    db.session.flush()
    return list(zips)


def discard_export_zips(paths: list[str]) -> None:
    """Remove deleted exports' zips (learners' portfolios) from PDF_CACHE_DIR: after the
    commit, so a deletion that fails leaves its exports whole."""
    root = cache_dir().resolve()
    for path in paths:
        target = (root / path).resolve()
        if target.is_relative_to(root):
            target.unlink(missing_ok=True)
