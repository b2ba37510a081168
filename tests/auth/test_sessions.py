"""A password change signs out every other browser, including one kept signed in."""

from flask import Flask

from portfolio.accounts import services
from portfolio.extensions import db
from portfolio.roles import Role
from tests.conftest import PASSWORD

NEW = "amber otter lantern kettle"


def _sign_in(client, email, **extra):
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD, **extra})
    assert response.status_code == 302
    return client


def _change(client):
    return client.post(
        "/auth/password",
        data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW},
    )


def test_changing_the_password_signs_out_the_other_browsers(app: Flask, make_user):
    make_user(Role.LEARNER, email="casey@example.test")
    db.session.commit()
    here = _sign_in(app.test_client(), "casey@example.test")
    elsewhere = _sign_in(app.test_client(), "casey@example.test")
    assert _change(here).status_code == 302
    assert here.get("/dashboard").status_code == 200  # the browser that changed it stays in
    stale = elsewhere.get("/dashboard")
    assert stale.status_code == 302 and stale.headers["Location"].endswith("/auth/login")
    page = elsewhere.get("/auth/login").text
    assert "Your password has been changed since you signed in on this device," in page


def test_a_kept_signed_in_browser_is_signed_out_too(app: Flask, make_user):
    make_user(Role.LEARNER, email="casey@example.test")
    db.session.commit()
    here = _sign_in(app.test_client(), "casey@example.test", remember="y")
    elsewhere = _sign_in(app.test_client(), "casey@example.test", remember="y")
    with elsewhere.session_transaction() as session:
        session.clear()  # the browser was closed: only the remember cookie brings it back
    assert elsewhere.get("/dashboard").status_code == 200
    with elsewhere.session_transaction() as session:
        session.clear()
    _change(here)
    with here.session_transaction() as session:
        session.clear()
    assert here.get("/dashboard").status_code == 200  # its cookies were renewed
    assert elsewhere.get("/dashboard").status_code == 302


def test_a_password_reissued_by_an_admin_ends_the_users_sign_ins(app: Flask, make_user):
    user = make_user(Role.LEARNER, email="casey@example.test")
    db.session.commit()
    browser = _sign_in(app.test_client(), "casey@example.test")
    services.reset_password(user, temporary="abc123-def456-0a1b2c")
    db.session.commit()
    # Signed out (to sign in with the new password), not just sent to change it.
    assert browser.get("/dashboard").headers["Location"].endswith("/auth/login")
    # The user did not change it: the message says who else may have, and what to do.
    page = browser.get("/auth/login").text
    assert "by you elsewhere or by your centre&#39;s administrator" in page
    assert "if you do not know it, ask your centre&#39;s administrator to issue one" in page


def test_signing_out_drops_the_companion_cookie(app: Flask, make_user):
    make_user(Role.LEARNER, email="casey@example.test")
    db.session.commit()
    browser = _sign_in(app.test_client(), "casey@example.test", remember="y")
    assert browser.get_cookie("remember_pw") is not None
    browser.post("/auth/logout")
    assert browser.get_cookie("remember_pw") is None


def test_signing_out_forgets_the_password_fingerprint(app: Flask, make_user):
    make_user(Role.LEARNER, email="casey@example.test")
    db.session.commit()
    browser = _sign_in(app.test_client(), "casey@example.test")
    with browser.session_transaction() as session:
        assert "_pw" in session
    browser.post("/auth/logout")
    with browser.session_transaction() as session:
        assert "_pw" not in session


def test_a_user_deactivated_while_signed_in_is_told_why_they_are_signed_out(app: Flask, make_user):
    user = make_user(Role.LEARNER, email="casey@example.test")
    db.session.commit()
    browser = _sign_in(app.test_client(), "casey@example.test")
    user.active = False
    db.session.commit()
    assert browser.get("/dashboard").headers["Location"].endswith("/auth/login")
    page = browser.get("/auth/login").text
    assert "This account has been deactivated. Ask your centre&#39;s administrator." in page
    assert "Please sign in to see that page." not in page
