"""Centre administration pages: create, edit, deactivate, allocate, cohorts."""

import html
import re

import pytest
import sqlalchemy as sa

from portfolio.accounts.models import Cohort, User
from portfolio.auth.passwords import verify_password
from portfolio.extensions import db
from portfolio.roles import Role
from tests.conftest import login


def test_admin_creates_a_learner_and_sees_the_temporary_password_once(client, world):
    login(client, world.admin)
    response = client.post(
        "/centre/users/new",
        data={
            "full_name": "Dana Scott",
            "email": "dana@alpha.test",
            "role": "learner",
            "assessor": world.assessor.id,
            "iqa": world.iqa.id,
        },
    )
    assert response.status_code == 200
    password = re.search(r'id="temporary-password">([^<]+)<', response.text).group(1)
    user = db.session.scalar(sa.select(User).where(User.email == "dana@alpha.test"))
    assert user.centre_id == world.centre.id and user.must_change_password
    assert user.assessor_id == world.assessor.id and user.iqa_id == world.iqa.id
    assert verify_password(user.password_hash, password)
    assert password not in client.get("/centre/users").text
    # Shown once means the browser keeps no copy (Back/Forward, cache) either.
    assert response.headers["Cache-Control"] == "no-store"


def test_taken_email_and_bad_input_change_nothing(client, world):
    login(client, world.admin)
    before = db.session.scalar(sa.select(sa.func.count(User.id)))
    taken = client.post(
        "/centre/users/new",
        data={"full_name": "Dup", "email": "learner@alpha.test", "role": "learner"},
    )
    assert "already exists" in taken.text and "There is a problem" in taken.text
    bad = client.post(
        "/centre/users/new", data={"full_name": "", "email": "not-an-email", "role": "wizard"}
    )
    assert bad.status_code == 200 and "There is a problem" in bad.text
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (
            "/centre/users/new",
            {"full_name": "Nul\x00Name", "email": "n@alpha.test", "role": "learner"},
        ),
        ("/centre/cohorts/new", {"name": "\x00"}),
        ("/centre/cohorts/new", {"name": "Evening", "description": "Esc\x1b[31m"}),
    ],
)
def test_control_characters_in_names_are_refused_and_change_nothing(client, world, url, data):
    """A NUL is stored by SQLite but refused by PostgreSQL (a server error) and breaks the
    PDF; pasted text can carry one."""
    login(client, world.admin)
    users = db.session.scalar(sa.select(sa.func.count(User.id)))
    cohorts = db.session.scalar(sa.select(sa.func.count(Cohort.id)))
    response = client.post(url, data=data)
    assert response.status_code == 200 and "Remove the invisible control character" in response.text
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == users
    assert db.session.scalar(sa.select(sa.func.count(Cohort.id))) == cohorts


def test_a_multi_line_description_keeps_its_line_breaks(client, world):
    login(client, world.admin)
    data = {"name": "Evening", "description": "Line one\r\nLine two\tend"}
    assert client.post("/centre/cohorts/new", data=data).status_code == 302


def test_a_search_with_control_characters_is_filtered_not_failed(client, world):
    login(client, world.admin)
    page = client.get("/centre/users?q=peer%00")
    assert page.status_code == 200 and world.peer.email in page.text
    assert client.get(f"/centre/cohorts/{world.cohort.id}?show=all&q=%00").status_code == 200


def test_admin_cannot_allocate_another_centres_assessor(client, world):
    login(client, world.admin)
    response = client.post(
        f"/centre/users/{world.peer.id}/edit",
        data={
            "full_name": world.peer.full_name,
            "email": world.peer.email,
            "role": "learner",
            "assessor": world.other_assessor.id,
            "iqa": 0,
        },
    )
    assert response.status_code == 200 and "Not a valid choice" not in response.text
    assert "the one chosen is not an active assessor of this centre" in response.text
    db.session.refresh(world.peer)
    assert world.peer.assessor_id is None


