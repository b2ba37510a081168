"""The app's floor: the real app with one page more, `/bench/floor`, for a signed-in user of any
role: the bare page's one query and 50 rows (bare_app.QUERY), rendered inside the app's layout
(templates/base.html) from bench/templates/floor.html.

Every main page pays this before its own work: the signed session cookie, loading the user with
the header's unread count, the checks on every request (deactivated account, old password,
forced password change), the CSRF token of the sign-out form, the security headers and the
layout with its menu. Its ratio to the bare page is the least a signed-in page of this app can
reach on this stack; the page benchmark serves the app from here so that the floor is measured
in the same run as the pages. Not part of the product: wsgi.py does not register it."""

import gc
from pathlib import Path

from bare_app import CENTRE, QUERY
from flask import Blueprint, render_template
from flask_login import login_required

from portfolio import create_app
from portfolio.extensions import db

floor = Blueprint("bench_floor", __name__, template_folder=str(Path(__file__).parent / "templates"))


@floor.get("/bench/floor")
@login_required
def users():
    rows = db.session.execute(QUERY, {"centre": CENTRE}).all()
    return render_template("floor.html", users=rows, centre=CENTRE)


app = create_app()
app.register_blueprint(floor)

gc.collect()
gc.freeze()
