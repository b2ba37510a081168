"""The house error pages: 403 and 500 in the base layout, with advice and no internals."""

import re
import sqlite3
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from portfolio import create_app
from portfolio.accounts.models import Centre
from portfolio.extensions import db
from tests.conftest import TEST_CONFIG, login


@pytest.fixture(scope="module")
def failing_app(_schema) -> Iterator[Flask]:
    """An app of this module's own, with a route that writes a row and then fails, rendering
    errors as production does rather than raising them into the test. (Routes cannot be added
    to the shared test app once it has served a request.)"""
    app = create_app({**TEST_CONFIG, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/_test/boom")
    def boom():
        db.session.add(Centre(name="Half-written centre"))
        db.session.flush()
        raise RuntimeError("secret internals: database password is hunter2")

    @app.get("/_test/crossed")
    def crossed():
        db.session.add(Centre(name="Half-written centre"))
        db.session.flush()
        db.session.add(Centre(name="Half-written centre"))  # the unique name, as a race would
        db.session.flush()

    @app.get("/_test/busy")
    def busy():
        db.session.add(Centre(name="Half-written centre"))
        db.session.flush()
        raise sa.exc.OperationalError("UPDATE centres", {}, app.config["TEST_BUSY_CAUSE"])

    @app.get("/_test/nul")
    def nul():
        db.session.add(Centre(name="Half-written centre"))
        db.session.flush()
        if db.engine.dialect.name == "postgresql":  # the driver's own refusal
            db.session.execute(sa.select(Centre).where(Centre.name == "pasted\x00text"))
        raise sa.exc.DataError("SELECT", {}, app.config["TEST_DATA_ERROR"])

    yield app
    with app.app_context():
        db.engine.dispose()


def _in_house_style(html: str) -> bool:
    return (
        'class="skip-link"' in html and '<main id="main"' in html and "Go to your dashboard" in html
    )


def test_a_forbidden_page_is_a_house_403(client, world):
    login(client, world.learner)
    response = client.get("/centre/users")
    assert response.status_code == 403
    html = response.text
    assert "Error 403" in html and "You do not have access to this page" in html
    assert "ask your centre" in html
    assert _in_house_style(html)
    assert "Content-Security-Policy" in response.headers


def test_an_unexpected_failure_is_a_house_500_and_changes_nothing(world, failing_app):
    client = login(failing_app.test_client(), world.learner)
    response = client.get("/_test/boom")
    assert response.status_code == 500
    html = response.text
    assert "Error 500" in html and "Sorry, something went wrong on our side" in html
    assert "Your saved work is safe" in html
    assert _in_house_style(html)
    assert "hunter2" not in html and "Traceback" not in html and "RuntimeError" not in html
    db.session.remove()
    assert db.session.scalar(sa.select(Centre).where(Centre.name == "Half-written centre")) is None


def test_a_write_that_crosses_another_is_a_house_409_and_changes_nothing(world, failing_app):
    """Two writes racing for the same unique value: the loser gets a page saying so, and
    nothing of its transaction is kept."""
    client = login(failing_app.test_client(), world.learner)
    response = client.get("/_test/crossed")
    assert response.status_code == 409
    assert "That change crossed with another" in response.text and "Reload" in response.text
    assert _in_house_style(response.text)
    assert "IntegrityError" not in response.text and "INSERT" not in response.text
    db.session.remove()
    assert db.session.scalar(sa.select(Centre).where(Centre.name == "Half-written centre")) is None


# An integer segment as written in a rule: <int:name> or <int(min=1):name>.
_INT_SEGMENT = re.compile(r"<int(?:\([^)]*\))?:(\w+)>")


def _huge_id_urls(app: Flask) -> list[tuple[str, str]]:
    """Every rule with an integer segment, each such segment a 25-digit ID (the others a plain
    value), with a method it answers."""
    urls = []
    for rule in app.url_map.iter_rules():
        numbered = _INT_SEGMENT.findall(rule.rule)
        if not numbered or rule.endpoint == "static":
            continue
        values = {name: 10**25 if name in numbered else "x" for name in rule.arguments}
        with app.test_request_context():
            url = rule.build(values, append_unknown=False)[1]
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]
        urls.append((method, url))
    return urls


@pytest.mark.parametrize("role", ["learner", "assessor", "iqa", "admin", "site_admin"])
def test_an_id_too_large_to_store_is_not_found(app, client, world, role):
    """A guessed ID beyond the databases' 64-bit range is a 404 from routing, not an overflow
    from the database driver."""
    login(client, world.by_role(role))
    urls = _huge_id_urls(app)
    assert len(urls) > 50
    for method, url in urls:
        response = client.open(url, method=method)
        assert response.status_code == 404, (method, url, response.status_code)


class _PostgresDeadlock(Exception):
    sqlstate = "40P01"


@pytest.mark.parametrize(
    "cause",
    [sqlite3.OperationalError("database is locked"), _PostgresDeadlock("deadlock detected")],
    ids=["sqlite-busy", "postgres-deadlock"],
)
def test_a_write_that_waited_too_long_for_its_turn_is_a_house_503(world, failing_app, cause):
    """A lock not granted in time is the machine being busy: a page that says try again, with
    Retry-After, and nothing of the attempt kept."""
    failing_app.config["TEST_BUSY_CAUSE"] = cause
    client = login(failing_app.test_client(), world.learner)
    response = client.get("/_test/busy")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "The database was busy" in response.text and "Nothing from it was saved" in response.text
    assert _in_house_style(response.text)
    assert "locked" not in response.text and "deadlock" not in response.text
    db.session.remove()
    assert db.session.scalar(sa.select(Centre).where(Centre.name == "Half-written centre")) is None


def test_any_other_database_failure_is_still_a_500(world, failing_app):
    failing_app.config["TEST_BUSY_CAUSE"] = sqlite3.OperationalError("no such column: x")
    client = login(failing_app.test_client(), world.learner)
    response = client.get("/_test/busy")
    assert response.status_code == 500
    assert "Sorry, something went wrong on our side" in response.text
    db.session.remove()
    assert db.session.scalar(sa.select(Centre).where(Centre.name == "Half-written centre")) is None


def test_text_holding_a_nul_is_a_house_400_and_changes_nothing(world, failing_app):
    """PostgreSQL cannot store a NUL: text that reaches it with one (past the forms' own
    check) is a page saying what to fix, with nothing of the attempt kept, not a 500."""
    failing_app.config["TEST_DATA_ERROR"] = ValueError(
        "PostgreSQL text fields cannot contain NUL (0x00) bytes"
    )
    client = login(failing_app.test_client(), world.learner)
    response = client.get("/_test/nul")
    assert response.status_code == 400
    assert "invisible control character" in response.text
    assert "Nothing was changed" in response.text
    assert _in_house_style(response.text)
    assert "0x00" not in response.text and "DataError" not in response.text
    db.session.remove()
    assert db.session.scalar(sa.select(Centre).where(Centre.name == "Half-written centre")) is None


def test_any_other_data_error_is_still_a_500(world, failing_app):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("on PostgreSQL the route's NUL reaches the driver first")
    failing_app.config["TEST_DATA_ERROR"] = ValueError("numeric field overflow")
    client = login(failing_app.test_client(), world.learner)
    response = client.get("/_test/nul")
    assert response.status_code == 500
    db.session.remove()
    assert db.session.scalar(sa.select(Centre).where(Centre.name == "Half-written centre")) is None
