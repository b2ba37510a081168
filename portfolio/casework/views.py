"""Case pages: the learner works the case; their assessor, IQA and centre admin read it."""

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from portfolio import authz, drafts
from portfolio.auth.forms import ReauthForm
from portfolio.casework import context, queries, services
from portfolio.casework.errors import AuthorisationNeeded, CaseworkError, StaleEdit
from portfolio.casework.forms import FindingForm, RecordForm, TimelineForm
from portfolio.casework.letter import letter_html
from portfolio.casework.models import Case, Finding, TimelineEntry
from portfolio.casework.records import CLEANERS
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.pagination import paginate
from portfolio.roles import Role

bp = Blueprint("casework", __name__, url_prefix="/cases")
# App-wide: the evidence pages, the marking bench and the PDF show the letter too.
bp.add_app_template_filter(letter_html, "letter")


SIGNED_OUT_DRAFT = (
    "You have been signed out (in another tab, or your password changed), so this draft was "
    "not saved. Copy your text somewhere safe, sign in again in a new tab, then reload this "
    "page and put your text back."
)


@bp.before_request
def _signed_in():
    """Every case page needs a signed-in user. A draft autosaved after the learner was signed
    out elsewhere is told so in JSON: the sign-in page it was redirected to read, to the page's
    script, as a network failure ("Offline: your draft will save when the connection
    returns"), which it never would."""
    if current_user.is_authenticated:
        return None
    if request.endpoint == "casework.autosave":
        return jsonify(error=SIGNED_OUT_DRAFT, signed_out=True), 401
    return current_app.login_manager.unauthorized()


_CASE_WITH_VERSION = (
    sa.select(Case).where(Case.id == sa.bindparam("case_id")).options(so.joinedload(Case.version))
)


def _case(case_id: int, *, work: bool = False) -> Case:
    """Load a case the user may see (404 otherwise); `work` also requires it to be theirs.
    Its version (without the scenario data) comes in the same statement: every case page
    reads it for the scenario."""
    case = db.session.scalar(_CASE_WITH_VERSION, {"case_id": case_id})
    if case is None:
        abort(404)
    if not authz.can_view_case(current_user, case):
        abort(404)
    if work:
        authz.require(authz.can_work_case, case)
    return case


def _back(case: Case, endpoint: str = "casework.overview", **kwargs):
    return redirect(url_for(endpoint, case_id=case.id, **kwargs))


@bp.get("/")
@authz.role_required(Role.LEARNER)
def my_cases():
    page = paginate(queries.cases_of_learner(), rows=True, params={"learner_id": current_user.id})
    finals = {row.id: queries.final_deadline(row) for row in page.items}
    titles = {row.id: queries.listed_title(row) for row in page.items}
    return render_template("casework/my_cases.html", page=page, finals=finals, titles=titles)


@bp.post("/start/<int:scenario_id>")
@authz.role_required(Role.LEARNER)
def start(scenario_id: int):
    scenario = db.get_or_404(LibraryScenario, scenario_id)
    if not authz.can_view_scenario(current_user, scenario) or not ReauthForm().validate():
        abort(404 if not authz.can_view_scenario(current_user, scenario) else 400)
    try:
        case = services.start_case(current_user, scenario)
    except CaseworkError as exc:
        flash(exc.message, "error")
        return redirect(url_for("library.detail", scenario_id=scenario.id))
    db.session.commit()
    flash("Your case is open. Read the referral, then start your investigation.", "success")
    return _back(case)


@bp.get("/<int:case_id>")
def overview(case_id: int):
    case = _case(case_id)
    return render_template("casework/overview.html", **context.case_page(case, current_user))


@bp.get("/<int:case_id>/file")
def case_file(case_id: int):
    case = _case(case_id)
    return render_template(
        "casework/file.html", finding_form=FindingForm(), **context.case_page(case, current_user)
    )


@bp.post("/<int:case_id>/file/<doc_id>/request")
def request_document(case_id: int, doc_id: str):
    case = _case(case_id, work=True)
    if ReauthForm().validate_on_submit():
        try:
            services.request_document(case, doc_id)
        except CaseworkError as exc:
            flash(exc.message, "error")
            return _back(case, "casework.case_file")
        db.session.commit()
    return _back(case, "casework.document", doc_id=doc_id)


