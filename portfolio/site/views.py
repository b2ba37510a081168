"""Site admin pages: list centres, create a centre with its first admin, add an admin to a
centre."""

from flask import Blueprint, render_template

from portfolio import authz
from portfolio.accounts import queries, services
from portfolio.accounts.errors import AccountError
from portfolio.accounts.models import Centre
from portfolio.accounts.views import password_issued
from portfolio.auth.passwords import temporary_password
from portfolio.extensions import db
from portfolio.pagination import paginate
from portfolio.roles import Role
from portfolio.site import queries as site_queries
from portfolio.site.forms import CentreAdminForm, CentreForm

bp = Blueprint("site", __name__, url_prefix="/site")


@bp.before_request
@authz.role_required(Role.SITE_ADMIN)
def _site_admins_only():
    """Every page here belongs to site admins."""


@bp.get("/centres")
def centres():
    page = paginate(site_queries.centres_with_admin_counts(), rows=True)
    return render_template("site/centres.html", page=page)


def _issue_admin(form, centre_for, error_fields: dict[str, str]):
    """Create a centre admin from the form's admin fields (in the centre `centre_for()` gives,
    called inside the same transaction) and show their temporary password once; on a refusal,
    put the message on the field `error_fields` names for it and return None."""
    temporary = temporary_password()
    try:
        admin = services.create_user(
            email=form.admin_email.data,
            full_name=form.admin_name.data,
            role=Role.CENTRE_ADMIN,
            centre=centre_for(),
            password=temporary,
        )
    except AccountError as exc:
        db.session.rollback()
        getattr(form, error_fields.get(exc.field, "admin_name")).errors.append(exc.message)
        return None
    db.session.commit()
    return password_issued(admin, temporary)


@bp.route("/centres/new", methods=["GET", "POST"])
def new_centre():
    form = CentreForm()
    if form.validate_on_submit():
        issued = _issue_admin(
            form,
            lambda: services.create_centre(name=form.name.data),
            {"email": "admin_email", "name": "name"},
        )
        if issued is not None:
            return issued
    _say_email_taken(form)
    name = form.name
    if form.is_submitted() and not name.errors and name.data:
        if services.centre_name_taken(name.data):
            name.errors.append(services.CENTRE_NAME_TAKEN)
    return render_template("site/centre_form.html", form=form)


def _say_email_taken(form) -> None:
    """A refused form whose email is already someone's says so now, beside its other problems
    (a blank or taken name stops the admin being tried), so they are fixed at once."""
    field = form.admin_email
    if form.is_submitted() and not field.errors and field.data and services.email_taken(field.data):
        field.errors.append(services.EMAIL_TAKEN)


@bp.route("/centres/<int:centre_id>/admins/new", methods=["GET", "POST"])
def new_centre_admin(centre_id: int):
    """Add an admin to a centre, with a temporary password shown once: without it, a centre
    whose only admin left, or lost the first temporary password, had nobody to run it."""
    centre = db.get_or_404(Centre, centre_id)
    form = CentreAdminForm()
    if form.validate_on_submit():
        issued = _issue_admin(form, lambda: centre, {"email": "admin_email"})
        if issued is not None:
            return issued
    _say_email_taken(form)
    admins = queries.centre_admins(centre.id)
    return render_template("site/admin_form.html", form=form, centre=centre, admins=admins)
