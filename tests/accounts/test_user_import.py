"""Importing users from a CSV file: the checks (every problem, with its row and column, and
nothing created), the import itself, the page, and signing in with an issued password."""

import io
import re

import pytest
import sqlalchemy as sa

from portfolio.accounts import services, user_import
from portfolio.accounts.models import User, cohort_members
from portfolio.auth.passwords import ISSUED_PREFIX, verify_password
from portfolio.extensions import db
from portfolio.roles import Role
from tests.conftest import login

HEADINGS = "full_name,email,role,assessor_email,iqa_email,cohort\n"


def check(world, text: str | bytes) -> user_import.Checked:
    data = text.encode() if isinstance(text, str) else text
    return user_import.check_file(data, centre=world.centre)


def problems(checked) -> list[tuple]:
    return [(p.row, p.column) for p in checked.problems]


def user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)))


def test_a_good_file_creates_staff_and_learners_allocated_and_in_their_cohort(world):
    checked = check(
        world,
        "Full Name,Email Address,Role,Assessor,IQA,Cohort\n"
        "Ada Lovelace,ADA@alpha.test,,assessor@alpha.test,iqa@alpha.test,Alpha cohort\n"
        "Ben New,ben@alpha.test,learner,sam@alpha.test,,alpha COHORT\n"
        "Sam Staff,sam@alpha.test,Assessor,,,\n"
        "Ivy Admin,ivy@alpha.test,centre admin,,,\n",
    )
    assert checked.ok, checked.problems
    issued = user_import.import_people(checked, centre=world.centre)
    db.session.commit()

    assert [i.user.email for i in issued] == [
        "ada@alpha.test",
        "ben@alpha.test",
        "sam@alpha.test",
        "ivy@alpha.test",
    ]
    by_email = {i.user.email: i for i in issued}
    ada, ben, sam = (
        by_email[e].user for e in ("ada@alpha.test", "ben@alpha.test", "sam@alpha.test")
    )
    assert ada.assessor_id == world.assessor.id and ada.iqa_id == world.iqa.id
    assert ben.assessor_id == sam.id and ben.iqa_id is None
    assert sam.role == Role.ASSESSOR and by_email["ivy@alpha.test"].user.role == Role.CENTRE_ADMIN
    members = set(
        db.session.scalars(
            sa.select(cohort_members.c.user_id).where(cohort_members.c.cohort_id == world.cohort.id)
        )
    )
    assert {ada.id, ben.id} <= members and sam.id not in members
    for item in issued:
        assert item.user.centre_id == world.centre.id and item.user.must_change_password
        assert item.user.password_hash.startswith(ISSUED_PREFIX)
        assert verify_password(item.user.password_hash, item.password)
        assert not verify_password(item.user.password_hash, item.password + "x")
    # Each password is its own.
    assert len({i.password for i in issued}) == len(issued)


