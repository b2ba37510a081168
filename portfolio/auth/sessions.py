"""Sign-ins tied to the password they were made with: when a password changes (by its owner, or
reissued by an admin because it leaked), every other signed-in browser is signed out.

The session and, for "keep me signed in", a companion cookie carry a fingerprint of the
password hash (an HMAC under the app's secret key, so a holder cannot derive the next one).
Flask-Login's remember cookie holds only the user's ID, which a password change leaves alone.
"""

import hashlib
import hmac

from flask import Response, current_app, g, request, session
from flask_login import logout_user, user_loaded_from_cookie

SESSION_KEY = "_pw"
COOKIE_NAME = "remember_pw"


def password_fingerprint(password_hash: str) -> str:
    """A short keyed digest of a password hash: it changes whenever the password does."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, password_hash.encode(), hashlib.sha256).hexdigest()[:32]


def remember_password(password_hash: str) -> None:
    """Tie this browser's session to the password just used (at sign-in or after a change)."""
    session[SESSION_KEY] = password_fingerprint(password_hash)


def sign_out() -> None:
    """Sign this browser out, forgetting the password fingerprint with the user: the next
    person to sign in on a shared training-room PC starts clean."""
    logout_user()
    session.pop(SESSION_KEY, None)


def set_remember_cookie(response: Response, password_hash: str) -> None:
    """Give a "keep me signed in" browser the companion cookie, as long-lived as Flask-Login's."""
    cfg = current_app.config
    response.set_cookie(
        COOKIE_NAME,
        password_fingerprint(password_hash),
        max_age=int(cfg["REMEMBER_COOKIE_DURATION"]),
        httponly=True,
        secure=bool(cfg["REMEMBER_COOKIE_SECURE"]),
        samesite=cfg["REMEMBER_COOKIE_SAMESITE"],
    )


def kept_signed_in() -> bool:
    """True when this browser holds Flask-Login's remember cookie ("keep me signed in")."""
    name = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return bool(request.cookies.get(name))


def clear_remember_cookie(response: Response) -> None:
    """Drop the companion cookie (on sign-out, and when it no longer matches)."""
    response.delete_cookie(COOKIE_NAME)


def signed_in_with_an_old_password(password_hash: str) -> bool:
    """True when this browser signed in with a password that has since changed. A session
    restored from the remember cookie must show a matching companion cookie; a session from
    before fingerprints existed has none and is adopted as it is."""
    current = password_fingerprint(password_hash)
    if g.get("_restored_from_cookie"):
        if not hmac.compare_digest(request.cookies.get(COOKIE_NAME, ""), current):
            return True
        remember_password(password_hash)
        return False
    held = session.get(SESSION_KEY)
    if held is None:
        remember_password(password_hash)
        return False
    return not hmac.compare_digest(held, current)


@user_loaded_from_cookie.connect
def _note_cookie_sign_in(sender, user) -> None:
    """Flask-Login restored the user from the remember cookie in this request."""
    g._restored_from_cookie = True
