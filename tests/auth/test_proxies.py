"""Behind a proxy: the visitor's address comes from X-Forwarded-For only when the proxies are
trusted (TRUSTED_PROXIES), so the per-address sign-in throttle counts each visitor, not the
proxy, and a visitor cannot forge an address without a trusted proxy in front."""

import pytest
import sqlalchemy as sa

from portfolio.accounts.models import LoginFailure
from portfolio.extensions import db


@pytest.fixture
def app_config():
    return {"TRUSTED_PROXIES": 1}


def _fail_from(client, address: str) -> None:
    client.post(
        "/auth/login",
        data={"email": "nobody@example.test", "password": "wrong"},
        headers={"X-Forwarded-For": address},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},  # the proxy
    )


def test_failures_are_counted_by_the_visitors_address_behind_a_trusted_proxy(app, client):
    app.config["WTF_CSRF_ENABLED"] = False
    _fail_from(client, "203.0.113.7")
    _fail_from(client, "198.51.100.9")
    recorded = set(db.session.scalars(sa.select(LoginFailure.ip)))
    assert recorded == {"203.0.113.7", "198.51.100.9"}
