"""Importing a centre's users from a CSV file: a whole intake at once, with their roles,
their assessor and IQA, and their cohort. The file is checked in full before anything is
written: every problem is reported with its row and column, and a file with any problem
creates nobody. Each new account gets a temporary password, shown once, that must be changed
at first sign-in."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from portfolio.accounts.models import Centre, Cohort, User, cohort_members
from portfolio.accounts.services import normalise_email
from portfolio.auth.passwords import hash_issued_password, temporary_password
from portfolio.control_characters import without_control_characters
from portfolio.exercises.services import follow_cohort_changes
from portfolio.extensions import db
from portfolio.roles import Role

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
# Enough to fix a file by; a file wrong on every row would otherwise list thousands.
MAX_PROBLEMS_SHOWN = 100

COLUMNS = ("full_name", "email", "role", "assessor_email", "iqa_email", "cohort")
REQUIRED = ("full_name", "email")
# Headings as people write them in a spreadsheet, after lower-casing and spaces to "_".
HEADING_ALIASES = {
    "name": "full_name",
    "full_name": "full_name",
    "email": "email",
    "email_address": "email",
    "role": "role",
    "assessor": "assessor_email",
    "assessor_email": "assessor_email",
    "iqa": "iqa_email",
    "iqa_email": "iqa_email",
    "cohort": "cohort",
}
ROLE_WORDS = {
    "learner": Role.LEARNER,
    "assessor": Role.ASSESSOR,
    "iqa": Role.IQA,
    "internal quality assurer": Role.IQA,
    "internal quality assurer (iqa)": Role.IQA,
    "centre_admin": Role.CENTRE_ADMIN,
    "centre admin": Role.CENTRE_ADMIN,
    "centre admin / trainer": Role.CENTRE_ADMIN,
    "admin": Role.CENTRE_ADMIN,
    "trainer": Role.CENTRE_ADMIN,
}
TEMPLATE_ROWS = (
    COLUMNS,
    ("Aisha Khan", "aisha.khan@example.org", "learner", "sam.jones@example.org", "", "Spring"),
    ("Sam Jones", "sam.jones@example.org", "assessor", "", "", ""),
)


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file: `row` is the spreadsheet's row number (the headings are
    row 1), None for the file as a whole; `column` the heading concerned, if one is."""

    message: str
    row: int | None = None
    column: str | None = None


@dataclass
class Person:
    """One row of the file, checked."""

    row: int
    full_name: str
    email: str
    role: Role
    assessor_email: str = ""
    iqa_email: str = ""
    cohort: Cohort | None = None


@dataclass
class Checked:
    """The result of checking a file: a person for each row, and the problems; a file with
    any problem creates nobody."""

    people: list[Person] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.people)


@dataclass(frozen=True)
class Issued:
    """A created account and its temporary password, for the page that shows it once."""

    user: User
    password: str


def template_csv() -> str:
    """An example file with the headings, for admins to fill in."""
    out = io.StringIO()
    csv.writer(out).writerows(TEMPLATE_ROWS)
    return out.getvalue()


