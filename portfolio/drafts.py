"""The answers to a page's autosave script (static/js/app.js): the version a draft saved and
when, or why it was not saved and whether the page is stale. One shape for the learner's
records, the marking bench and the IQA's sample page."""

from collections.abc import Callable
from datetime import datetime

from flask import jsonify

from portfolio.db import utcnow
from portfolio.extensions import db
from portfolio.templating import local_time

UNREADABLE = "The draft could not be read. Reload the page."


def saved(version: int, at: datetime):
    """Saved: the new version, and the time on the clock the user reads (the UK's, not UTC)."""
    return jsonify(version=version, saved_at=local_time(at).strftime("%H:%M:%S"))


def not_saved(message: str, status: int, *, stale: bool = False):
    """Not saved, saying why; `stale` tells the script to stop saving over newer work."""
    if stale:
        return jsonify(error=message, stale=True), status
    return jsonify(error=message), status


def save_draft(
    save: Callable[[], None],
    version: Callable[[], int],
    *,
    stale: type[Exception],
    refused: type[Exception],
):
    """Run `save` and answer: committed with the `version` now stored, or rolled back with
    409 when `stale` (another tab saved first) and 422 when `refused` (its message)."""
    try:
        save()
    except stale as exc:
        db.session.rollback()
        return not_saved(exc.message, 409, stale=True)
    except refused as exc:
        db.session.rollback()
        return not_saved(f"Draft not saved: {exc.message}", 422)
    db.session.commit()
    return saved(version(), utcnow())