@bp.get("/<int:case_id>/file/<doc_id>")
def document(case_id: int, doc_id: str):
    case = _case(case_id)
    page = context.case_page(case, current_user)
    doc = page["spec"].document(doc_id)
    if doc is None:
        abort(404)
    if page["is_learner"] and doc_id not in page["state"].requested:
        # Even on a set-aside case: reading costs simulated time, so it is never free.
        flash(
            "Request this document from the case file to read it."
            if page["can_work"]
            else "That document was not requested in this case.",
            "info",
        )
        return _back(case, "casework.case_file")
    # Shown as every other date is (14 Mar 2026), not as the scenario file's ISO string.
    dated = date.fromisoformat(doc.dated) if doc.dated else None
    return render_template(
        "casework/document.html", doc=doc, dated=dated, finding_form=FindingForm(), **page
    )


@bp.get("/<int:case_id>/interviews")
def interviews(case_id: int):
    case = _case(case_id)
    return render_template(
        "casework/interviews.html",
        finding_form=FindingForm(),
        pinned=context.findings_by_answer(case),
        **context.case_page(case, current_user),
    )


@bp.post("/<int:case_id>/interviews/<stakeholder_id>/<question_id>")
def ask(case_id: int, stakeholder_id: str, question_id: str):
    case = _case(case_id, work=True)
    if ReauthForm().validate_on_submit():
        try:
            services.ask_question(case, stakeholder_id, question_id)
        except CaseworkError as exc:
            flash(exc.message, "error")
        else:
            db.session.commit()
    return redirect(
        url_for("casework.interviews", case_id=case.id, _anchor=f"q-{stakeholder_id}-{question_id}")
    )


@bp.post("/<int:case_id>/findings")
def add_finding(case_id: int):
    case = _case(case_id, work=True)
    form = FindingForm()
    if not form.validate_on_submit():
        # A control character gets its own message: the generic one would not say what to fix.
        control = any("control character" in error for error in form.text.errors)
        flash(
            form.text.errors[-1]
            if control
            else "Write the finding (at most 2,000 characters) before you pin it.",
            "error",
        )
    else:
        try:
            services.pin_finding(
                case,
                text=form.text.data,
                document_id=form.document_id.data or None,
                stakeholder_id=form.stakeholder_id.data or None,
                question_id=form.question_id.data or None,
            )
        except CaseworkError as exc:
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("Finding pinned.", "success")
    return redirect(_after_finding(case, form))


def _after_finding(case: Case, form: FindingForm) -> str:
    """Back to the answer a finding was pinned from, at its place on the long interviews page
    (not the top of it), or to the timeline for a finding pinned from a document."""
    if request.form.get("next_page") != "interviews":
        return url_for("casework.timeline", case_id=case.id)
    stakeholder_id, question_id = form.stakeholder_id.data, form.question_id.data
    anchor = f"q-{stakeholder_id}-{question_id}" if stakeholder_id and question_id else None
    return url_for("casework.interviews", case_id=case.id, _anchor=anchor)


GONE = "That {what} is not on this case any more: it may have been removed in another tab."


@bp.post("/<int:case_id>/findings/<int:finding_id>/delete")
def remove_finding(case_id: int, finding_id: int):
    case = _case(case_id, work=True)
    finding = db.session.scalar(
        db.select(Finding).where(Finding.id == finding_id, Finding.case_id == case.id)
    )
    if finding is None:
        # Removed already (in another tab): say so rather than answer "Not found".
        flash(GONE.format(what="finding"), "info")
        return _back(case, "casework.timeline")
    if ReauthForm().validate_on_submit():
        try:
            services.remove_finding(case, finding)
        except CaseworkError as exc:
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("Finding removed.", "success")
    return _back(case, "casework.timeline")


@bp.route("/<int:case_id>/timeline", methods=["GET", "POST"])
def timeline(case_id: int):
    case = _case(case_id)
    form = TimelineForm()
    if request.method == "POST":
        authz.require(authz.can_work_case, case)
        if form.validate_on_submit():
            try:
                services.add_timeline_entry(
                    case,
                    occurred_on=form.occurred_on.data,
                    description=form.description.data,
                    document_id=form.document_id.data or None,
                )
            except CaseworkError as exc:
                form.form_errors.append(exc.message)
            else:
                db.session.commit()
                return _back(case, "casework.timeline")
    return render_template(
        "casework/timeline.html", form=form, **context.case_page(case, current_user)
    )