def test_every_problem_is_reported_with_its_row_and_column(world, make_user):
    make_user(Role.ASSESSOR, world.centre, email="gone@alpha.test").active = False
    checked = check(
        world,
        HEADINGS
        + "Ok Person,ok@alpha.test,,,,\n"  # row 2: fine
        + ",nameless@alpha.test,,,,\n"  # 3
        + "Bad Email,not-an-email,,,,\n"  # 4
        + "Taken,learner@alpha.test,,,,\n"  # 5
        + "Twice,ok@alpha.test,,,,\n"  # 6
        + "Wizard,wiz@alpha.test,wizard,,,\n"  # 7
        + "Site,site@alpha.test,site_admin,,,\n"  # 8
        + "Staff With Cohort,st@alpha.test,assessor,assessor@alpha.test,,Alpha cohort\n"  # 9
        + "No Cohort,nc@alpha.test,,,,Nowhere\n"  # 10
        + "Other Centre,oc@alpha.test,,assessor@beta.test,,\n"  # 11
        + "Inactive,in@alpha.test,,gone@alpha.test,,\n"  # 12
        + "Wrong Role,wr@alpha.test,,iqa@alpha.test,assessor@alpha.test,\n"  # 13
        + "Ctrl\x07Name,ctrl@alpha.test,,,,\n"  # 14
        + "Too,many@alpha.test,,,,,extra\n",  # 15
    )
    assert not checked.ok
    assert problems(checked) == [
        (3, "full_name"),
        (4, "email"),
        (5, "email"),
        (6, "email"),
        (7, "role"),
        (8, "role"),
        (9, "assessor_email"),
        (9, "cohort"),
        (10, "cohort"),
        (11, "assessor_email"),
        (12, "assessor_email"),
        (13, "assessor_email"),
        (13, "iqa_email"),
        (14, "full_name"),
        (15, None),
    ]
    messages = {(p.row, p.column): p.message for p in checked.problems}
    assert "also on row 2" in messages[(6, "email")]
    assert "already exists" in messages[(5, "email")]
    assert "no cohort called “Nowhere”" in messages[(10, "cohort")]
    assert "neither an active assessor of this centre" in messages[(11, "assessor_email")]
    with pytest.raises(ValueError):
        user_import.import_people(checked, centre=world.centre)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "The file is empty"),
        (b"   \n", "The file is empty"),
        (HEADINGS.encode(), "no users below them"),
        (b"full_name,email,favourite_colour\nA,a@alpha.test,red\n", "Unknown heading"),
        (b"full_name,role\nA,learner\n", "no email column"),
        (b"email,email,full_name\n", "appears twice"),
        ("full_name,email\nZo\u00eb,zoe@alpha.test\n".encode("latin-1"), "not UTF-8"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe", "not UTF-8"),
        (b"full_name,email\n" + b"x" * (user_import.MAX_BYTES + 1), "larger than 1 MB"),
    ],
)
def test_a_file_that_is_not_a_list_of_users_says_why(world, data, words):
    checked = check(world, data)
    assert not checked.ok
    assert any(words in p.message for p in checked.problems), checked.problems


def test_too_many_rows_are_refused(world, monkeypatch):
    monkeypatch.setattr(user_import, "MAX_ROWS", 3)
    rows = "".join(f"P{n},p{n}@alpha.test,,,,\n" for n in range(4))
    checked = check(world, HEADINGS + rows)
    assert [p.message for p in checked.problems] == [
        "The file has 4 users; import at most 3 at a time."
    ]


def test_excel_files_with_a_byte_order_mark_and_blank_lines_read(world):
    data = b"\xef\xbb\xbf" + ("full_name,email\r\nZo\u00eb Ng,zoe@alpha.test\r\n,\r\n\r\n").encode()
    checked = check(world, data)
    assert checked.ok and [p.full_name for p in checked.people] == ["Zo\u00eb Ng"]


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_tab_or_semicolon_separated_files_read(world, delimiter):
    data = delimiter.join(["full_name", "email", "cohort"]) + "\n"
    data += delimiter.join(["Smith, Jo", "jo@alpha.test", "Alpha cohort"]) + "\n"
    checked = check(world, data)
    assert checked.ok, checked.problems
    assert [(p.full_name, p.cohort.name) for p in checked.people] == [("Smith, Jo", "Alpha cohort")]


def test_an_assessor_named_in_the_file_with_another_role_is_refused(world):
    checked = check(
        world,
        HEADINGS + "Lee,lee@alpha.test,,pat@alpha.test,,\nPat,pat@alpha.test,iqa,,,\n",
    )
    assert problems(checked) == [(2, "assessor_email")]


# The pages


