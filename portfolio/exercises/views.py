"""Exercise pages: the list, creating one, the exercise page with the live board, deleting
one set in error, and a learner starting their case from it."""

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portfolio import authz
from portfolio.auth.forms import ReauthForm
from portfolio.casework import services as casework
from portfolio.casework.errors import CaseworkError
from portfolio.casework.queries import open_case
from portfolio.db import utcnow
from portfolio.exercises import queries, services
from portfolio.exercises.forms import ExerciseChangeForm, ExerciseForm
from portfolio.exercises.models import Exercise
from portfolio.exercises.services import ExerciseError
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.notifications.pages import read_notifications_of_this_page
from portfolio.pagination import paginate
from portfolio.roles import Role
from portfolio.url_slots import url_slot

bp = Blueprint("exercises", __name__, url_prefix="/exercises")


@bp.before_request
@login_required
def _signed_in():
    """Every exercise page needs a signed-in user."""


def _exercise(exercise_id: int) -> Exercise:
    """An exercise the user may see (404 otherwise)."""
    return db.first_or_404(
        queries.exercises_visible_to(current_user)
        .where(Exercise.id == exercise_id)
        .options(so.joinedload(Exercise.version))
    )


@bp.get("/")
def index():
    status = request.args.get("status", "")
    status = status if status in queries.EXERCISE_STATUSES else ""
    today = date.today()
    listed, params = queries.exercise_list(current_user, status=status, today=today)
    page = paginate(listed, rows=True, params=params)
    return render_template(
        "exercises/index.html",
        page=page,
        exercise_url=url_slot("exercises.detail", "exercise_id"),
        version_title=queries.version_title,
        today=today,
        status=status,
        statuses=queries.EXERCISE_STATUSES,
        can_create=current_user.role == Role.CENTRE_ADMIN,
    )


@bp.route("/new", methods=["GET", "POST"])
@authz.role_required(Role.CENTRE_ADMIN)
def new():
    form = ExerciseForm()
    cohorts = {c.id: c for c in queries.centre_cohorts(current_user)}
    scenarios, versions = queries.assignable_scenarios(current_user)
    form.offer(cohorts.values(), scenarios, versions)
    if form.validate_on_submit():
        try:
            exercise = services.create_exercise(
                cohort=cohorts[form.cohort.data],
                scenario=next(s for s in scenarios if s.id == form.scenario.data),
                version=next((v for v in versions if v.id == form.version.data), None),
                title=form.title.data,
                opens_on=form.opens_on.data,
                closes_on=form.closes_on.data,
                by=current_user,
            )
        except services.SameExercise as exc:
            db.session.rollback()
            flash(exc.message, "info")
            return redirect(url_for("exercises.detail", exercise_id=exc.exercise.id))
        except ExerciseError as exc:
            db.session.rollback()
            getattr(form, exc.field or "title").errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Exercise set for {exercise.cohort.name}.", "success")
            return redirect(url_for("exercises.detail", exercise_id=exercise.id))
    return render_template("exercises/new.html", form=form)


@bp.route("/<int:exercise_id>/edit", methods=["GET", "POST"])
@authz.role_required(Role.CENTRE_ADMIN)
def edit(exercise_id: int):
    exercise = _exercise(exercise_id)
    form = ExerciseChangeForm(obj=exercise if request.method == "GET" else None)
    if request.method == "GET":
        form.seen.data = services.exercise_stamp(exercise)
    if form.validate_on_submit():
        try:
            services.change_exercise(
                exercise,
                title=form.title.data,
                opens_on=form.opens_on.data,
                closes_on=form.closes_on.data,
                by=current_user,
                seen=form.seen.data or None,
            )
        except ExerciseError as exc:
            db.session.rollback()
            exercise = _exercise(exercise_id)
            if isinstance(exc, services.ExerciseChanged):
                form.seen.data = services.exercise_stamp(exercise)  # saving again overwrites
            getattr(form, exc.field or "title").errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Saved the changes to {exercise.title}.", "success")
            return redirect(url_for("exercises.detail", exercise_id=exercise.id))
    return render_template("exercises/edit.html", form=form, exercise=exercise)


