"""Without trusted proxies (the default), X-Forwarded-For is ignored: a visitor cannot dodge
the per-address throttle by sending one."""

import sqlalchemy as sa

from portfolio.accounts.models import LoginFailure
from portfolio.extensions import db


def test_a_forwarded_for_header_is_ignored_without_trusted_proxies(app, client):
    app.config["WTF_CSRF_ENABLED"] = False
    for forged in ("203.0.113.7", "198.51.100.9"):
        client.post(
            "/auth/login",
            data={"email": "nobody@example.test", "password": "wrong"},
            headers={"X-Forwarded-For": forged},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )
    assert set(db.session.scalars(sa.select(LoginFailure.ip))) == {"10.0.0.1"}