@bp.post("/<int:case_id>/timeline/<int:entry_id>/delete")
def remove_timeline_entry(case_id: int, entry_id: int):
    case = _case(case_id, work=True)
    entry = db.session.scalar(
        db.select(TimelineEntry).where(
            TimelineEntry.id == entry_id, TimelineEntry.case_id == case.id
        )
    )
    if entry is None:
        flash(GONE.format(what="timeline entry"), "info")
        return _back(case, "casework.timeline")
    if ReauthForm().validate_on_submit():
        try:
            services.remove_timeline_entry(case, entry)
        except CaseworkError as exc:
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("Timeline entry removed.", "success")
    return _back(case, "casework.timeline")


def _version(form: RecordForm) -> int | None:
    return form.version.data or None


def _submitted() -> dict:
    """The posted fields as the record cleaners read them: one value per field, except the
    remedy's ticked menu items, which are a list (every box ticked, not just the first)."""
    return request.form.to_dict() | {"remedy_ids": request.form.getlist("remedy_ids")}


@bp.route("/<int:case_id>/records/<kind>", methods=["GET", "POST"])
def record(case_id: int, kind: str):
    if kind not in CLEANERS:
        abort(404)
    case = _case(case_id)
    form = RecordForm()
    status, error, submitted = 200, None, None
    if request.method == "POST":
        authz.require(authz.can_work_case, case)
        if form.validate_on_submit():
            try:
                services.save_record(
                    case,
                    kind,
                    _submitted(),
                    expected_version=_version(form),
                )
            except StaleEdit as exc:
                db.session.rollback()
                error, submitted, status = exc.message, request.form, 409
            except CaseworkError as exc:
                db.session.rollback()
                error, submitted, status = exc.message, request.form, 422
            else:
                db.session.commit()
                flash("Saved.", "success")
                return _back(case, "casework.record", kind=kind)
        else:
            error, submitted, status = "The form could not be read. Try again.", request.form, 400
    page = context.case_page(case, current_user)
    return (
        render_template(
            f"casework/record_{kind}.html",
            kind=kind,
            form=form,
            error=error,
            submitted=submitted,
            status=status,
            **page,
            **context.record_page(case, kind, page),
        ),
        status,
    )


@bp.post("/<int:case_id>/records/<kind>/autosave")
def autosave(case_id: int, kind: str):
    """Save a draft from the page's script; answers JSON. 409 when the record is stale."""
    if kind not in CLEANERS:
        abort(404)
    case = _case(case_id, work=True)
    form = RecordForm()
    if not form.validate():
        return drafts.not_saved(drafts.UNREADABLE, 400)
    try:
        saved = services.save_record(
            case,
            kind,
            _submitted(),
            expected_version=_version(form),
            draft=True,
        )
    except StaleEdit as exc:
        db.session.rollback()
        return drafts.not_saved(exc.message, 409, stale=True)
    except CaseworkError as exc:
        db.session.rollback()
        return drafts.not_saved(exc.message, 422)
    db.session.commit()
    return drafts.saved(saved.version, saved.updated_at)


@bp.post("/<int:case_id>/authorisation")
def authorise(case_id: int):
    case = _case(case_id, work=True)
    if ReauthForm().validate_on_submit():
        try:
            answer = services.request_authorisation(case)
        except CaseworkError as exc:
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(
                ("Authorised: " if answer["approved"] else "Not authorised: ") + answer["message"],
                "success" if answer["approved"] else "warning",
            )
    return _back(case, "casework.record", kind="remedy")


@bp.post("/<int:case_id>/send")
def send(case_id: int):
    case = _case(case_id, work=True)
    if ReauthForm().validate_on_submit():
        try:
            services.send_response(case)
        except CaseworkError as exc:
            flash(exc.message, "error")
            # Authorisation is asked for on the remedy page.
            kind = "remedy" if isinstance(exc, AuthorisationNeeded) else "letter"
            return _back(case, "casework.record", kind=kind)
        db.session.commit()
    return _back(case, "casework.record", kind="outcome")


@bp.get("/<int:case_id>/log")
def case_log(case_id: int):
    case = _case(case_id)
    return render_template("casework/log.html", **context.case_page(case, current_user))
