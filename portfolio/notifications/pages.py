"""For views: opening the page a notification links to reads it."""

from flask import request
from flask_login import current_user

from portfolio.extensions import db
from portfolio.notifications import queries
from portfolio.notifications.services import mark_read_for_link


def read_notifications_of_this_page(*also: str) -> None:
    """Mark read the signed-in user's notifications that link to this page (a submission
    waiting, a sample, an IQA review, evidence added, an exercise opened), so the header's
    count is what is still to look at. `also`: other paths that lead to this page. Commits
    only when one changed."""
    known = queries.unread_known()
    if known == 0:
        return  # nothing unread: no UPDATE (which would also make the header count again)
    read = sum(mark_read_for_link(current_user, path) for path in (request.path, *also))
    if read:
        db.session.commit()
    elif known is not None:
        queries.remember_unread(known)  # the UPDATE changed nothing: the count still holds
