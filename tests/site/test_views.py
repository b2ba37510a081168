"""The site admin's centres list and the pages that create centres and add their admins."""

import re

from portfolio.extensions import db
from tests.conftest import login


def _row(html: str, centre: str) -> str:
    """The table row naming `centre`."""
    match = re.search(rf"<tr><td>{re.escape(centre)}</td>.*?</tr>", html, re.S)
    assert match, f"no row for {centre}"
    return match.group(0)


def test_the_centres_list_shows_which_centre_has_no_active_admin(client, world):
    # Beta's only admin leaves: the site admin must be able to spot the centre to rescue.
    world.other_admin.active = False
    db.session.commit()
    login(client, world.site_admin)
    html = client.get("/site/centres").text
    assert "Active admins" in html
    assert '<td class="num">1</td>' in _row(html, "Alpha Centre")
    assert "<strong>None</strong>" in _row(html, "Beta Centre")


def test_a_blank_or_over_long_centre_form_says_what_to_do(client, world):
    login(client, world.site_admin)
    blank = client.post("/site/centres/new", data={}).text
    assert "Enter the centre&#39;s name." in blank
    assert "Enter the admin&#39;s full name." in blank
    assert "Enter the admin&#39;s email address." in blank
    assert "This field is required" not in blank
    long = client.post(
        "/site/centres/new",
        data={"name": "C" * 121, "admin_name": "N" * 121, "admin_email": "ok@example.test"},
    ).text
    assert "Keep the centre&#39;s name to 120 characters or fewer." in long
    assert "Keep the admin&#39;s name to 120 characters or fewer." in long
    assert "Field cannot be longer" not in long


def test_a_blank_admin_form_says_what_to_do(client, world):
    login(client, world.site_admin)
    blank = client.post(f"/site/centres/{world.other_centre.id}/admins/new", data={}).text
    assert "Enter the admin&#39;s full name." in blank
    assert "Enter the admin&#39;s email address." in blank