@pytest.mark.parametrize(
    ("field", "raw", "message"),
    [
        ("assessor", "abc", "not an active assessor of this centre"),
        ("iqa", "9" * 30, "not an active IQA of this centre"),
        ("role", "site_admin", "Choose a role from the list."),
    ],
)
def test_a_tampered_user_form_gets_a_plain_message_and_changes_nothing(
    client, world, field, raw, message
):
    login(client, world.admin)
    data = {"full_name": "Changed", "email": world.peer.email, "role": "learner"}
    data |= {"assessor": 0, "iqa": 0, field: raw}
    response = client.post(f"/centre/users/{world.peer.id}/edit", data=data)
    assert response.status_code == 200 and message in response.text
    assert "coerce" not in response.text and "Not a valid choice" not in response.text
    db.session.refresh(world.peer)
    assert world.peer.full_name != "Changed" and world.peer.role == Role.LEARNER


def test_deactivate_and_reactivate(client, world):
    login(client, world.admin)
    client.post(f"/centre/users/{world.learner.id}/active", data={"active": "0"})
    db.session.refresh(world.learner)
    assert not world.learner.active
    client.post(f"/centre/users/{world.learner.id}/active", data={"active": "1"})
    db.session.refresh(world.learner)
    assert world.learner.active


def test_a_second_deactivation_click_does_not_reactivate(client, world):
    """The form says what it wants: a double click, or a stale page in another tab, used to
    flip the account back. A post naming no state changes nothing."""
    login(client, world.admin)
    url = f"/centre/users/{world.learner.id}/active"
    edit = client.get(f"/centre/users/{world.learner.id}/edit").text
    assert 'name="active" value="0"' in edit
    client.post(url, data={"active": "0"})
    again = client.post(url, data={"active": "0"}, follow_redirects=True)
    assert "already deactivated: nothing was changed" in again.text
    bare = client.post(url, follow_redirects=True)
    assert "Nothing was changed: use the Deactivate or Reactivate button" in bare.text
    db.session.refresh(world.learner)
    assert not world.learner.active


def test_other_centre_ids_are_not_found_and_nothing_changes(client, world):
    login(client, world.other_admin)
    assert client.post(f"/centre/users/{world.learner.id}/active").status_code == 404
    response = client.post(
        f"/centre/users/{world.learner.id}/edit",
        data={"full_name": "Hijacked", "email": "x@x.test", "role": "assessor"},
    )
    assert response.status_code == 404
    db.session.refresh(world.learner)
    assert world.learner.full_name != "Hijacked" and world.learner.active


def test_user_list_filters_and_is_paginated_with_constant_queries(
    client, world, make_user, count_queries
):
    login(client, world.admin)
    assert "peer@alpha.test" in client.get("/centre/users?q=peer").text
    assert "assessor@alpha.test" not in client.get("/centre/users?q=peer").text
    with count_queries() as few:
        client.get("/centre/users")
    for _ in range(60):
        make_user(centre=world.centre, assessor=world.assessor, iqa=world.iqa)
    db.session.commit()
    with count_queries() as many:
        page = client.get("/centre/users")
    assert "Page 1 of 2" in page.text
    assert len(many) == len(few)
    out_of_range = client.get("/centre/users?page=99")
    assert "There is no page 99" in out_of_range.text
    assert client.get("/centre/users?page=abc").status_code == 200


def test_the_cohort_list_says_how_many_members_are_deactivated(client, world):
    """The live board and dashboard count active learners only; the list's larger number
    says why."""
    world.peer.active = False
    db.session.commit()
    login(client, world.admin)
    page = client.get("/centre/cohorts").text
    assert '<td class="num">2 <span class="hint">(1 deactivated)</span></td>' in page
    members = client.get(f"/centre/cohorts/{world.cohort.id}").text
    assert f"{world.peer.full_name} ({world.peer.email}), deactivated" in members
    assert f"{world.learner.full_name} ({world.learner.email})<" in members


def test_the_members_page_does_not_load_every_member(client, world, count_queries):
    """The form was built from the cohort object, which read cohort.members: every member
    loaded as an object (the bench's 75-learner cohort made the page 60% slower) for a field
    the picker fills from one page of rows. Only the signed-in user is loaded whole."""
    login(client, world.admin)
    with count_queries() as queries:
        page = client.get(f"/centre/cohorts/{world.cohort.id}")
    assert page.status_code == 200 and 'value="Alpha cohort"' in page.text
    assert f'value="{world.learner.id}" checked' in page.text
    assert sum("users.password_hash" in sql for sql in queries) == 1


