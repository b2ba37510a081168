"""Allocating many learners at once to an assessor and an IQA. Routes of the accounts
blueprint (centre admins only, see views._centre_admins_only)."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from portfolio import authz
from portfolio.accounts import allocation
from portfolio.accounts.errors import AccountError
from portfolio.accounts.forms import AllocationForm
from portfolio.accounts.models import Cohort, User
from portfolio.accounts.views import bp
from portfolio.control_characters import without_control_characters
from portfolio.extensions import db
from portfolio.pagination import paginate
from portfolio.record_ids import record_id
from portfolio.roles import Role

KEEP = SelectChoice(0, "Leave as it is")
# The query-string names of the learner filter and its pages.
FILTER_ARGS = ("cohort", "lacking", "q", "page")


def _chosen_filter(cohorts: list) -> allocation.LearnerFilter:
    """The filter in the query string; a cohort that is not one of the centre's is ignored."""
    cohort_id = record_id(request.args.get("cohort", ""))
    return allocation.LearnerFilter(
        cohort_id=cohort_id if cohort_id in {c.id for c in cohorts} else None,
        lacking=request.args.get("lacking") == "1",
        q=without_control_characters(request.args.get("q", "")[:100]),
    )


def _staff_choices(form: AllocationForm) -> None:
    staff = allocation.staff_names(current_user.centre_id)
    for select, role in ((form.assessor, Role.ASSESSOR), (form.iqa, Role.IQA)):
        select.choices = [KEEP] + [SelectChoice(u.id, u.full_name) for u in staff[role]]


def _staff(user_id: int) -> User | None:
    if not user_id:
        return None
    return db.session.scalar(authz.users_managed_by(current_user).where(User.id == user_id))


def _done(count: int, assessor: User | None, iqa: User | None) -> str:
    who = " and ".join(
        f"{job} {person.full_name}"
        for job, person in (("assessor", assessor), ("IQA", iqa))
        if person is not None
    )
    return f"Allocated {count:,} learner{'' if count == 1 else 's'} to {who}."


@bp.route("/allocation", methods=["GET", "POST"])
def allocation_page():
    cohorts = db.session.execute(
        sa.select(Cohort.id, Cohort.name)
        .where(Cohort.centre_id == current_user.centre_id)
        .order_by(Cohort.name)
    ).all()
    chosen = _chosen_filter(cohorts)
    listed, count, params = allocation.learners(current_user.centre_id, chosen)
    page = paginate(listed, rows=True, count=count, params=params)
    form = AllocationForm()
    _staff_choices(form)
    form.scope.choices = [
        SelectChoice("ticked", "The learners ticked above"),
        SelectChoice(
            "all", f"All {page.total:,} learner{'' if page.total == 1 else 's'} the filter finds"
        ),
    ]
    posted = request.form.getlist("learners")
    ids = [record_id(v) for v in posted]
    error = None
    if form.validate_on_submit():
        assessor, iqa = _staff(form.assessor.data), _staff(form.iqa.data)
        try:
            if None in ids:
                raise AccountError(
                    "One of the learners ticked is not a learner of this centre (the form may "
                    "be out of date). Nothing was changed: tick them afresh.",
                    "learners",
                )
            changed = allocation.allocate(
                current_user.centre_id,
                assessor=assessor,
                iqa=iqa,
                learner_ids=ids if form.scope.data == "ticked" else None,
                everyone_in=chosen if form.scope.data == "all" else None,
            )
        except AccountError as exc:
            db.session.rollback()
            if exc.field in ("assessor", "iqa"):
                getattr(form, exc.field).errors.append(exc.message)
            else:
                error = exc.message
        else:
            db.session.commit()
            flash(_done(changed, assessor, iqa), "success")
            # Back to the same filter: only its own names, so that another in the query string
            # (endpoint, _scheme) cannot break the redirect.
            kept = {k: v for k, v in request.args.items() if k in FILTER_ARGS}
            return redirect(url_for("accounts.allocation_page", **kept))
    return render_template(
        "accounts/allocation.html",
        form=form,
        page=page,
        chosen=chosen,
        cohorts=cohorts,
        ticked={i for i in ids if i is not None},
        learners_error=error,
    )
