"""Assessor pages: the queue, the caseload grid, the marking bench with return and sign-off,
corrections, assessor-authored evidence; and the learner's feedback page."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portfolio import authz, drafts
from portfolio.accounts.services import login_throttled, record_login_failure, throttle_wait
from portfolio.auth.forms import ReauthForm
from portfolio.db import utcnow
from portfolio.evidence.models import Portfolio, Submission
from portfolio.extensions import db
from portfolio.framework.models import Criterion
from portfolio.notifications.pages import read_notifications_of_this_page
from portfolio.notifications.services import mark_read_for_link
from portfolio.pagination import paginate
from portfolio.review import context, forms, iqa_queries, queries, services
from portfolio.review.caseload import caseload as caseload_of
from portfolio.review.models import Assessment, AssessmentKind, AssessmentStatus
from portfolio.review.services import ReviewError
from portfolio.roles import Role
from portfolio.url_slots import url_slot

bp = Blueprint("review", __name__, url_prefix="/assess")


@bp.before_request
@login_required
def _signed_in():
    """Every assessment page needs a signed-in user."""


def _marking(submission_id: int) -> tuple[Submission, Assessment | None]:
    """A submission the assessor may mark (404 otherwise) and their assessment of it."""
    submission = db.get_or_404(Submission, submission_id)
    assessment = queries.find_assessment(submission, current_user)
    if not authz.can_mark_submission(current_user, submission, assessment):
        abort(404)
    return submission, assessment


def _own(assessment_id: int) -> Assessment:
    """One of the assessor's own assessments (404 otherwise)."""
    assessment = queries.load_assessment(assessment_id)
    if assessment is None or assessment.assessor_id != current_user.id:
        abort(404)
    if not authz.can_mark_submission(current_user, assessment.submission, assessment):
        abort(404)
    return assessment


def _to_bench(submission: Submission):
    return redirect(url_for("review.bench", submission_id=submission.id))


def _bench(submission, assessment, status: int = 200, **kwargs):
    page = context.bench_page(submission, assessment, current_user, **kwargs)
    return render_template("review/bench.html", **page), status


def _refused(submission_id: int, exc: ReviewError):
    """Roll back, then show the bench again with the message and what was entered."""
    db.session.rollback()
    submission, assessment = _marking(submission_id)
    return _bench(
        submission,
        assessment,
        422,
        # a message said at its field is linked from the summary, not listed there twice
        errors=[] if exc.message in exc.fields.values() else [exc.message],
        field_errors=exc.fields,
        submitted=request.form,
        stale=isinstance(exc, services.StaleAssessment),
    )


@bp.get("/")
@authz.role_required(Role.ASSESSOR)
def queue():
    params = queries.queue_params(current_user)
    statement = queries.queue_statement()
    page = paginate(statement if params else statement.where(sa.false()), rows=True, params=params)
    now = utcnow()
    rows = [(row, queries.age_label(now - row.submitted_at)) for row in page.items]
    return render_template(
        "review/queue.html",
        rows=rows,
        page=page,
        bench_url=_url_slot("review.bench"),
        start_url=_url_slot("review.start"),
        standardisation=queries.standardisation_pending(current_user),
    )


def _url_slot(endpoint: str) -> str:
    """A submission's URL at the endpoint with its id left as "{}"."""
    return url_slot(endpoint, "submission_id")


@bp.get("/caseload")
@authz.role_required(Role.ASSESSOR)
def caseload():
    return render_template(
        "review/caseload.html",
        caseload=caseload_of(current_user, page=True),
        bench_url=_url_slot("review.bench"),
        portfolio_url=url_slot("evidence.portfolio", "portfolio_id"),
    )


@bp.post("/submissions/<int:submission_id>/start")
@authz.role_required(Role.ASSESSOR)
def start(submission_id: int):
    submission, _ = _marking(submission_id)
    if not ReauthForm().validate_on_submit():
        abort(400)
    try:
        services.open_assessment(submission, by=current_user)
    except ReviewError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("review.queue"))
    db.session.commit()
    return _to_bench(submission)


@bp.route("/submissions/<int:submission_id>", methods=["GET", "POST"])
@bp.get("/assessments/<int:assessment_id>")
@authz.role_required(Role.ASSESSOR)
def bench(submission_id: int | None = None, assessment_id: int | None = None):
    """The bench; /assessments/<id> (the IQA's standardisation link) leads here too. POST
    saves the draft, then stays, goes on to sign-off, or finishes a standardisation; the
    page's script posts drafts with ?draft=1 and reads JSON."""
    if assessment_id is not None:
        submission = _own(assessment_id).submission
        read_notifications_of_this_page()
        return _to_bench(submission)
    submission, assessment = _marking(submission_id)
    if request.method == "POST" and request.args.get("draft") == "1":
        return _draft(assessment)
    if request.method == "GET":
        # a standardisation request links to the marking by its own id
        also = [url_for("review.bench", assessment_id=assessment.id)] if assessment else []
        read_notifications_of_this_page(*also)
        return _bench(submission, assessment)
    if assessment is None or not ReauthForm().validate_on_submit():
        abort(400)
    then = request.form.get("then", "")
    try:
        _save_form(assessment)
        if then == "finish":
            services.complete_standardisation(assessment, by=current_user)
        elif then == "sign_off":
            services.require_feedback_to_sign_off(assessment)
    except ReviewError as exc:
        return _refused(submission_id, exc)
    db.session.commit()
    if then == "sign_off":
        return redirect(url_for("review.sign_off", submission_id=submission.id))
    flash("Marking finished." if then == "finish" else "Your decisions are saved.", "success")
    return _to_bench(submission)


