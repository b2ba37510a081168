"""Sign-in, throttling, forced password change, CSRF and security headers."""

import pytest
import sqlalchemy as sa

from portfolio.accounts.models import User
from portfolio.auth.passwords import verify_password
from portfolio.extensions import db
from portfolio.roles import Role
from tests.conftest import PASSWORD, login


def sign_in(client, email, password, **extra):
    return client.post("/auth/login", data={"email": email, "password": password, **extra})


def test_sign_in_and_out(client, make_user):
    user = make_user(Role.LEARNER, email="casey@example.test")
    db.session.commit()
    response = sign_in(client, "Casey@Example.test", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200
    db.session.refresh(user)
    assert user.last_login_at is not None
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize("email", ["casey@example.test", "nobody@example.test"])
def test_wrong_email_or_password_gets_one_generic_message(client, make_user, email):
    make_user(email="casey@example.test")
    db.session.commit()
    response = sign_in(client, email, "not the password")
    assert response.status_code == 200
    assert "The email address or password is not right." in response.text
    assert client.get("/dashboard").status_code == 302


def test_deactivated_account_cannot_sign_in(client, make_user):
    user = make_user(email="gone@example.test")
    user.active = False
    db.session.commit()
    response = sign_in(client, "gone@example.test", PASSWORD)
    assert "deactivated" in response.text
    assert client.get("/dashboard").status_code == 302


def test_sign_in_is_throttled(app, client, make_user):
    app.config["LOGIN_MAX_FAILURES_PER_EMAIL"] = 3
    make_user(email="casey@example.test")
    db.session.commit()
    for _ in range(3):
        sign_in(client, "casey@example.test", "wrong password")
    response = sign_in(client, "casey@example.test", PASSWORD)  # even the right one is held
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text
    assert client.get("/dashboard").status_code == 302


def test_remember_me_sets_a_httponly_samesite_cookie(client, make_user):
    make_user(email="casey@example.test")
    db.session.commit()
    response = sign_in(client, "casey@example.test", PASSWORD, remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    session = [c for c in cookies if c.startswith("session=")]
    assert remember and "HttpOnly" in remember[0] and "SameSite=Lax" in remember[0]
    assert session and "HttpOnly" in session[0] and "SameSite=Lax" in session[0]


def test_next_only_follows_local_paths(client, make_user):
    make_user(email="casey@example.test")
    db.session.commit()
    response = client.post(
        "/auth/login?next=https://evil.example/steal",
        data={"email": "casey@example.test", "password": PASSWORD},
    )
    assert response.headers["Location"].endswith("/dashboard")


def test_forced_password_change_blocks_everything_else(client, make_user):
    user = make_user(email="new@example.test", must_change_password=True)
    db.session.commit()
    response = sign_in(client, "new@example.test", PASSWORD)
    assert response.headers["Location"].endswith("/auth/password")
    assert client.get("/dashboard").headers["Location"].endswith("/auth/password")
    # Every other page sends the user back here, so the header offers no menu, only sign-out.
    page = client.get("/auth/password").text
    assert 'aria-label="Main"' not in page and "Sign out" in page
    weak = client.post(
        "/auth/password",
        data={"current_password": PASSWORD, "new_password": "qwertyuiop", "confirm": "qwertyuiop"},
    )
    assert "too easy to guess" in weak.text
    mismatch = client.post(
        "/auth/password",
        data={
            "current_password": PASSWORD,
            "new_password": "my own new phrase",
            "confirm": "my own new phrasf",
        },
    )
    assert "do not match" in mismatch.text
    ok = client.post(
        "/auth/password",
        data={
            "current_password": PASSWORD,
            "new_password": "my own new phrase",
            "confirm": "my own new phrase",
        },
    )
    assert ok.status_code == 302
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200 and 'aria-label="Main"' in dashboard.text
    db.session.refresh(user)
    assert not user.must_change_password


def test_password_and_sign_in_errors_say_what_to_do(client, make_user):
    user = make_user(email="casey@example.test")
    db.session.commit()
    blank = sign_in(client, "", "")
    assert "Enter your email address." in blank.text and "Enter your password." in blank.text
    assert "This field is required" not in blank.text
    login(client, user)
    short = client.post(
        "/auth/password",
        data={"current_password": "", "new_password": "short", "confirm": ""},
    )
    assert "Enter your current password." in short.text
    assert "Your new password must be 10 to 256 characters." in short.text
    assert "Enter your new password again." in short.text
    assert "Field must be" not in short.text


def test_signed_in_pages_are_not_stored_by_the_browser(client, make_user):
    user = make_user(email="casey@example.test")
    assert "no-store" not in client.get("/auth/login").headers.get("Cache-Control", "")
    login(client, user)
    assert client.get("/dashboard").headers["Cache-Control"] == "no-store"
    stylesheet = client.get("/static/css/app.css")
    stylesheet.close()  # a file response holds its file open
    assert "no-store" not in stylesheet.headers.get("Cache-Control", "")


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_missing_csrf_token_is_refused_and_changes_nothing(self, client, world):
        login(client, world.admin)
        response = client.post(
            "/centre/users/new",
            data={"full_name": "Sneaky", "email": "sneaky@example.test", "role": "learner"},
        )
        assert response.status_code == 400
        assert "security token" in response.text
        assert db.session.scalar(sa.select(User).where(User.email == "sneaky@example.test")) is None


def test_security_headers(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_demo_password_only_in_demo_mode(app, client):
    assert "portfolio-demo" not in client.get("/auth/login").text
    app.config["DEMO_MODE"] = True
    assert "portfolio-demo" in client.get("/auth/login").text


def test_unknown_page_is_a_house_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Page not found" in response.text


def test_a_password_holding_the_emails_first_part_says_which_part():
    from portfolio.auth.passwords import password_problem

    problem = password_problem("site-admin-pass-123", email="site@demo.test")
    assert problem == "Do not use your email address, or its first part (“site”), in your password."


def test_the_throttle_message_gives_the_configured_wait_and_the_way_out(app, client, make_user):
    app.config["LOGIN_MAX_FAILURES_PER_EMAIL"] = 2
    app.config["LOGIN_THROTTLE_WINDOW_SECONDS"] = 5 * 60
    make_user(email="casey@example.test")
    db.session.commit()
    for _ in range(2):
        sign_in(client, "casey@example.test", "wrong password")
    response = sign_in(client, "casey@example.test", PASSWORD)
    assert response.status_code == 429
    assert "Wait 5 minutes, then try again." in response.text
    assert "ask your centre&#39;s administrator to issue a new one." in response.text


def test_the_sign_in_page_says_what_to_do_about_a_forgotten_password(client):
    page = client.get("/auth/login").text
    assert "Forgotten your password? Ask your centre's administrator" in page


def test_guessing_the_current_password_is_throttled_like_sign_in(app, client, make_user):
    app.config["LOGIN_MAX_FAILURES_PER_EMAIL"] = 3
    user = make_user(email="casey@example.test")
    login(client, user)
    new = "amber otter lantern kettle"
    for _ in range(3):
        wrong = client.post(
            "/auth/password",
            data={"current_password": "a guess", "new_password": new, "confirm": new},
        )
        assert "Your current password is not right." in wrong.text
    held = client.post(
        "/auth/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new},
    )
    assert held.status_code == 429 and "Too many failed attempts" in held.text
    db.session.refresh(user)
    assert not verify_password(user.password_hash, new)


def test_the_page_asked_for_opens_after_the_forced_password_change(client, make_user):
    make_user(email="new@example.test", must_change_password=True)
    db.session.commit()
    response = client.post(
        "/auth/login?next=/notifications/",
        data={"email": "new@example.test", "password": PASSWORD},
    )
    change = response.headers["Location"]
    assert change.startswith("/auth/password") and "next=" in change
    new = "my own new phrase"
    done = client.post(
        change, data={"current_password": PASSWORD, "new_password": new, "confirm": new}
    )
    assert done.headers["Location"] == "/notifications/"
    # Tampered: a next that leaves the site is dropped there too.
    again = client.get("/auth/login?next=https://evil.example/")
    assert again.headers["Location"].endswith("/dashboard")


def test_a_signed_in_user_sent_to_sign_in_goes_on_to_the_page_asked_for(client, make_user):
    login(client, make_user(email="casey@example.test"))
    assert client.get("/auth/login?next=/notifications/").headers["Location"] == "/notifications/"


def test_the_new_password_hint_names_every_rule_before_it_is_broken(client, make_user):
    login(client, make_user(email="casey@example.test"))
    page = client.get("/auth/password").text
    assert "At least 10 characters, without your name or email address." in page


def test_a_wrong_current_password_is_said_with_the_other_problems(client, make_user):
    login(client, make_user(email="casey@example.test"))
    response = client.post(
        "/auth/password",
        data={"current_password": "a guess", "new_password": "short", "confirm": "short"},
    )
    assert "Your current password is not right." in response.text
    assert "Your new password must be 10 to 256 characters." in response.text
