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


def test_the_site_admins_header_has_no_notifications_link(client, world):
    """Nothing notifies a site admin, so the header does not offer an always-empty inbox."""
    page = login(client, world.site_admin).get("/dashboard").text
    assert "Centres</a>" in page and "/notifications/" not in page
    assert "/notifications/" in login(client, world.admin).get("/dashboard").text


def test_a_site_admin_refused_a_centre_page_is_not_told_to_ask_a_centre_admin(client, world):
    """The 403 page told everyone to ask their centre's administrator; a site admin has no
    centre, and appoints those administrators."""
    refused = login(client, world.site_admin).get("/centre/users")
    assert refused.status_code == 403
    assert "manage centres and their administrators" in refused.text
    assert "ask your centre" not in refused.text
    learner_refused = login(client, world.learner).get("/centre/users")
    assert learner_refused.status_code == 403 and "ask your centre" in learner_refused.text