def test_cohort_create_and_edit(client, world):
    login(client, world.admin)
    response = client.post(
        "/centre/cohorts/new",
        data={"name": "Spring 2027", "description": "Evening group", "members": [world.peer.id]},
    )
    assert response.status_code == 302
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == "Spring 2027"))
    assert [m.id for m in cohort.members] == [world.peer.id]
    refused = client.post(
        f"/centre/cohorts/{cohort.id}",
        data={"name": "Spring 2027", "members": [world.other_learner.id]},
    )
    assert refused.status_code == 200 and "not a valid choice" not in refused.text
    assert "not a learner of this centre" in refused.text and "Nothing was changed" in refused.text
    assert [m.id for m in cohort.members] == [world.peer.id]
    duplicate = client.post("/centre/cohorts/new", data={"name": "Alpha cohort"})
    assert "already has a cohort" in duplicate.text


@pytest.mark.parametrize("extra", ["cohort_id=5", "_scheme=javascript&_external=1"])
def test_a_stray_name_in_the_query_string_does_not_break_saving_a_cohort(client, world, extra):
    """Saving returns to the same view of the picker (show, q, page); another name in the
    address (a hand-edited or pasted link) is dropped, not a 500 or a redirect elsewhere."""
    login(client, world.admin)
    url = f"/centre/cohorts/{world.cohort.id}"
    response = client.post(f"{url}?show=all&q=peer&{extra}", data={"name": "Renamed cohort"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{url}?show=all&q=peer"
    assert db.session.get(Cohort, world.cohort.id).name == "Renamed cohort"


@pytest.mark.parametrize("raw", ["²", "9" * 30, "1" * 5000, "-1"])
def test_a_tampered_member_id_changes_nothing(client, world, raw):
    """Posted learner IDs that are not IDs (a digit int() refuses, one beyond the databases'
    integers) are refused as a choice, never a failure."""
    login(client, world.admin)
    for url in ("/centre/cohorts/new", f"/centre/cohorts/{world.cohort.id}"):
        response = client.post(url, data={"name": "Tampered", "members": [raw], "shown": [raw]})
        assert response.status_code == 200 and "There is a problem" in response.text
        assert "Learners in this cohort: " in response.text
        assert "not a learner of this centre" in response.text
        assert "coerced" not in response.text and "not a valid choice" not in response.text
    assert db.session.scalar(sa.select(sa.func.count(Cohort.id))) == 1
    assert {m.id for m in world.cohort.members} == {world.learner.id, world.peer.id}


def test_site_admin_creates_a_centre_with_its_first_admin(client, world):
    login(client, world.site_admin)
    response = client.post(
        "/site/centres/new",
        data={"name": "Gamma College", "admin_name": "Gail Admin", "admin_email": "gail@g.test"},
    )
    assert response.status_code == 200 and "temporary-password" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    gail = db.session.scalar(sa.select(User).where(User.email == "gail@g.test"))
    assert gail.centre.name == "Gamma College" and gail.must_change_password
    again = client.post(
        "/site/centres/new",
        data={"name": "gamma college", "admin_name": "X", "admin_email": "x@g.test"},
    )
    assert "already exists" in again.text


def test_site_admin_adds_an_admin_to_a_centre_that_lost_its_own(client, world):
    world.admin.active = False  # the centre's only admin has left
    db.session.commit()
    login(client, world.site_admin)
    listing = client.get("/site/centres").text
    assert f"/site/centres/{world.centre.id}/admins/new" in listing
    form = client.get(f"/site/centres/{world.centre.id}/admins/new").text
    assert world.admin.full_name in form and "deactivated" in form
    taken = client.post(
        f"/site/centres/{world.centre.id}/admins/new",
        data={"admin_name": "Dup", "admin_email": world.learner.email},
    )
    assert taken.status_code == 200 and "already" in taken.text
    response = client.post(
        f"/site/centres/{world.centre.id}/admins/new",
        data={"admin_name": "Nia Admin", "admin_email": "nia@alpha.test"},
    )
    assert response.status_code == 200 and "temporary-password" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    nia = db.session.scalar(sa.select(User).where(User.email == "nia@alpha.test"))
    assert nia.centre_id == world.centre.id and nia.role == Role.CENTRE_ADMIN
    assert nia.must_change_password
    assert client.get("/site/centres/999999/admins/new").status_code == 404


def test_a_reissued_temporary_password_is_not_kept_by_the_browser(client, world):
    login(client, world.admin)
    response = client.post(f"/centre/users/{world.peer.id}/password")
    assert response.status_code == 200 and "temporary-password" in response.text
    assert response.headers["Cache-Control"] == "no-store"


def test_role_change_of_an_assessor_with_learners_is_refused_with_the_count(client, world):
    login(client, world.admin)
    response = client.post(
        f"/centre/users/{world.assessor.id}/edit",
        data={
            "full_name": world.assessor.full_name,
            "email": world.assessor.email,
            "role": "learner",
            "assessor": 0,
            "iqa": 0,
        },
    )
    assert response.status_code == 200
    assert "still the assessor of 1 learner" in response.text
    db.session.refresh(world.assessor)
    assert world.assessor.role == Role.ASSESSOR
    response = client.post(
        f"/centre/users/{world.assessor.id}/active", data={"active": "0"}, follow_redirects=True
    )
    assert "still the assessor of 1 learner" in response.text
    db.session.refresh(world.assessor)
    assert world.assessor.active


def test_deactivating_and_issuing_a_password_ask_for_confirmation(client, world):
    login(client, world.admin)
    page = client.get(f"/centre/users/{world.learner.id}/edit").text
    assert re.search(r'data-confirm="Deactivate [^"]+account\?', page)
    assert re.search(r'data-confirm="Issue [^"]+temporary password\?', page)
    assert "<script>" not in page


def test_the_dashboard_cards_count_in_good_english(client, world):
    """One assessor, IQA or cohort is singular; and every staff count says it is of active
    accounts, as the learners' does (a deactivated assessor is not counted)."""
    login(client, world.admin)
    page = " ".join(client.get("/dashboard").text.split())
    for label in ("active assessor", "active IQA", "cohort"):
        assert f'<p class="big">1</p><p>{label}</p>' in page
    assert '<p class="big">2</p><p>active learners</p>' in page


def test_the_dashboards_allocate_link_lists_just_the_learners_lacking_allocation(client, world):
    """world.peer lacks both; world.learner has both. In a centre of thousands the admin must
    not page through every learner to find the few the dashboard counts: the link opens the
    allocation page on just those, and the users list filters the same way."""
    login(client, world.admin)
    dashboard = client.get("/dashboard").text
    assert 'href="/centre/allocation?lacking=1">Allocate them</a>' in dashboard
    allocating = client.get("/centre/allocation?lacking=1").text
    assert "Learners, 1 found" in allocating and world.peer.email in allocating
    assert world.learner.email not in allocating
    page = client.get("/centre/users?unallocated=1").text
    assert world.peer.email in page and world.learner.email not in page
    assert world.assessor.email not in page and world.admin.email not in page
    assert 'id="unallocated" name="unallocated" type="checkbox" value="1" checked' in page
    assert world.learner.email in client.get("/centre/users").text


def test_the_dashboard_says_how_many_learners_lack_allocation_in_good_english(client, world):
    login(client, world.admin)
    assert "1 learner still lacks an assessor or an IQA." in client.get("/dashboard").text
    world.learner.assessor = None
    login(client, world.admin)
    assert "2 learners still lack an assessor or an IQA." in client.get("/dashboard").text


def test_an_admin_moves_an_assessors_learners_then_changes_the_role(client, world, make_user):
    other = make_user(Role.ASSESSOR, world.centre, full_name="Other Assessor")
    world.peer.assessor = world.assessor
    login(client, world.admin)
    page = client.get(f"/centre/users/{world.assessor.id}/edit").text
    assert "is the assessor of 2 learners" in page and "Move the learners" in page
    # Not another centre's assessor, nor the same one.
    for bad in (world.other_assessor.id, world.assessor.id, 0):
        client.post(f"/centre/users/{world.assessor.id}/move-learners", data={"to": bad})
        db.session.refresh(world.learner)
        assert world.learner.assessor_id == world.assessor.id
    response = client.post(
        f"/centre/users/{world.assessor.id}/move-learners",
        data={"to": other.id},
        follow_redirects=True,
    )
    assert "Moved 2 learners from" in response.text
    for learner in (world.learner, world.peer):
        db.session.refresh(learner)
        assert learner.assessor_id == other.id and learner.iqa_id in (world.iqa.id, None)
    client.post(
        f"/centre/users/{world.assessor.id}/edit",
        data={
            "full_name": world.assessor.full_name,
            "email": world.assessor.email,
            "role": "iqa",
            "assessor": 0,
            "iqa": 0,
        },
    )
    db.session.refresh(world.assessor)
    assert world.assessor.role == Role.IQA


def test_an_empty_cohort_says_where_to_find_learners_to_add(client, world):
    """A new cohort's page lists its members by default: with none, it said only "No learners
    match", leaving the admin to work out the List menu; it now links the lists to add from."""
    login(client, world.admin)
    response = client.post("/centre/cohorts/new", data={"name": "Evening"})
    page = client.get(response.headers["Location"]).text
    assert "No learners in this cohort yet." in page
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == "Evening"))
    assert f'href="/centre/cohorts/{cohort.id}?show=unassigned"' in page
    assert f'href="/centre/cohorts/{cohort.id}?show=all"' in page
    found = client.get(f"/centre/cohorts/{cohort.id}?show=members&q=nobody").text
    assert "No learners match." in found and "No learners in this cohort yet." not in found