def _decode(data: bytes) -> str | Problem:
    if not data.strip():
        return Problem(
            "The file is empty. Put the headings on the first row, then one row for each user."
        )
    if len(data) > MAX_BYTES:
        return Problem(
            f"The file is larger than {MAX_BYTES // 2**20} MB. Split it and import each part."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Problem(
            "The file is not UTF-8 text. In Excel choose Save As, “CSV UTF-8 (comma "
            "delimited)”; in other spreadsheets choose CSV with the UTF-8 character set."
        )


def _delimiter(text: str) -> str:
    """Commas, unless the headings have none but tabs or semicolons: a spreadsheet saved as
    tab-separated text, or as CSV where the comma is the decimal mark."""
    first = text.split("\n", 1)[0]
    if "," not in first:
        for other in ("\t", ";"):
            if other in first:
                return other
    return ","


def _headings(raw: list[str]) -> tuple[dict[int, str], list[Problem]]:
    """Map column positions to known headings; unknown, repeated or missing ones are
    problems."""
    known: dict[int, str] = {}
    problems: list[Problem] = []
    for position, heading in enumerate(raw):
        key = "_".join(heading.strip().lower().replace("-", " ").split())
        if not key:
            continue
        name = HEADING_ALIASES.get(key)
        if name is None:
            problems.append(
                Problem(
                    f"Unknown heading “{heading.strip()[:60]}”. The headings are: "
                    + ", ".join(COLUMNS)
                    + ".",
                    row=1,
                )
            )
        elif name in known.values():
            problems.append(Problem(f"The heading {name} appears twice.", row=1, column=name))
        else:
            known[position] = name
    for name in REQUIRED:
        if name not in known.values():
            problems.append(Problem(f"The file has no {name} column.", row=1, column=name))
    return known, problems


def _email_problem(email: str) -> str | None:
    if len(email) > 254:
        return "An email address has at most 254 characters."
    try:
        validate_email(email, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        why = str(exc).rstrip(".")
        return f"“{email[:80]}” is not an email address: {why[:1].lower()}{why[1:]}."
    return None


def _text_problem(value: str, *, most: int) -> str | None:
    if without_control_characters(value) != value:
        return "Remove the invisible control character from this cell."
    if len(value) > most:
        return f"Use at most {most} characters."
    return None


def _cohort_finder(centre: Centre):
    """Find a cohort of the centre by name: exactly, else ignoring case when that is unique."""
    cohorts = db.session.scalars(sa.select(Cohort).where(Cohort.centre_id == centre.id)).all()
    exact = {c.name: c for c in cohorts}
    folded: dict[str, list[Cohort]] = {}
    for c in cohorts:
        folded.setdefault(c.name.casefold(), []).append(c)

    def find(name: str) -> Cohort | None:
        if name in exact:
            return exact[name]
        matches = folded.get(name.casefold(), [])
        return matches[0] if len(matches) == 1 else None

    return find


def _check_row(number: int, cells: dict[str, str], *, find_cohort, seen: dict[str, int]):
    """Check one row on its own (the database is asked later, for all rows at once); `seen`
    gathers the emails of the rows before it. Returns the person and the row's problems."""
    problems: list[Problem] = []

    def refuse(message: str, column: str) -> None:
        problems.append(Problem(message, number, column))

    full_name = cells["full_name"]
    if not full_name:
        refuse("The name is missing.", "full_name")
    elif why := _text_problem(full_name, most=120):
        refuse(why, "full_name")
    # An email that is wrong is left out (""), so that the checks against the centre, made
    # for every row, pass over it.
    email = normalise_email(cells["email"])
    if not email:
        refuse("The email address is missing.", "email")
    elif why := _email_problem(email):
        refuse(why, "email")
        email = ""
    elif email in seen:
        refuse(f"{email} is also on row {seen[email]}.", "email")
        email = ""
    else:
        seen[email] = number
    role = ROLE_WORDS.get(cells.get("role", "").lower() or "learner")
    if role is None:
        refuse(
            f"“{cells['role'][:40]}” is not a role here: use learner, assessor, iqa or "
            "centre admin.",
            "role",
        )
        role = Role.LEARNER
    person = Person(row=number, full_name=full_name, email=email, role=role)
    for column in ("assessor_email", "iqa_email"):
        value = normalise_email(cells.get(column, ""))
        if value and role != Role.LEARNER:
            refuse("Only learners have an assessor and an IQA: leave this empty.", column)
        elif value and (why := _email_problem(value)):
            refuse(why, column)
        else:
            setattr(person, column, value)
    cohort_name = cells.get("cohort", "")
    if cohort_name and role != Role.LEARNER:
        refuse("Only learners join cohorts: leave this empty.", "cohort")
    elif cohort_name:
        person.cohort = find_cohort(cohort_name)
        if person.cohort is None:
            refuse(
                f"This centre has no cohort called “{cohort_name[:80]}”. Create it on the "
                "Cohorts page first, or correct the name.",
                "cohort",
            )
    return person, problems


def check_file(data: bytes, *, centre: Centre) -> Checked:
    """Read and check a CSV file of users for `centre`. Nothing is written."""
    checked = Checked()
    text = _decode(data)
    if isinstance(text, Problem):
        checked.problems.append(text)
        return checked
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as exc:
        checked.problems.append(Problem(f"The file is not a readable CSV file: {exc}."))
        return checked
    if not rows:
        checked.problems.append(Problem("The file is empty."))
        return checked
    columns, checked.problems = _headings(rows[0])
    if checked.problems:
        return checked
    body = [
        (number, row) for number, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)
    ]
    if not body:
        checked.problems.append(Problem("The file has headings but no users below them."))
        return checked
    if len(body) > MAX_ROWS:
        checked.problems.append(
            Problem(f"The file has {len(body):,} users; import at most {MAX_ROWS:,} at a time.")
        )
        return checked

    find_cohort = _cohort_finder(centre)
    seen: dict[str, int] = {}
    for number, row in body:
        if len(row) > len(rows[0]):
            checked.problems.append(
                Problem("This row has more cells than there are headings.", number)
            )
            continue
        cells = {name: (row[i].strip() if i < len(row) else "") for i, name in columns.items()}
        person, problems = _check_row(number, cells, find_cohort=find_cohort, seen=seen)
        checked.problems += problems
        checked.people.append(person)

    _check_against_the_centre(checked, centre)
    if checked.problems:
        checked.problems.sort(
            key=lambda p: (p.row or 0, COLUMNS.index(p.column) if p.column in COLUMNS else -1)
        )
    return checked


def _check_against_the_centre(checked: Checked, centre: Centre) -> None:
    """Emails already in use, and assessors and IQAs named who are neither active staff of
    the centre in that role nor in the file with it. Two statements, whatever the size."""
    emails = {p.email for p in checked.people if p.email}
    staff_emails = {e for p in checked.people for e in (p.assessor_email, p.iqa_email) if e}
    taken = (
        set(db.session.scalars(sa.select(User.email).where(User.email.in_(sorted(emails)))))
        if emails
        else set()
    )
    staff = {}
    if staff_emails:
        staff = {
            row.email: row
            for row in db.session.execute(
                sa.select(User.email, User.centre_id, User.role, User.active).where(
                    User.email.in_(sorted(staff_emails))
                )
            )
        }
    in_file = {p.email: p.role for p in checked.people if p.email}
    for person in checked.people:
        if person.email in taken:
            checked.problems.append(
                Problem(f"An account with {person.email} already exists.", person.row, "email")
            )
        for column, needed in (("assessor_email", Role.ASSESSOR), ("iqa_email", Role.IQA)):
            email = getattr(person, column)
            if not email:
                continue
            found = staff.get(email)
            if in_file.get(email) == needed and email not in taken:
                continue
            if found and found.centre_id == centre.id and found.role == needed and found.active:
                continue
            job = needed.in_prose
            checked.problems.append(
                Problem(
                    f"{email} is neither an active {job} of this centre nor an {job} "
                    "elsewhere in this file.",
                    person.row,
                    column,
                )
            )


def import_people(checked: Checked, *, centre: Centre) -> list[Issued]:
    """Create the checked people as users of `centre`, staff first so that learners can be
    allocated to staff created by the same file, and add learners to their cohorts. Flushes;
    the caller commits. Returns each account with its temporary password."""
    if not checked.ok:
        raise ValueError("Only a file checked without problems can be imported.")
    order = sorted(checked.people, key=lambda p: (p.role == Role.LEARNER, p.row))
    issued: list[Issued] = []
    by_email: dict[str, User] = {}
    for person in order:
        password = temporary_password()
        user = User(
            email=person.email,
            full_name=person.full_name,
            role=person.role,
            centre=centre,
            password_hash=hash_issued_password(password),
            must_change_password=True,
            active=True,
        )
        db.session.add(user)
        by_email[person.email] = user
        issued.append(Issued(user, password))
    db.session.flush()

    named = {e for p in checked.people for e in (p.assessor_email, p.iqa_email) if e}
    existing = {e for e in named if e not in by_email}
    if existing:
        by_email.update(
            (u.email, u)
            for u in db.session.scalars(
                sa.select(User).where(User.centre_id == centre.id, User.email.in_(sorted(existing)))
            )
        )
    memberships = []
    for person in checked.people:
        user = by_email[person.email]
        if person.assessor_email:
            user.assessor_id = by_email[person.assessor_email].id
        if person.iqa_email:
            user.iqa_id = by_email[person.iqa_email].id
        if person.cohort is not None:
            memberships.append({"cohort_id": person.cohort.id, "user_id": user.id})
    if memberships:
        db.session.execute(sa.insert(cohort_members), memberships)
        joined: dict[int, list[int]] = {}
        for row in memberships:
            joined.setdefault(row["cohort_id"], []).append(row["user_id"])
        for cohort_id, user_ids in joined.items():
            follow_cohort_changes(cohort_id, joined=user_ids, left=[])
    db.session.flush()
    row_of = {p.email: p.row for p in checked.people}
    issued.sort(key=lambda i: row_of[i.user.email])
    return issued
