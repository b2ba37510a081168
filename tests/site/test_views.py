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
