"""The benchmark's floor: a bare Flask page that runs ONE query (50 users of the large demo
centre) and renders them as 50 table rows with render_template_string. No sign-in, no
sessions, no CSRF: what Flask, Jinja, SQLAlchemy and the database cost at the least.

Served by gunicorn beside the real app, on the same database (DATABASE_URL, else the app's
default SQLite file) with the same worker count: `gunicorn --pythonpath .. bare_app:app`."""

import os

import sqlalchemy as sa
from flask import Flask, render_template_string

import portfolio.db  # noqa: F401  (the same SQLite pragmas as the app: WAL, foreign keys)
from portfolio.config import _database_url

CENTRE = os.environ.get("BENCH_CENTRE", "Large Demo College")

PAGE = """<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Users · bare page</title></head>
<body>
<main>
<h1>Users of {{ centre }}</h1>
<table>
  <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th>
  <th scope="col">Active</th></tr></thead>
  <tbody>
  {% for u in users %}
  <tr><td><a href="/users/{{ u.id }}">{{ u.full_name }}</a></td><td>{{ u.email }}</td>
  <td>{{ u.role }}</td><td>{{ 'yes' if u.active else 'no' }}</td></tr>
  {% endfor %}
  </tbody>
</table>
</main>
</body>
</html>"""

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
    return render_template_string(PAGE, users=rows, centre=CENTRE)