def upload(client, data: bytes, name: str = "intake.csv"):
    return client.post(
        "/centre/users/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_admin_imports_a_file_and_sees_each_password_once(client, world):
    login(client, world.admin)
    page = client.get("/centre/users")
    assert 'href="/centre/users/import"' in page.text
    form = client.get("/centre/users/import")
    assert "Download an example file" in form.text
    response = upload(
        client, (HEADINGS + "Dana Scott,dana@alpha.test,,assessor@alpha.test,,\n").encode()
    )
    assert response.status_code == 200 and "1 user imported" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    password = re.search(
        r"<code class=\"password\">([0-9a-f]{6}-[0-9a-f]{6}-[0-9a-f]{6})</code>", response.text
    )[1]
    dana = db.session.scalar(sa.select(User).where(User.email == "dana@alpha.test"))
    assert dana.centre_id == world.centre.id and dana.assessor_id == world.assessor.id
    assert password not in client.get("/centre/users").text

    # Dana signs in with it, must choose her own password, and then has an argon2 hash.
    client.post("/auth/logout")
    signed_in = client.post("/auth/login", data={"email": "dana@alpha.test", "password": password})
    assert signed_in.status_code == 302
    assert client.get("/dashboard").headers["Location"].endswith("/auth/password")
    changed = client.post(
        "/auth/password",
        data={
            "current_password": password,
            "new_password": "a long new phrase of mine",
            "confirm": "a long new phrase of mine",
        },
    )
    assert changed.status_code == 302, changed.text
    db.session.refresh(dana)
    assert not dana.must_change_password
    assert dana.password_hash.startswith("$argon2id$")


def test_a_file_with_problems_lists_them_and_creates_nobody(client, world):
    login(client, world.admin)
    before = user_count()
    response = upload(
        client,
        (HEADINGS + "Fine,fine@alpha.test,,,,\nTaken,learner@alpha.test,,,,\n").encode(),
        name="<b>intake</b>.csv",
    )
    assert response.status_code == 200
    assert "has 1 problem. Nobody was created." in response.text
    assert "Row 3, <strong>email</strong>: An account with learner@alpha.test" in response.text
    assert "&lt;b&gt;intake&lt;/b&gt;.csv" in response.text
    assert user_count() == before


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"full_name,email\nA,a@alpha.test\n", "users.xlsx", "Choose a .csv file"),
        (None, None, "Choose a CSV file to import"),
    ],
)
def test_a_wrong_or_missing_file_is_refused(client, world, data, name, words):
    login(client, world.admin)
    before = user_count()
    if data is None:
        response = client.post("/centre/users/import", data={}, content_type="multipart/form-data")
    else:
        response = upload(client, data, name)
    assert response.status_code == 200 and words in response.text
    assert user_count() == before


def test_the_example_file_imports_as_it_is_once_its_cohort_exists(client, world):
    login(client, world.admin)
    example = client.get("/centre/users/import/example.csv")
    assert example.mimetype == "text/csv"
    assert "attachment" in example.headers["Content-Disposition"]
    assert example.text.splitlines()[0] == ",".join(user_import.COLUMNS)
    services.create_cohort(centre=world.centre, name="Spring")
    db.session.commit()
    response = upload(client, example.data)
    assert "2 users imported" in response.text


def test_only_the_admins_own_centre_is_used(client, world):
    """Another centre's admin cannot allocate our staff or join our cohort by naming them."""
    login(client, world.other_admin)
    before = user_count()
    response = upload(
        client,
        (
            HEADINGS + "Mal,mal@beta.test,,assessor@alpha.test,iqa@alpha.test,Alpha cohort\n"
        ).encode(),
    )
    assert "has 3 problems" in response.text
    assert user_count() == before


def test_checking_an_issued_password_takes_as_long_as_any_other(app, monkeypatch):
    """A quick hash must not make the sign-in quicker: that would tell an attacker which
    accounts still hold an issued password."""
    from portfolio.auth import passwords

    spent = []
    monkeypatch.setattr(passwords, "_spend_a_check", lambda hasher, password: spent.append(1))
    issued = passwords.hash_issued_password("abc123-def456-0a1b2c")
    assert passwords.verify_password(issued, "abc123-def456-0a1b2c")
    assert not passwords.verify_password(issued, "wrong")
    assert len(spent) == 2
