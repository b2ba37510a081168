"""Library pages: browse, read a scenario's brief, preview it with guidance, upload, publish."""

import io
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from portfolio import authz
from portfolio.auth.forms import ReauthForm
from portfolio.casework.queries import open_case
from portfolio.casework.services import exercise_kept_on_restart
from portfolio.exercises.models import Exercise
from portfolio.exercises.queries import exercises_visible_to
from portfolio.extensions import db
from portfolio.framework.queries import unit_by_code
from portfolio.library import queries, services
from portfolio.library.format_guide import EXAMPLE_SLUG, example_zip, render_format_guide
from portfolio.library.forms import UploadForm
from portfolio.library.models import LibraryScenario, ScenarioVersion
from portfolio.pagination import paginate
from portfolio.record_ids import record_id
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
    page = paginate(
        queries.library_page(current_user.role == Role.LEARNER),
        params={"centre_id": current_user.centre_id},
    )
    can_upload = current_user.role == Role.CENTRE_ADMIN
    drafts = queries.draft_numbers([s.id for s in page.items]) if can_upload else {}
    return render_template(
        "library/index.html",
        page=page,
        can_upload=can_upload,
        drafts=drafts,
        # Staff tell apart scenarios with the same title (say a centre's copy of a bundled one).
        show_slugs=current_user.role != Role.LEARNER,
    )


@bp.get("/<int:scenario_id>")
def detail(scenario_id: int):
    scenario = _load(scenario_id)
    version = queries.current_version(scenario)
    can_manage = authz.can_manage_scenario(current_user, scenario)
    case = open_case(current_user, scenario.id) if current_user.role == Role.LEARNER else None
    # Starting again on an exercise's case: the page says whether the new case stays in it.
    case_exercise = None
    if case is not None and case.exercise_id is not None:
        case_exercise = db.session.get(Exercise, case.exercise_id)
    can_preview = authz.can_preview_guidance(current_user, scenario)
    # An exercise on this scenario open to the learner, which their open case (if any) is not
    # part of: a case started here would be practice, which the exercise's board never sees.
    set_for_you = []
    if current_user.role == Role.LEARNER:
        today = date.today()
        set_for_you = [
            e
            for e in db.session.scalars(
                exercises_visible_to(current_user).where(
                    Exercise.scenario_id == scenario.id,
                    Exercise.opens_on <= today,
                    Exercise.closes_on >= today,
                )
            ).unique()
            if case is None or case.exercise_id != e.id
        ]
    return render_template(
        "library/detail.html",
        scenario=scenario,
        version=version,
        earlier=queries.earlier_versions(scenario) if can_preview else [],
        spec=queries.spec_of(version),
        draft=queries.draft_version(scenario) if can_manage else None,
        exercises=queries.exercises_using(scenario, date.today())
        if can_manage and scenario.published
        else [],
        can_preview=can_preview,
        can_manage=can_manage,
        can_start=current_user.role == Role.LEARNER,
        open_case=case,
        # A case keeps the version it began on; this page shows the current one.
        case_version=(
            db.session.get(ScenarioVersion, case.scenario_version_id)
            if case is not None and case.scenario_version_id != version.id
            else None
        ),
        case_exercise=case_exercise,
        exercise_kept=exercise_kept_on_restart(current_user, case) if case_exercise else None,
        action_form=ReauthForm(),
        set_for_you=set_for_you,
    )


@bp.get("/<int:scenario_id>/preview")
def preview(scenario_id: int):
    """The scenario with its assessor guidance: a given `?version=` number, else the draft
    waiting to be published (for the admin who publishes it), else the live version."""
    scenario = _load(scenario_id)
    authz.require(authz.can_preview_guidance, scenario)
    number = request.args.get("version", type=int)
    if number is not None:
        # Checked against the scenario's own range first: a number beyond the database's
        # integers must be "not found", never an overflow.
        version = queries.version_numbered(scenario, number) if 0 < number <= 2**31 else None
        if version is None:
            abort(404)
    else:
        draft = None
        if authz.can_manage_scenario(current_user, scenario):
            draft = queries.draft_version(scenario)
        version = draft or queries.current_version(scenario)
    spec = queries.spec_of(version)
    # A version never published that a later upload passed over never goes live: Publish
    # takes the newest draft.
    newest_draft = queries.draft_version(scenario) if version.draft else None
    return render_template(
        "library/preview.html",
        scenario=scenario,
        version=version,
        passed_over=version.draft and newest_draft != version,
        newest_draft=newest_draft,
        live=scenario.published and version.number == scenario.current_number and not version.draft,
        spec=spec,
        unit=unit_by_code(spec.unit),
    )