@bp.get("/<int:exercise_id>/delete")
@authz.role_required(Role.CENTRE_ADMIN)
def confirm_delete(exercise_id: int):
    """What deleting the exercise would remove, and the button; or why it cannot go."""
    exercise = _exercise(exercise_id)
    deletion = services.deletion_of(exercise)
    return render_template(
        "exercises/delete.html",
        exercise=exercise,
        deletion=deletion,
        refusal=None if deletion.allowed else services.in_use_message(exercise, deletion.started),
        closed=date.today() > exercise.closes_on,
        form=ReauthForm(),
    )


@bp.post("/<int:exercise_id>/delete")
@authz.role_required(Role.CENTRE_ADMIN)
def delete(exercise_id: int):
    exercise = _exercise(exercise_id)
    title, cohort = exercise.title, exercise.cohort.name
    try:
        services.delete_exercise(exercise, by=current_user)
        db.session.commit()
    except ExerciseError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("exercises.confirm_delete", exercise_id=exercise_id))
    except sa.exc.IntegrityError:
        # A learner started a case between the check and the commit: the case stands.
        db.session.rollback()
        started = services.deletion_of(_exercise(exercise_id)).started or 1
        flash(services.in_use_message(_exercise(exercise_id), started), "error")
        return redirect(url_for("exercises.confirm_delete", exercise_id=exercise_id))
    flash(f"Deleted the exercise {title} for {cohort}.", "success")
    return redirect(url_for("exercises.index"))


@bp.get("/<int:exercise_id>")
def detail(exercise_id: int):
    exercise = _exercise(exercise_id)
    today = date.today()
    if current_user.role == Role.LEARNER:
        read_notifications_of_this_page()  # "Exercise open: …"
        # Only a case of this exercise is "your case" here: an open case on the same scenario
        # started from the library (or another exercise) is not on this exercise's board, so
        # offering to continue it left the learner "Not started" there, with no way to start.
        case = open_case(current_user, exercise.scenario_id)
        other = case if case is not None and case.exercise_id != exercise.id else None
        return render_template(
            "exercises/learner.html",
            exercise=exercise,
            today=today,
            case=None if other else case,
            other_case=other,
            other_exercise=db.session.get(Exercise, other.exercise_id)
            if other is not None and other.exercise_id
            else None,
            action_form=ReauthForm(),
        )
    board = queries.live_board(exercise, today, page=True)
    template = "exercises/_board.html" if request.args.get("fragment") else "exercises/board.html"
    return render_template(
        template,
        exercise=exercise,
        board=board,
        # A learner's name links to their case for those who may see their work (the centre's
        # admins; an assessor or IQA for the learners allocated to them).
        case_links={
            row.case_id
            for row in board.rows
            if row.case_id and authz.can_view_learner(current_user, row.learner)
        },
        case_url=url_slot("casework.overview", "case_id"),
        stage_labels=dict(queries.BOARD_STAGES),
        today=today,
        # On the app's clock (TIMEZONE, the UK's: GMT or BST), so the zone's name can be shown.
        updated_at=utcnow().astimezone(),
        can_edit=current_user.role == Role.CENTRE_ADMIN,
    )


@bp.post("/<int:exercise_id>/start")
@authz.role_required(Role.LEARNER)
def start(exercise_id: int):
    exercise = _exercise(exercise_id)
    if not ReauthForm().validate_on_submit():
        abort(400)
    scenario = db.session.get(LibraryScenario, exercise.scenario_id)
    try:
        case = casework.start_case(current_user, scenario, exercise=exercise)
        db.session.commit()
    except CaseworkError as exc:
        flash(exc.message, "error")
        return redirect(url_for("exercises.detail", exercise_id=exercise.id))
    except sa.exc.IntegrityError:
        # Deleted (set in error) between loading it and starting: the foreign key refused the
        # case, so there is nothing to start.
        db.session.rollback()
        flash(
            "This exercise has just been deleted by your centre, so no case was started. "
            "Your exercises are listed below.",
            "error",
        )
        return redirect(url_for("exercises.index"))
    return redirect(url_for("casework.overview", case_id=case.id))