def _draft(assessment: Assessment | None):
    """Save the bench's draft for the page's script (as the learner's records autosave):
    JSON, 409 when another tab saved first. Feedback typed for twenty minutes went with a
    click on a link out of the bench (the case log, a record, the header)."""
    if assessment is None or not ReauthForm().validate():
        return drafts.not_saved(drafts.UNREADABLE, 400)
    return drafts.save_draft(
        lambda: _save_form(assessment),
        lambda: assessment.version,
        stale=services.StaleAssessment,
        refused=ReviewError,
    )


def _save_form(assessment: Assessment) -> None:
    services.save_decisions(
        assessment,
        forms.read_decisions(request.form),
        overall_feedback=request.form.get("overall_feedback", ""),
        expected_version=forms.read_version(request.form),
        by=current_user,
    )


@bp.post("/submissions/<int:submission_id>/return")
@authz.role_required(Role.ASSESSOR)
def return_submission(submission_id: int):
    submission, assessment = _marking(submission_id)
    if assessment is None or not ReauthForm().validate_on_submit():
        abort(400)
    try:
        _save_form(assessment)
        services.return_for_resubmission(assessment, by=current_user)
    except ReviewError as exc:
        return _refused(submission_id, exc)
    db.session.commit()
    flash(f"Returned to {submission.portfolio.learner.full_name} with your feedback.", "success")
    return redirect(url_for("review.queue"))


@bp.route("/submissions/<int:submission_id>/sign-off", methods=["GET", "POST"])
@authz.role_required(Role.ASSESSOR)
def sign_off(submission_id: int):
    submission, assessment = _marking(submission_id)
    if assessment is None or assessment.kind != AssessmentKind.PRIMARY or assessment.completed:
        flash(_why_no_sign_off(submission, assessment), "error")
        return _to_bench(submission)
    if not queries.is_latest(submission):
        flash(
            f"Version {submission.number} has been replaced by a newer submission: mark that.",
            "error",
        )
        return _to_bench(submission)
    form = forms.SignOffForm()
    if form.validate_on_submit():
        if _sign(assessment, form):
            flash(f"Signed off {submission.portfolio.learner.full_name}'s unit.", "success")
            return redirect(url_for("review.queue"))
        submission, assessment = _marking(submission_id)
    page = context.sign_off_page(submission, assessment, form)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("review/sign_off.html", **page), status


def _why_no_sign_off(submission: Submission, assessment: Assessment | None) -> str:
    """Why a version's sign-off page sends the assessor back to its bench, in their terms."""
    if assessment is None:
        return f"Start marking version {submission.number} before you sign it off."
    if assessment.kind != AssessmentKind.PRIMARY:
        return (
            "A standardisation marking is finished, not signed off: the learner's own "
            "assessor signs."
        )
    if assessment.status == AssessmentStatus.SIGNED_OFF:
        return f"Version {submission.number} is already signed off."
    return (
        f"Version {submission.number} was returned for resubmission, so it cannot be signed "
        "off: sign off the learner's next version."
    )


def _sign(assessment: Assessment, form: forms.SignOffForm) -> bool:
    """Sign off with the form's name and password: True when signed, else False with why not
    on the form (beside the name or password when it is about one). Wrong passwords count
    towards the sign-in throttle, so the form cannot be used to guess one."""
    ip = request.remote_addr or "unknown"
    if login_throttled(email=current_user.email, ip=ip):
        form.form_errors.append(
            f"Too many wrong passwords. Wait {throttle_wait()}, then try again."
        )
        return False
    try:
        services.sign_off(
            assessment,
            by=current_user,
            signed_name=form.signed_name.data,
            password=form.password.data,
            expected_version=forms.read_version(request.form),
        )
    except ReviewError as exc:
        db.session.rollback()
        if isinstance(exc, services.WrongPassword):
            record_login_failure(email=current_user.email, ip=ip)
            db.session.commit()
        if exc.fields:
            for name, message in exc.fields.items():
                field = getattr(form, name)
                field.errors = [*field.errors, message]
        else:
            form.form_errors.append(exc.message)
        return False
    db.session.commit()
    return True


