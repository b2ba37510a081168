"""Error pages in the house style, and a clear page for a missing or stale CSRF token."""

import sqlalchemy as sa
from flask import Flask, render_template
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from portfolio.extensions import db
from portfolio.roles import Role

MESSAGES = {
    400: (
        "Something in that request was not right",
        "Go back, check what you entered and try again.",
    ),
    403: (
        "You do not have access to this page",
        "If you think you should, ask your centre's administrator.",
    ),
    404: (
        "Page not found",
        "The page or record you asked for does not exist, or is not yours to see.",
    ),
    405: ("That action is not allowed here", "Use the buttons and links on the page."),
    409: (
        "That change crossed with another",
        "The same thing was changed at the same moment, by someone else or in another tab. "
        "Nothing from this attempt was saved. Reload the page to see the latest, then try again.",
    ),
    413: ("That upload is too large", "Files can be at most 10 MB. Make it smaller and try again."),
    429: ("Too many attempts", "Wait a few minutes, then try again."),
    503: (
        "The database was busy",
        "Others were saving at the same moment and this attempt waited too long for its turn. "
        "Nothing from it was saved. Try again in a moment.",
    ),
    500: (
        "Sorry, something went wrong on our side",
        "Your saved work is safe. Try again in a moment.",
    ),
}


NUL_ADVICE = (
    "Something you entered holds an invisible control character (it often comes with pasted "
    "text), which cannot be saved. Nothing was changed. Go back, remove it (retype the text "
    "around it) and try again."
)

SITE_ADMIN_FORBIDDEN = (
    "A centre's pages are for its own staff and learners; as site administrator you manage "
    "centres and their administrators from Centres."
)


def _render(code: int, detail: str | None = None):
    title, advice = MESSAGES.get(code, (f"Error {code}", ""))
    return render_template(
        "errors/error.html", code=code, title=title, advice=detail or advice
    ), code


# PostgreSQL's codes for a transaction it gave up on because of others: serialization failure,
# deadlock, lock not available.
_BUSY_SQLSTATES = {"40001", "40P01", "55P03"}


def _is_busy(exc: sa.exc.OperationalError) -> bool:
    """Whether the database refused this work only because others held the locks it needed."""
    if getattr(exc.orig, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    return "database is locked" in str(exc.orig) or "database table is locked" in str(exc.orig)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return _render(
            400,
            "The form could not be accepted because its security token was missing or out of date "
            "(for example, it was open before you signed in again). Nothing was changed. Go back, "
            "reload the page and submit it again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code in (301, 302, 303, 307, 308) or exc.code is None:
            return exc
        if exc.code == 403 and getattr(current_user, "role", None) == Role.SITE_ADMIN:
            # "Ask your centre's administrator" sends a site admin to someone they appoint.
            return _render(403, SITE_ADMIN_FORBIDDEN)
        return _render(exc.code)

    # The last line of defence for two writes that race (most flows refuse a stale edit with
    # their own message first): the loser's transaction is undone and it gets a page, not a 500.
    @app.errorhandler(sa.exc.IntegrityError)
    @app.errorhandler(StaleDataError)
    def crossed(exc):
        db.session.rollback()
        return _render(409)

    # A write that waited too long for a lock (SQLite's busy timeout) or that PostgreSQL chose
    # to cancel (deadlock, serialization, lock not available) is the machine being busy, not a
    # fault: the transaction is undone and the user is asked to try again.
    @app.errorhandler(sa.exc.OperationalError)
    def busy(exc: sa.exc.OperationalError):
        if not _is_busy(exc):
            raise exc  # a real fault: logged, and the house 500 (raised into tests)
        db.session.rollback()
        page, code = _render(503)
        return page, code, {"Retry-After": "5"}

    # PostgreSQL cannot store a NUL (SQLite stores it). Forms refuse one beside the field
    # (accounts.forms.plain_text); this is the net for any text that reaches the database
    # another way, so a pasted NUL is a message and nothing saved, not a 500.
    @app.errorhandler(sa.exc.DataError)
    def unstorable(exc: sa.exc.DataError):
        if "NUL" not in str(exc.orig):
            raise exc
        db.session.rollback()
        return _render(400, NUL_ADVICE)

    @app.errorhandler(500)
    def server_error(exc):
        db.session.rollback()
        return _render(500)
