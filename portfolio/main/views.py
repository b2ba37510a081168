"""Dashboards by role."""

import functools
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from portfolio.accounts.models import Centre, User
from portfolio.extensions import db
from portfolio.main import dashboards, learner_dashboard
from portfolio.pagination import paginate
from portfolio.review import iqa_queries
from portfolio.review import queries as review_queries
from portfolio.roles import Role

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return redirect(url_for("auth.login"))


@functools.cache
def _staff_learners(role: Role) -> sa.Select:
    """An assessor's or IQA's learners (authz.learners_visible_to) by name, as rows of what
    the dashboard lists; built once for each role: bind :centre_id and :staff_id."""
    allocated = User.assessor_id if role == Role.ASSESSOR else User.iqa_id
    return (
        sa.select(User.id, User.full_name, User.email)
        .where(
            User.role == Role.LEARNER,
            User.centre_id == sa.bindparam("centre_id"),
            allocated == sa.bindparam("staff_id"),
        )
        .order_by(User.full_name, User.id)
    )


@bp.get("/dashboard")
@login_required
def dashboard():
    context: dict = {}
    if current_user.role == Role.SITE_ADMIN:
        context["centres"] = db.session.scalar(sa.select(sa.func.count(Centre.id)))
    elif current_user.role == Role.LEARNER:
        context |= learner_dashboard.learner_context(current_user, date.today())
    elif current_user.role == Role.CENTRE_ADMIN:
        context |= dashboards.admin_context(current_user, date.today())
        context |= dashboards.centre_counts(current_user.centre_id)
    elif current_user.role in (Role.ASSESSOR, Role.IQA):
        context["learners"] = paginate(
            _staff_learners(current_user.role),
            rows=True,
            params={"centre_id": current_user.centre_id, "staff_id": current_user.id},
        )
        if current_user.role == Role.IQA:
            context["open_samples"], context["open_total"] = iqa_queries.open_samples(current_user)
        else:
            context["iqa_reviews"] = iqa_queries.reviews_awaiting_response(current_user)
            context["standardisation"] = review_queries.standardisation_pending(current_user)
            context |= review_queries.queue_glance(current_user)
    return render_template("main/dashboard.html", **context)
