"""Complaint analysis and recommendations: the learner works them on their own case; their
assessor, IQA and centre admin read them; anyone else finds nothing (404)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portfolio import authz
from portfolio.analysis import AnalysisError
from portfolio.auth.forms import ReauthForm
from portfolio.casework.errors import CaseworkError, StaleEdit
from portfolio.casework.models import Case
from portfolio.casework.queries import spec_for
from portfolio.extensions import db
from portfolio.improvement import context, queries, services
from portfolio.improvement.figures import parse_params
from portfolio.improvement.forms import CommentaryForm, RecommendationForm, SaveAnalysisForm
from portfolio.improvement.models import Recommendation, SavedAnalysis

bp = Blueprint("improvement", __name__, url_prefix="/cases")


@bp.before_request
@login_required
def _signed_in():
    """Every page needs a signed-in user."""


def _case(case_id: int, *, work: bool = False) -> Case:
    """Load a case the user may see (404 otherwise); `work` also requires it to be theirs."""
    case = db.get_or_404(Case, case_id)
    if not authz.can_view_case(current_user, case):
        abort(404)
    if work:
        authz.require(authz.can_work_case, case)
    return case


def _analysis(case: Case, analysis_id: int) -> SavedAnalysis:
    query = db.select(SavedAnalysis).where(
        SavedAnalysis.id == analysis_id, SavedAnalysis.case_id == case.id
    )
    return db.first_or_404(query)


def _recommendation(case: Case, recommendation_id: int) -> Recommendation:
    query = db.select(Recommendation).where(
        Recommendation.id == recommendation_id, Recommendation.case_id == case.id
    )
    return db.first_or_404(query)


def _refused(form, exc: CaseworkError) -> int:
    """Put a refusal on the form (its text stays as submitted); the status to answer with."""
    db.session.rollback()
    form.form_errors.append(exc.message)
    return 409 if isinstance(exc, StaleEdit) else 422


@bp.get("/<int:case_id>/analysis")
def analysis(case_id: int):
    case = _case(case_id)
    page, status = context.builder_page(case, current_user, request.args.to_dict(flat=False))
    return render_template(
        "improvement/analysis.html", save_form=SaveAnalysisForm(), **page
    ), status


@bp.post("/<int:case_id>/analyses")
def save_analysis(case_id: int):
    case = _case(case_id, work=True)
    form = SaveAnalysisForm()
    data = request.form.to_dict(flat=False)
    status = 422
    if form.validate_on_submit():
        try:
            params = parse_params(spec_for(case), data)
            saved = services.save_analysis(
                case, params=params, title=form.title.data, commentary=form.commentary.data
            )
        except AnalysisError:
            status = 400  # the builder below shows the message
        except CaseworkError as exc:
            status = _refused(form, exc)
        else:
            db.session.commit()
            flash("Analysis saved.", "success")
            return redirect(url_for(".saved_analysis", case_id=case.id, analysis_id=saved.id))
    page, builder_status = context.builder_page(case, current_user, data)
    return render_template("improvement/analysis.html", save_form=form, **page), max(
        status, builder_status
    )


ANALYSIS_DELETED_ELSEWHERE = (
    "That analysis was deleted (in another tab) after you opened it, so your commentary was "
    "not saved. It is below: build the chart again and save it as a new analysis if you "
    "still want it."
)


@bp.route("/<int:case_id>/analyses/<int:analysis_id>", methods=["GET", "POST"])
def saved_analysis(case_id: int, analysis_id: int):
    case = _case(case_id)
    if request.method == "POST" and _gone(SavedAnalysis, case, analysis_id):
        return _analysis_deleted_elsewhere(case)
    saved = _analysis(case, analysis_id)
    form = CommentaryForm(obj=saved)
    status = 200
    if request.method == "POST":
        authz.require(authz.can_work_case, case)
        status = 422
        if form.validate_on_submit():
            try:
                services.update_commentary(
                    saved, commentary=form.commentary.data, expected_version=form.version.data
                )
            except CaseworkError as exc:
                status = _refused(form, exc)
            else:
                db.session.commit()
                flash("Commentary saved.", "success")
                return redirect(request.path)
    page = context.saved_analysis_page(case, current_user, saved)
    return render_template("improvement/saved_analysis.html", form=form, **page), status


def _gone(model, case: Case, record_id: int) -> bool:
    """Whether the case has no `model` row of this ID (deleted since the page was opened)."""
    found = db.select(model.id).where(model.id == record_id, model.case_id == case.id)
    return db.session.scalar(found) is None


def _analysis_deleted_elsewhere(case: Case):
    """Commentary posted to an analysis no longer on the case: it comes back in the builder's
    save form (a "Not found" page lost it), with the reason."""
    authz.require(authz.can_work_case, case)
    form = SaveAnalysisForm(formdata=None, commentary=request.form.get("commentary", ""))
    form.form_errors.append(ANALYSIS_DELETED_ELSEWHERE)
    page, _ = context.builder_page(case, current_user, {})
    return render_template("improvement/analysis.html", save_form=form, **page), 409


@bp.post("/<int:case_id>/analyses/<int:analysis_id>/delete")
def delete_analysis(case_id: int, analysis_id: int):
    case = _case(case_id, work=True)
    saved = _analysis(case, analysis_id)
    if ReauthForm().validate_on_submit():
        try:
            services.delete_analysis(saved)
        except CaseworkError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("Analysis deleted.", "success")
            return redirect(url_for(".analysis", case_id=case.id))
    return redirect(url_for(".saved_analysis", case_id=case.id, analysis_id=analysis_id))


def _save_recommendation(case: Case, form: RecommendationForm, recommendation=None) -> int:
    """Save the submitted recommendation; 0 when saved (and committed), else the status."""
    authz.require(authz.can_work_case, case)
    if not form.validate_on_submit():
        return 422
    try:
        services.save_recommendation(
            case,
            analysis_id=form.analysis_id.data,
            fields=form.fields_data(),
            expected_version=form.version.data,
            recommendation=recommendation,
        )
    except CaseworkError as exc:
        return _refused(form, exc)
    db.session.commit()
    flash("Recommendation saved.", "success")
    return 0


@bp.route("/<int:case_id>/recommendations", methods=["GET", "POST"])
def recommendations(case_id: int):
    case = _case(case_id)
    form = RecommendationForm()
    form.set_analyses(queries.analysis_titles(case))
    status = 200
    if request.method == "POST":
        status = _save_recommendation(case, form)
        if not status:
            return redirect(request.path)
    page = context.recommendations_page(case, current_user)
    return render_template("improvement/recommendations.html", form=form, **page), status


DELETED_ELSEWHERE = (
    "That recommendation was deleted (in another tab) after you opened it, so your change was "
    "not saved. Your text is below: save it as a new recommendation if you still want it."
)


@bp.route("/<int:case_id>/recommendations/<int:recommendation_id>", methods=["GET", "POST"])
def recommendation(case_id: int, recommendation_id: int):
    case = _case(case_id)
    if request.method == "POST" and _gone(Recommendation, case, recommendation_id):
        return _deleted_elsewhere(case)
    item = _recommendation(case, recommendation_id)
    form = RecommendationForm(obj=item)
    form.set_analyses(queries.analysis_titles(case))
    status = 200
    if request.method == "POST":
        status = _save_recommendation(case, form, item)
        if not status:
            return redirect(url_for(".recommendations", case_id=case.id))
    page = context.recommendation_page(case, current_user, item)
    return render_template("improvement/recommendation.html", form=form, **page), status


def _deleted_elsewhere(case: Case):
    """A change posted to a recommendation no longer on the case: the text comes back on the
    add form (a "Not found" page lost it), with the reason."""
    authz.require(authz.can_work_case, case)
    form = RecommendationForm()
    form.set_analyses(queries.analysis_titles(case))
    form.version.data = None
    form.form_errors.append(DELETED_ELSEWHERE)
    page = context.recommendations_page(case, current_user)
    return render_template("improvement/recommendations.html", form=form, **page), 409


@bp.post("/<int:case_id>/recommendations/<int:recommendation_id>/delete")
def delete_recommendation(case_id: int, recommendation_id: int):
    case = _case(case_id, work=True)
    item = _recommendation(case, recommendation_id)
    if ReauthForm().validate_on_submit():
        try:
            services.delete_recommendation(case, item)
        except CaseworkError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("Recommendation deleted.", "success")
    return redirect(url_for(".recommendations", case_id=case.id))