def test_a_cohort_posted_without_a_description_is_created(client, world):
    """A post that leaves out the description field (a script, a trimmed form) was a 500."""
    login(client, world.admin)
    response = client.post("/centre/cohorts/new", data={"name": "Night"})
    assert response.status_code == 302
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == "Night"))
    assert cohort.description == ""


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("  ", "Enter a name for the cohort, such as “Spring 2027”."),
        ("x" * 121, "Keep the cohort&#39;s name to 120 characters or fewer."),
    ],
)
def test_a_blank_or_long_cohort_name_says_what_to_do(client, world, name, message):
    login(client, world.admin)
    for url in ("/centre/cohorts/new", f"/centre/cohorts/{world.cohort.id}"):
        response = client.post(url, data={"name": name})
        assert response.status_code == 200 and message in response.text
    assert db.session.scalars(sa.select(Cohort.name)).all() == ["Alpha cohort"]


def test_a_bad_email_says_why_in_one_sentence(client, world):
    """The message read 'Enter an email address like name@example.org (An email address must
    have an @-sign.).': the library's sentence nested in brackets, with two full stops."""
    login(client, world.admin)
    response = client.post(
        "/centre/users/new",
        data={"full_name": "Nia Patel", "email": "nia.example.org", "role": "learner"},
    )
    assert response.status_code == 200
    assert (
        "Enter an email address like name@example.org: an email address must have an @-sign."
        in response.text
    )


