"""The notifications inbox. Every signed-in user has one; the header shows the unread count."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from portfolio.auth.forms import ReauthForm
from portfolio.db import utcnow
from portfolio.extensions import db
from portfolio.notifications import queries, services
from portfolio.pagination import paginate
from portfolio.review.models import Notification

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.before_request
@login_required
def _signed_in():
    """Every notifications page needs a signed-in user."""


@bp.app_context_processor
def _unread():
    """The header's unread count (read with the user), and none for anonymous visitors."""
    if not current_user.is_authenticated:
        return {"unread_count": 0}
    return {"unread_count": queries.header_unread_count(current_user)}


@bp.get("/")
def inbox():
    page = paginate(
        queries.inbox_statement(),
        params={"user_id": current_user.id, "now": utcnow()},
        per_page=30,
    )
    return render_template("notifications/inbox.html", page=page, action_form=ReauthForm())


@bp.post("/<int:notification_id>/open")
def open_notification(notification_id: int):
    notification = db.session.scalar(
        sa.select(Notification).where(
            Notification.id == notification_id,
            Notification.user_id == current_user.id,
            queries.visible(),
        )
    )
    if notification is None or not ReauthForm().validate_on_submit():
        abort(404 if notification is None else 400)
    services.mark_read(notification, by=current_user)
    db.session.commit()
    return redirect(notification.link or url_for("notifications.inbox"))


@bp.post("/read-all")
def read_all():
    if not ReauthForm().validate_on_submit():
        abort(400)
    count = services.mark_all_read(current_user)
    db.session.commit()
    flash(f"Marked {count} notification{'' if count == 1 else 's'} read.", "success")
    return redirect(url_for("notifications.inbox"))
