"""A new centre whose name and first admin's email are both taken: the page said only that
the name was taken, and the email only on the next try."""

import sqlalchemy as sa

from portfolio.accounts.models import Centre
from portfolio.extensions import db
from tests.conftest import login

TAKEN_EMAIL = "An account with that email address already exists."
TAKEN_NAME = "A centre with that name already exists."


def _post(client, name: str, email: str) -> str:
    data = {"name": name, "admin_name": "Pat Quinn", "admin_email": email}
    return client.post("/site/centres/new", data=data).text


def test_a_taken_centre_name_and_a_taken_email_are_both_said_at_once(client, world):
    login(client, world.site_admin)
    page = _post(client, "alpha centre", "Admin@Beta.test")
    assert TAKEN_NAME in page and TAKEN_EMAIL in page
    assert 'id="admin_email-error"' in page
    assert db.session.scalar(sa.select(sa.func.count(Centre.id))) == 2


def test_a_taken_name_alone_says_nothing_of_the_email(client, world):
    login(client, world.site_admin)
    page = _post(client, "Alpha Centre", "someone-new@gamma.test")
    assert TAKEN_NAME in page and TAKEN_EMAIL not in page


def test_a_blank_name_and_a_taken_email_are_both_said_at_once(client, world):
    login(client, world.site_admin)
    page = _post(client, "", "admin@beta.test")
    assert "Enter the centre&#39;s name." in page and TAKEN_EMAIL in page


def test_an_added_admin_without_a_name_and_with_a_taken_email_hears_both(client, world):
    login(client, world.site_admin)
    page = client.post(
        f"/site/centres/{world.other_centre.id}/admins/new",
        data={"admin_name": "", "admin_email": "admin@alpha.test"},
    ).text
    assert "Enter the admin&#39;s full name." in page and TAKEN_EMAIL in page
    assert page.count(TAKEN_EMAIL) == 2  # the summary and the field, once each


def test_a_taken_centre_name_is_said_beside_a_blank_admin_name(client, world):
    login(client, world.site_admin)
    data = {"name": "Beta Centre", "admin_name": "", "admin_email": "new@gamma.test"}
    page = client.post("/site/centres/new", data=data).text
    assert "Enter the admin&#39;s full name." in page and TAKEN_NAME in page