def test_a_stale_edit_page_does_not_undo_an_allocation_made_since(client, world, make_user):
    """The admin opens a learner's page (assessor: Alpha's), then moves the learner to a second
    assessor on the allocation page (or another admin does), then fixes a typo in the name on
    the first page: the save is refused with what the account is now, not the old assessor
    put back silently. Saving again, having seen it, goes ahead."""
    second = make_user(Role.ASSESSOR, world.centre, full_name="Second Assessor")
    db.session.commit()
    login(client, world.admin)
    url = f"/centre/users/{world.learner.id}/edit"
    seen = re.search(r'name="seen" type="hidden" value="([0-9a-f]+)"', client.get(url).text)
    stale = {
        "full_name": "Learner Renamed",
        "email": "learner@alpha.test",
        "role": "learner",
        "assessor": world.assessor.id,
        "iqa": world.iqa.id,
        "seen": seen.group(1),
    }
    moved = client.post(
        "/centre/allocation",
        data={"scope": "ticked", "learners": [world.learner.id], "assessor": second.id, "iqa": 0},
    )
    assert moved.status_code == 302
    refused = client.post(url, data=stale)
    assert refused.status_code == 200 and "There is a problem" in refused.text
    assert "changed by someone else" in refused.text and "assessor Second Assessor" in refused.text
    db.session.refresh(world.learner)
    assert world.learner.assessor_id == second.id
    assert world.learner.full_name != "Learner Renamed"
    fresh = re.search(r'name="seen" type="hidden" value="([0-9a-f]+)"', refused.text).group(1)
    saved = client.post(url, data={**stale, "assessor": second.id, "seen": fresh})
    assert saved.status_code == 302
    db.session.refresh(world.learner)
    assert world.learner.full_name == "Learner Renamed" and world.learner.assessor_id == second.id


