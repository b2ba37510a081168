"""Centre administration: users and their allocation (centre admins only); the cohort pages,
on the same blueprint, are in cohort_views."""

from flask import (
    Blueprint,
    Response,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms import SelectChoice

from portfolio import authz
from portfolio.accounts import queries, services
from portfolio.accounts.errors import AccountError
from portfolio.accounts.forms import MoveLearnersForm, UserForm
from portfolio.accounts.models import User
from portfolio.auth.forms import ReauthForm
from portfolio.auth.passwords import temporary_password
from portfolio.control_characters import without_control_characters
from portfolio.extensions import db
from portfolio.pagination import paginate
from portfolio.roles import Role
from portfolio.url_slots import url_slot

bp = Blueprint("accounts", __name__, url_prefix="/centre")


@bp.before_request
@authz.role_required(Role.CENTRE_ADMIN)
def _centre_admins_only():
    """Every page here belongs to centre admins."""


def password_issued(user: User, password: str) -> Response:
    """The page that shows a temporary password, once. The browser must not keep it: on a
    shared training-room PC, Back/Forward or the cache would show the password again."""
    response = make_response(
        render_template("accounts/password_issued.html", user=user, password=password)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _load_user(user_id: int) -> User:
    """A user of the admin's own centre, or 404: another centre's IDs are never found."""
    return db.first_or_404(authz.users_managed_by(current_user).where(User.id == user_id))


def _allocation_choices(form: UserForm) -> None:
    none = [SelectChoice(0, "Not allocated")]
    centre_id = current_user.centre_id
    assessors = db.session.scalars(queries.centre_staff(centre_id, Role.ASSESSOR))
    iqas = db.session.scalars(queries.centre_staff(centre_id, Role.IQA))
    form.assessor.choices = none + [SelectChoice(u.id, u.full_name) for u in assessors]
    form.iqa.choices = none + [SelectChoice(u.id, u.full_name) for u in iqas]


def _staff(user_id: int | None) -> User | None:
    if not user_id:
        return None
    return db.session.scalar(authz.users_managed_by(current_user).where(User.id == user_id))


@bp.get("/users")
def users():
    role = request.args.get("role", "")
    role_filter = Role(role) if role in Role._value2member_map_ else None
    q = without_control_characters(request.args.get("q", "")[:100])
    unallocated = request.args.get("unallocated") == "1"
    listed, count, params = queries.centre_users(
        current_user.centre_id, role=role_filter, q=q, unallocated=unallocated
    )
    page = paginate(listed, rows=True, count=count, params=params)
    return render_template(
        "accounts/users.html",
        page=page,
        user_url=url_slot("accounts.edit_user", "user_id"),
        q=q,
        role=role,
        unallocated=unallocated,
        roles=Role,
        action_form=ReauthForm(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    _allocation_choices(form)
    if form.validate_on_submit():
        temporary = temporary_password()
        try:
            user = services.create_user(
                email=form.email.data,
                full_name=form.full_name.data,
                role=Role(form.role.data),
                centre=current_user.centre,
                password=temporary,
            )
            services.update_user(
                user,
                email=user.email,
                full_name=user.full_name,
                role=user.role,
                assessor=_staff(form.assessor.data),
                iqa=_staff(form.iqa.data),
                is_new_assessor=form.is_new_assessor.data,
                by=current_user,
            )
        except AccountError as exc:
            db.session.rollback()
            getattr(form, exc.field or "email").errors.append(exc.message)
        else:
            db.session.commit()
            # Shown once, on this page only: never put a password in a flash cookie.
            return password_issued(user, temporary)
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = _load_user(user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    _allocation_choices(form)
    if request.method == "GET":
        form.role.data = user.role.value
        form.assessor.data = user.assessor_id or 0
        form.iqa.data = user.iqa_id or 0
        form.seen.data = services.user_stamp(user)
    if form.validate_on_submit():
        try:
            services.update_user(
                user,
                email=form.email.data,
                full_name=form.full_name.data,
                role=Role(form.role.data),
                assessor=_staff(form.assessor.data),
                iqa=_staff(form.iqa.data),
                is_new_assessor=form.is_new_assessor.data,
                by=current_user,
                seen=form.seen.data or None,
            )
        except services.UserChanged as exc:
            db.session.rollback()
            user = _load_user(user_id)
            form.seen.data = services.user_stamp(user)  # saving again overwrites
            form.form_errors.append(exc.message)
        except AccountError as exc:
            db.session.rollback()
            user = _load_user(user_id)
            getattr(form, exc.field or "email").errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Saved the changes to {user.full_name}.", "success")
            return redirect(url_for("accounts.users"))
    return render_template(
        "accounts/user_form.html",
        form=form,
        user=user,
        action_form=ReauthForm(),
        **_allocated(user),
    )


def _move_form(user: User) -> MoveLearnersForm:
    """The form that moves a staff member's learners, offering the centre's other active
    holders of the same role."""
    form = MoveLearnersForm()
    others = db.session.scalars(queries.centre_staff(user.centre_id, user.role))
    form.to.choices = [SelectChoice(u.id, u.full_name) for u in others if u.id != user.id]
    return form


def _allocated(user: User) -> dict:
    """For an assessor or IQA: how many learners they have, a few names, and the move form."""
    if user.role not in (Role.ASSESSOR, Role.IQA):
        return {"allocated": 0}
    count, names = services.allocated_learners(user)
    return {"allocated": count, "allocated_names": names, "move_form": _move_form(user)}


@bp.post("/users/<int:user_id>/move-learners")
def move_learners(user_id: int):
    user = _load_user(user_id)
    form = _move_form(user)
    if form.validate_on_submit():
        try:
            moved = services.move_learners(user, to=_staff(form.to.data), by=current_user)
        except AccountError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            learners = "1 learner" if moved == 1 else f"{moved} learners"
            flash(f"Moved {learners} from {user.full_name}.", "success")
    else:
        flash("Choose who to move the learners to.", "error")
    return redirect(url_for("accounts.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/active")
def toggle_active(user_id: int):
    """Deactivate or reactivate, as the form says (`active=0` or `1`): flipping whatever the
    state now is let a second click, or a stale page in another tab, undo the first."""
    user = _load_user(user_id)
    wanted = {"0": False, "1": True}.get(request.form.get("active", ""))
    if wanted is None:
        flash("Nothing was changed: use the Deactivate or Reactivate button on this page.", "error")
    elif wanted == user.active:
        state = "active" if user.active else "deactivated"
        flash(f"{user.full_name}'s account is already {state}: nothing was changed.", "info")
    elif ReauthForm().validate_on_submit():
        try:
            services.set_active(user, active=wanted, by=current_user)
        except AccountError as exc:
            flash(exc.message, "error")
        else:
            db.session.commit()
            state = "reactivated" if user.active else "deactivated"
            flash(f"{user.full_name}'s account has been {state}.", "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    user = _load_user(user_id)
    if not ReauthForm().validate_on_submit():
        return redirect(url_for("accounts.edit_user", user_id=user.id))
    temporary = temporary_password()
    services.reset_password(user, temporary=temporary)
    db.session.commit()
    return password_issued(user, temporary)


# The cohort, import and allocation pages share this blueprint; importing them registers
# their routes.
from portfolio.accounts import allocation_views, cohort_views, import_views  # noqa: E402, F401
