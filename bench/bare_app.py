"""The benchmark's floor: a bare Flask page that runs ONE query (50 users of the large demo
centre) and renders them as 50 table rows from a template file (templates/users.html). No
sign-in, no sessions, no CSRF: what Flask, Jinja, SQLAlchemy and the database cost at the least.

It renders with render_template, which compiles the template once per process as the app's
pages do; render_template_string would compile it on every request (about 2.5 ms here), making
the floor slower and every ratio look better than it is. It freezes the collector's view of its
start-up objects as wsgi.py does, so the two servers differ only in what their pages do.

Served by gunicorn beside the real app, on the same database (DATABASE_URL, else the app's
default SQLite file) with the same worker count: `gunicorn --pythonpath .. bare_app:app`."""

import gc
import os

import sqlalchemy as sa
from flask import Flask, render_template

import portfolio.db  # noqa: F401  (the same SQLite pragmas as the app: WAL, foreign keys)
from portfolio.config import _database_url

CENTRE = os.environ.get("BENCH_CENTRE", "Large Demo College")

QUERY = sa.text(
    "SELECT u.id, u.full_name, u.email, u.role, u.active FROM users u "
    "JOIN centres c ON c.id = u.centre_id WHERE c.name = :centre "
    "ORDER BY u.full_name, u.id LIMIT 50"
)

engine = sa.create_engine(_database_url(), pool_pre_ping=True)
app = Flask(__name__)


@app.get("/")
def users():
    with engine.connect() as conn:
        rows = conn.execute(QUERY, {"centre": CENTRE}).all()
    return render_template("users.html", users=rows, centre=CENTRE)


gc.collect()
gc.freeze()