def test_a_search_takes_underscore_and_percent_literally(client, world, make_user):
    """Email addresses often hold an underscore: "jo_smith" finds jo_smith, not also josmith
    and jo.smith (LIKE's _ matches any character), on the users, cohort and allocation pages,
    so "allocate all the filter finds" takes only those listed; "%" finds no one."""
    wanted = make_user(Role.LEARNER, world.centre, email="jo_smith@alpha.test", full_name="Jo S")
    make_user(Role.LEARNER, world.centre, email="jo.smith@alpha.test", full_name="Jo T")
    make_user(Role.LEARNER, world.centre, email="joxsmith@alpha.test", full_name="Jo U")
    db.session.commit()
    login(client, world.admin)
    for url in (
        "/centre/users?q=jo_smith",
        f"/centre/cohorts/{world.cohort.id}?show=all&q=jo_smith",
        "/centre/allocation?q=jo_smith",
    ):
        page = client.get(url).text
        assert "jo_smith@alpha.test" in page or "Jo S" in page, url
        assert "jo.smith@alpha.test" not in page and "joxsmith@alpha.test" not in page, url
        assert "Jo T" not in page and "Jo U" not in page, url
    assert "peer@alpha.test" not in client.get("/centre/users?q=%25").text
    client.post(
        "/centre/allocation?q=jo_smith",
        data={"scope": "all", "assessor": str(world.assessor.id), "iqa": "0"},
    )
    allocated = db.session.scalars(
        sa.select(User.email).where(User.assessor_id == world.assessor.id, User.email.like("jo%"))
    ).all()
    assert allocated == [wanted.email]


@pytest.mark.parametrize(
    ("url", "data", "words"),
    [
        ("/centre/users/new", {"full_name": "", "email": "", "role": "learner"}, "Enter the user"),
        (
            "/centre/users/new",
            {"full_name": "x" * 121, "email": "a@alpha.test", "role": "learner"},
            "Keep the name to 120 characters or fewer.",
        ),
        (
            "/centre/cohorts/new",
            {"name": "Long", "description": "x" * 2001},
            "Keep the description to 2,000 characters or fewer.",
        ),
        (
            "/exercises/new",
            {"title": "x" * 201, "opens_on": "2026-01-01", "closes_on": "2026-01-02"},
            "Keep the title to 200 characters or fewer.",
        ),
    ],
)
def test_forms_say_what_to_fix_in_the_products_words(client, world, url, data, words):
    """Not WTForms' "This field is required." or "Field cannot be longer than 120
    characters.", which say neither which field nor what to do."""
    login(client, world.admin)
    page = client.post(url, data=data).text
    assert "There is a problem" in page and words in page
    assert "This field is required" not in page and "Field cannot be longer" not in page


def test_a_password_issued_to_a_deactivated_account_says_it_cannot_sign_in_yet(client, world):
    """The page said only "Give them this temporary password", which did not work: the
    account was deactivated."""
    world.peer.active = False
    login(client, world.admin)
    page = client.post(f"/centre/users/{world.peer.id}/password").text
    assert 'id="temporary-password"' in page
    assert "deactivated: they cannot sign in with this password until you reactivate" in page
    active = client.post(f"/centre/users/{world.learner.id}/password").text
    assert "cannot sign in" not in active