@bp.route("/upload", methods=["GET", "POST"])
@authz.role_required(Role.CENTRE_ADMIN)
def upload():
    form = UploadForm()
    errors, name = [], None
    if form.validate_on_submit():
        name = form.archive.data.filename or "upload.zip"
        try:
            # Errors name each file by its path inside the zip; the page names the zip once.
            files = read_zip(form.archive.data.read(), label=name, member_prefix="")
            units = {u.unit.code: u for u in queries.unit_specs()}
            spec = load_scenario_from_files(files, units=units, label=files.folder)
        except ScenarioInvalid as exc:
            errors = exc.errors
        else:
            result = services.import_scenario(spec, centre=current_user.centre, by=current_user)
            db.session.commit()
            scenario = result.version.scenario
            if result.created:
                flash(_uploaded_message(spec.title, result.version, scenario), "success")
            else:
                flash(_unchanged_message(result.version, scenario), "info")
            return redirect(url_for("library.detail", scenario_id=scenario.id))
    return render_template(
        "library/upload.html", form=form, errors=errors, zip_name=name if errors else None
    )


def _uploaded_message(title: str, version, scenario: LibraryScenario) -> str:
    """What an upload did, saying which version learners get meanwhile."""
    message = f"Uploaded {title} as version {version.number}, a draft."
    # A folder copied to start another scenario keeps the first one's slug, and so becomes its
    # next version: say so while the mistake is cheap to undo.
    before = queries.version_numbered(scenario, version.number - 1)
    if before is not None and (old := queries.spec_of(before).title) != title:
        message = (
            f"{message} It replaces “{old}” (version {before.number}): a scenario is known by "
            f"its slug, {scenario.slug}, whatever its title. If this is a different scenario, "
            "give it a slug of its own in scenario.yaml and upload it again."
        )
    if scenario.published and scenario.current_number != version.number:
        return (
            f"{message} Learners, new cases and new exercises keep version "
            f"{scenario.current_number} until you publish it: preview it first."
        )
    return f"{message} Preview it, then publish it to your learners."


def _unchanged_message(version, scenario: LibraryScenario) -> str:
    """An upload identical to a stored version, saying which one and which version learners
    get: re-uploading an earlier version's files does not bring it back."""
    message = (
        f"That file is identical to version {version.number}, already stored: nothing changed."
    )
    # A version is stored once; to bring an earlier one back its files must differ.
    go_back = (
        f" To make version {version.number}'s content the next version, change any file (a "
        "comment line in scenario.yaml will do) and upload it again."
    )
    newest = queries.draft_version(scenario)
    if newest is not None and newest.number != version.number:
        # Preview and Publish act on the newest draft, not on the version matched.
        return (
            f"{message} Version {newest.number}, uploaded since, is the draft that Publish "
            f"puts live.{go_back}"
        )
    if newest is not None:
        return f"{message} It is still a draft: preview it, then publish it to your learners."
    if version.number != scenario.current_number:
        stays = "the live version" if scenario.published else "the current version"
        return f"{message} Version {scenario.current_number} stays {stays}.{go_back}"
    return message


@bp.get("/format")
@authz.role_required(Role.CENTRE_ADMIN)
def format_guide():
    """The scenario file format guide, for admins writing a scenario to upload."""
    guide = render_format_guide(current_app.config["SCENARIOS_DIR"])
    if guide is None:
        abort(404)
    return render_template("library/format.html", guide=guide, example=EXAMPLE_SLUG)


@bp.get("/example.zip")
@authz.role_required(Role.CENTRE_ADMIN)
def example():
    """A bundled scenario zipped as an upload: a worked example to start from. Centre admins
    only, as it holds the assessor guidance."""
    data = example_zip(current_app.config["SCENARIOS_DIR"])
    if data is None:
        abort(404)
    return send_file(
        io.BytesIO(data),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{EXAMPLE_SLUG}.zip",
    )


@bp.post("/<int:scenario_id>/publish")
def publish(scenario_id: int):
    """Publish the scenario (its draft becomes the live version) when the form says
    `action=publish`, or withdraw it when it says `action=withdraw`. The form names what it
    does, so a repeated click never undoes it; a post that names neither changes nothing (it
    used to publish, so a stale or tampered form put a withdrawn scenario back in front of
    learners)."""
    scenario = _load(scenario_id)
    authz.require(authz.can_manage_scenario, scenario)
    action = request.form.get("action")
    if action not in ("publish", "withdraw"):
        flash("Nothing was changed: use the Publish or Withdraw button on this page.", "error")
    elif ReauthForm().validate_on_submit():
        try:
            if action == "withdraw":
                services.withdraw_scenario(scenario)
                message = f"{scenario.title} is withdrawn: learners no longer see it."
            else:
                version = services.publish_scenario(
                    scenario, number=record_id(request.form.get("version", ""))
                )
                message = (
                    f"{scenario.title} is published to your learners: version "
                    f"{version.number} is live."
                )
        except services.LibraryError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(message, "success")
    return redirect(url_for("library.detail", scenario_id=scenario.id))