@bp.post("/assessments/<int:assessment_id>/correct/<int:criterion_id>")
@authz.role_required(Role.ASSESSOR)
def correct(assessment_id: int, criterion_id: int):
    assessment = _own(assessment_id)
    criterion = db.get_or_404(Criterion, criterion_id)
    form = forms.CorrectionForm(prefix=f"c{criterion.id}")
    # read before the correction clears them: the assessor is told whose verdict it undid
    iqas = iqa_queries.iqas_with_open_verdict(assessment, criterion.id)
    if (problem := _correct(assessment, criterion, form)) is not None:
        assessment = _own(assessment_id)
        # each field's message beside it, linked from the summary (not repeated there)
        fields = {f.id: " ".join(f.errors) for f in form if f.errors and f.type != "CSRFTokenField"}
        return _bench(
            assessment.submission,
            assessment,
            422,
            errors=[] if fields else [problem],
            field_errors={
                (f"{name}-0" if name.endswith("-decision") else name): message
                for name, message in fields.items()
            },
            correction=(criterion.id, form),
        )
    cleared = (
        f" {' and '.join(iqas)} had given a verdict on it in a review still in progress: "
        f"{'that verdict was' if len(iqas) == 1 else 'those verdicts were'} cleared, and "
        f"{'the IQA has' if len(iqas) == 1 else 'the IQAs have'} been told to give it again."
        if iqas
        else ""
    )
    flash(f"The correction to {criterion.ref} is on the decision log.{cleared}", "success")
    return _to_bench(assessment.submission)


def _correct(assessment: Assessment, criterion: Criterion, form) -> str | None:
    """Record the form's correction: None when recorded, else why not."""
    try:
        if not form.validate_on_submit():
            # Not yet needs feedback too: said now, not after the other fields are put right
            if form.decision.data == "not_yet" and not (form.feedback.data or "").strip():
                needed = f"Say what the learner needs to do for {criterion.ref}."
                form.feedback.errors = [*form.feedback.errors, needed]
            return " ".join(e for errs in form.errors.values() for e in errs)
        services.correct_decision(
            assessment,
            criterion,
            decision=form.decision.data,
            feedback=form.feedback.data,
            reason=form.reason.data,
            by=current_user,
            seen=form.seen.data,
        )
    except ReviewError as exc:
        db.session.rollback()
        for name, message in exc.fields.items():
            field = getattr(form, name)
            field.errors = [*field.errors, message]
        return exc.message
    db.session.commit()
    return None


@bp.route("/portfolios/<int:portfolio_id>/evidence/new", methods=["GET", "POST"])
@authz.role_required(Role.ASSESSOR)
def new_evidence(portfolio_id: int):
    portfolio = db.get_or_404(Portfolio, portfolio_id)
    if not authz.can_view_portfolio(current_user, portfolio):
        abort(404)
    authz.require(authz.can_assess_learner, portfolio.learner)
    form = forms.AssessorRecordForm()
    if form.validate_on_submit():
        try:
            item = services.record_assessor_evidence(
                portfolio,
                source=form.source.data,
                title=form.title.data or "",
                body=form.body.data,
                occurred_on=form.occurred_on.data,
                by=current_user,
            )
        except ReviewError as exc:
            db.session.rollback()
            # a message about one field is said beside it (and linked from the summary)
            if "occurred_on" in exc.fields:
                form.occurred_on.errors = [*form.occurred_on.errors, exc.fields["occurred_on"]]
            else:
                form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash("Recorded. Now map it to the criteria it evidences.", "success")
            return redirect(url_for("evidence.item", portfolio_id=portfolio.id, item_id=item.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("review/new_evidence.html", portfolio=portfolio, form=form), status


def _feedback(assessment_id: int) -> Assessment:
    """A completed primary assessment whose learner the user may see (404 otherwise)."""
    assessment = queries.load_assessment(assessment_id)
    if (
        assessment is None
        or not authz.can_view_learner(current_user, assessment.submission.portfolio.learner)
        or assessment.kind != AssessmentKind.PRIMARY
        or not assessment.completed
    ):
        abort(404)
    return assessment


@bp.get("/feedback/<int:assessment_id>")
def feedback(assessment_id: int):
    assessment = _feedback(assessment_id)
    if mark_read_for_link(current_user, request.path):
        db.session.commit()
        assessment = _feedback(assessment_id)
    page = context.feedback_page(assessment, current_user)
    return render_template("review/feedback.html", **page)


@bp.post("/feedback/<int:assessment_id>/acknowledge")
def acknowledge(assessment_id: int):
    assessment = _feedback(assessment_id)
    authz.require(authz.can_edit_portfolio, assessment.submission.portfolio)
    if not ReauthForm().validate_on_submit():
        abort(400)
    services.acknowledge(assessment, by=current_user)
    db.session.commit()
    flash("Thank you: your assessor can see that you have read the feedback.", "success")
    return redirect(url_for("review.feedback", assessment_id=assessment.id))