def test_saving_an_older_cohort_page_applies_only_the_ticks_changed_on_it(client, world, make_user):
    """Two admins (or two tabs) have the cohort page open. One removes Peer and adds Newbie;
    the other, whose page still shows Peer ticked and Newbie unticked, renames the cohort.
    Saving used to put Peer back and take Newbie out again; now only what that admin changed
    on the page (the name) applies."""
    newbie = make_user(Role.LEARNER, world.centre, full_name="Newbie")
    db.session.commit()
    login(client, world.admin)
    url = f"/centre/cohorts/{world.cohort.id}"
    old_page = client.get(f"{url}?show=all").text
    was = re.search(r'name="was" value="([0-9,]*)"', old_page).group(1)
    assert set(was.split(",")) == {str(world.learner.id), str(world.peer.id)}
    everyone = [world.learner.id, world.peer.id, newbie.id]
    changed = client.post(
        f"{url}?show=all",
        data={"name": "Alpha cohort", "members": [world.learner.id, newbie.id], "shown": everyone},
    )
    assert changed.status_code == 302
    stale = client.post(
        f"{url}?show=all",
        data={
            "name": "Alpha cohort, spring",
            "members": [world.learner.id, world.peer.id],
            "shown": everyone,
            "was": was,
        },
    )
    assert stale.status_code == 302
    cohort = db.session.get(Cohort, world.cohort.id)
    db.session.refresh(cohort)
    assert cohort.name == "Alpha cohort, spring"
    assert {m.id for m in cohort.members} == {world.learner.id, newbie.id}
    # What the older page did change still applies: unticking the learner removes them.
    client.post(
        f"{url}?show=all",
        data={"name": "Alpha cohort, spring", "members": [], "shown": everyone, "was": was},
    )
    db.session.refresh(cohort)
    assert {m.id for m in cohort.members} == {newbie.id}


def test_saving_an_older_cohort_page_keeps_a_rename_made_since(client, world):
    """An older page (another admin's, or a second tab) that only changed the members used to
    write back the name and description it had loaded, undoing a rename saved meanwhile."""
    world.cohort.description = "Evening group\r\nTuesdays"
    db.session.commit()
    login(client, world.admin)
    url = f"/centre/cohorts/{world.cohort.id}"
    page = client.get(url).text
    fields = dict(re.findall(r'name="(was[a-z_]*)" value="([^"]*)"', page))
    assert fields["was_name"] == "Alpha cohort"
    both = [world.learner.id, world.peer.id]
    renamed = client.post(
        url, data={"name": "Alpha, renamed", "description": "New notes", "members": both}
    )
    assert renamed.status_code == 302
    old_page = {
        "name": "Alpha cohort",
        "description": "Evening group\r\nTuesdays",
        "members": [world.learner.id],
        "shown": both,
        "was_name": fields["was_name"],
        "was_description": html.unescape(fields["was_description"]).replace("&#10;", "\n"),
        "was": fields["was"],
    }
    assert client.post(url, data=old_page).status_code == 302
    cohort = db.session.get(Cohort, world.cohort.id)
    db.session.refresh(cohort)
    assert (cohort.name, cohort.description) == ("Alpha, renamed", "New notes")
    assert {m.id for m in cohort.members} == {world.learner.id}
    # A change made on the older page is saved.
    changed = {**old_page, "description": "Thursdays now", "members": [world.learner.id]}
    assert client.post(url, data=changed).status_code == 302
    db.session.refresh(cohort)
    assert (cohort.name, cohort.description) == ("Alpha, renamed", "Thursdays now")


def test_the_admins_forms_ask_before_changes_are_left_unsent(client, world):
    """A user's page, a new user and a cohort's page do not autosave: leaving them with
    changes typed or ticked, unsent, asks first (app.js's data-warn-unsaved)."""
    login(client, world.admin)
    for url in (
        "/centre/users/new",
        f"/centre/users/{world.learner.id}/edit",
        "/centre/cohorts/new",
        f"/centre/cohorts/{world.cohort.id}",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert '<form method="post" novalidate data-warn-unsaved>' in page.text, url
