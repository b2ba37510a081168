"""Library pages: browse, read a scenario's brief, preview it with guidance, upload, publish."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from portfolio import authz
from portfolio.auth.forms import ReauthForm
from portfolio.casework.queries import open_case
from portfolio.extensions import db
from portfolio.framework.queries import unit_by_code
from portfolio.library import queries, services
from portfolio.library.forms import UploadForm
from portfolio.library.models import LibraryScenario
from portfolio.pagination import paginate
from portfolio.roles import Role
from portfolio.scenarios.errors import ScenarioInvalid
from portfolio.scenarios.loader import load_scenario_from_files
from portfolio.scenarios.zipfiles import read_zip

bp = Blueprint("library", __name__, url_prefix="/library")


@bp.before_request
@login_required
def _signed_in():
    """Every library page needs a signed-in user."""


def _load(scenario_id: int) -> LibraryScenario:
    scenario = db.get_or_404(LibraryScenario, scenario_id)
    if not authz.can_view_scenario(current_user, scenario):
        abort(404)  # another centre's scenario is simply not there
    return scenario


@bp.get("/")
def index():
    page = paginate(queries.scenarios_visible_to(current_user))
    can_upload = current_user.role == Role.CENTRE_ADMIN
    return render_template("library/index.html", page=page, can_upload=can_upload)


@bp.get("/<int:scenario_id>")
def detail(scenario_id: int):
    scenario = _load(scenario_id)
    spec = queries.spec_of(queries.current_version(scenario))
    return render_template(
        "library/detail.html",
        scenario=scenario,
        spec=spec,
        can_preview=authz.can_preview_guidance(current_user, scenario),
        can_manage=authz.can_manage_scenario(current_user, scenario),
        can_start=current_user.role == Role.LEARNER,
        open_case=open_case(current_user, scenario.id)
        if current_user.role == Role.LEARNER
        else None,
        action_form=ReauthForm(),
    )


@bp.get("/<int:scenario_id>/preview")
def preview(scenario_id: int):
    scenario = _load(scenario_id)
    authz.require(authz.can_preview_guidance, scenario)
    version = queries.current_version(scenario)
    spec = queries.spec_of(version)
    return render_template(
        "library/preview.html",
        scenario=scenario,
        version=version,
        spec=spec,
        unit=unit_by_code(spec.unit),
    )


@bp.route("/upload", methods=["GET", "POST"])
@authz.role_required(Role.CENTRE_ADMIN)
def upload():
    form = UploadForm()
    errors = []
    if form.validate_on_submit():
        name = form.archive.data.filename or "upload.zip"
        try:
            files = read_zip(form.archive.data.read(), label=name)
            units = {u.unit.code: u for u in queries.unit_specs()}
            spec = load_scenario_from_files(files, units=units, label=name.removesuffix(".zip"))
        except ScenarioInvalid as exc:
            errors = exc.errors
        else:
            result = services.import_scenario(spec, centre=current_user.centre, by=current_user)
            db.session.commit()
            scenario = result.version.scenario
            if result.created:
                flash(
                    f"Uploaded {scenario.title} as version {result.version.number}. Preview it, "
                    "then publish it to your learners.",
                    "success",
                )
            else:
                flash(
                    "That file is identical to a version already stored: nothing changed.", "info"
                )
            return redirect(url_for("library.detail", scenario_id=scenario.id))
    return render_template("library/upload.html", form=form, errors=errors)


@bp.post("/<int:scenario_id>/publish")
def publish(scenario_id: int):
    scenario = _load(scenario_id)
    authz.require(authz.can_manage_scenario, scenario)
    if ReauthForm().validate_on_submit():
        services.set_published(scenario, published=not scenario.published)
        db.session.commit()
        state = "published to your learners" if scenario.published else "withdrawn"
        flash(f"{scenario.title} is {state}.", "success")
    return redirect(url_for("library.detail", scenario_id=scenario.id))
