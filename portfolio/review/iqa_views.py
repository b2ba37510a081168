"""IQA pages: sampling plans and their samples, a sampled assessment read-only beside the
evidence with the verdict form, the assessor's response, and standardisation.

No route here writes an assessor's decision: the IQA's verdicts are stored beside them."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portfolio import authz, drafts
from portfolio.auth.forms import ReauthForm
from portfolio.evidence.models import Submission
from portfolio.evidence.queries import outcomes_of
from portfolio.extensions import db
from portfolio.framework.queries import criteria_of
from portfolio.notifications.pages import read_notifications_of_this_page
from portfolio.pagination import paginate
from portfolio.record_ids import record_id
from portfolio.reports import log_csv
from portfolio.reports.queries import decision_log
from portfolio.review import iqa
from portfolio.review import iqa_queries as queries
from portfolio.review import queries as review_queries
from portfolio.review.agreement import kappa_band
from portfolio.review.context import evidence_by_ref, log_rows, simulated_only
from portfolio.review.iqa import IqaError
from portfolio.review.iqa_forms import PlanForm, RespondForm, StandardisationForm, VerdictForm
from portfolio.review.models import (
    AssessmentKind,
    AssessmentStatus,
    IqaReviewStatus,
    Sample,
    SamplingPlan,
)
from portfolio.roles import Role
from portfolio.url_slots import url_slot

bp = Blueprint("iqa", __name__, url_prefix="/iqa")


@bp.before_request
@login_required
def _signed_in():
    """Every IQA page needs a signed-in user."""


def _plan(plan_id: int) -> SamplingPlan:
    plan = db.get_or_404(SamplingPlan, plan_id)
    if not authz.can_manage_plan(current_user, plan):
        abort(404)
    return plan


def _sample(sample_id: int) -> Sample:
    sample = queries.sample_for_page(sample_id)
    if sample is None or not authz.can_review_sample(current_user, sample):
        abort(404)
    return sample


@bp.route("/", methods=["GET", "POST"])
@authz.role_required(Role.IQA)
def plans():
    """The IQA's sampling plans, and a form to make one."""
    form = PlanForm()
    if form.validate_on_submit():
        try:
            plan = iqa.create_plan(
                current_user.centre,
                iqa=current_user,
                name=form.name.data,
                stage=form.stage.data,
                share_pct=form.share_pct.data,
                all_new_assessors=form.all_new_assessors.data,
                each_scenario=form.each_scenario.data,
            )
        except IqaError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Plan “{plan.name}” created. Generate its sample when you are ready.", "success")
            return redirect(url_for("iqa.plan", plan_id=plan.id))
    status = 422 if request.method == "POST" else 200
    return render_template("iqa/plans.html", rows=queries.plans_of(current_user), form=form), status


@bp.get("/plans/<int:plan_id>")
@authz.role_required(Role.IQA)
def plan(plan_id: int):
    plan = _plan(plan_id)
    samples = paginate(queries.samples_statement(), rows=True, params={"plan_id": plan.id})
    return render_template(
        "iqa/plan.html",
        plan=plan,
        samples=samples,
        corrected=queries.corrected_below_met(samples.items),
        sample_url=url_slot("iqa.sample", "sample_id"),
        outcomes=OUTCOME_LABELS,
        reviews=REVIEW_LABELS,
    )


#: How the plan page names an assessment's outcome and its review's state.
OUTCOME_LABELS = {
    status: status.value.replace("_", " ").capitalize() for status in AssessmentStatus
}
REVIEW_LABELS = {
    None: "Not started",
    IqaReviewStatus.IN_PROGRESS: "In progress",
    IqaReviewStatus.COMPLETED: "Complete, awaiting response",
    IqaReviewStatus.RESPONDED: "Assessor responded",
}


@bp.post("/plans/<int:plan_id>/generate")
@authz.role_required(Role.IQA)
def generate(plan_id: int):
    plan = _plan(plan_id)
    if not ReauthForm().validate_on_submit():
        abort(400)
    try:
        added = iqa.generate_sample(plan)
    except IqaError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(
            f"Added {len(added)} assessment{'' if len(added) == 1 else 's'} to the sample."
            if added
            else iqa.why_nothing_added(plan),
            "success",
        )
    return redirect(url_for("iqa.plan", plan_id=plan.id))


def _posted_verdicts() -> dict[int, tuple[bool | None, str]]:
    """verdict_<criterion id> = agree | disagree, with feedback_<criterion id>. A row left
    unanswered is not sent, unless it has feedback: that is sent with no verdict (None), for
    the save to refuse rather than drop what the IQA wrote. A malformed id or value is
    refused."""
    verdicts: dict[int, tuple[bool | None, str]] = {}
    for key, value in request.form.items():
        prefix, _, raw_id = key.partition("_")
        if prefix == "feedback" and value.strip() and f"verdict_{raw_id}" not in request.form:
            if (criterion_id := record_id(raw_id)) is not None:
                verdicts[criterion_id] = (None, value)
            continue
        if prefix != "verdict":
            continue
        criterion_id = record_id(raw_id)
        if criterion_id is None or value not in ("agree", "disagree"):
            raise IqaError("The form was not filled in as expected. Nothing was saved.")
        verdicts[criterion_id] = (value == "agree", request.form.get(f"feedback_{raw_id}", ""))
    return verdicts


def _save_posted(sample: Sample, form: VerdictForm) -> None:
    iqa.save_sample_verdicts(
        sample,
        _posted_verdicts(),
        by=current_user,
        overall_feedback=form.overall_feedback.data or "",
        actions=form.actions.data or "",
        expected_version=form.version.data,
        corrections_seen=form.corrections_seen.data,
    )


def _sample_page(
    sample: Sample,
    form: VerdictForm,
    *,
    error: str | None = None,
    fields: dict[str, str] | None = None,
    status=200,
    stale: bool = False,
):
    assessment = sample.assessment
    review = sample.review
    fields = fields or {}
    if "actions" in fields:  # shown beside the field by the form macro
        form.actions.errors = [*form.actions.errors, fields["actions"]]
    unit_id = assessment.submission.portfolio.unit_id
    by_ref = evidence_by_ref(assessment.submission.snapshot)
    return render_template(
        "iqa/sample.html",
        sample=sample,
        assessment=assessment,
        submission=assessment.submission,
        snap=assessment.submission.snapshot,
        # each criterion's evidence with its kind, and the competence criteria evidenced by
        # simulation alone, as the assessor's bench shows them
        by_ref=by_ref,
        simulated_only=simulated_only(outcomes_of(unit_id), by_ref),
        can_download=authz.can_view_portfolio(current_user, assessment.submission.portfolio),
        decisions=queries.decisions_of(assessment),
        reviewed=_as_reviewed(review),
        criteria=criteria_of(unit_id),
        review=review,
        verdicts={v.criterion_id: v for v in review.verdicts} if review else {},
        editable=review is None or review.status == IqaReviewStatus.IN_PROGRESS,
        # the portfolio's decision log, as the assessor's bench shows it: decisions,
        # corrections, returns and sign-offs of every version, with the IQA's own entries
        log=log_rows(
            review_queries.log_of_portfolio(assessment.submission.portfolio),
            review_queries.standardisation_ids(assessment.submission.portfolio),
        ),
        form=form,
        error=error,
        # {field name: message} beside the verdicts and feedback, linked from the summary (a
        # verdict's link goes to its Agree button)
        field_errors=fields,
        error_links=[
            (f"{name}_agree" if name.startswith("verdict_") else name, message)
            for name, message in fields.items()
        ],
        submitted=request.form if error else None,
        # entries refused as changed elsewhere: the page's script saves no draft of them
        stale=stale,
        max_feedback=iqa.MAX_TEXT,
    ), status


@bp.route("/samples/<int:sample_id>", methods=["GET", "POST"])
@authz.role_required(Role.IQA)
def sample(sample_id: int):
    """The sampled assessment, read-only, beside the evidence; the IQA's verdicts (POST saves
    them as a draft)."""
    sample = _sample(sample_id)
    form = VerdictForm()
    if request.method == "POST" and request.args.get("draft") == "1":
        return _draft(sample, form)
    if request.method == "GET":
        read_notifications_of_this_page()
        form.corrections_seen.data = iqa.corrections_seen(sample.assessment)
        if sample.review is not None:
            form.version.data = sample.review.version
            form.overall_feedback.data = sample.review.overall_feedback
            form.actions.data = sample.review.actions
        return _sample_page(sample, form)
    if not form.validate_on_submit():
        return _sample_page(sample, form, error="Check the form and try again.", status=422)
    try:
        _save_posted(sample, form)
    except IqaError as exc:
        db.session.rollback()
        return _refused(sample_id, form, exc)
    db.session.commit()
    flash(_saved_message(iqa.criteria_without_verdict(sample.review)), "success")
    return redirect(url_for("iqa.sample", sample_id=sample_id))


def _refused(sample_id: int, form: VerdictForm, exc: IqaError):
    """The sample page again with the IQA's entries and the refusal said where it belongs."""
    return _sample_page(
        _sample(sample_id),
        form,
        error=exc.message,
        fields=exc.fields,
        status=422,
        stale=isinstance(exc, iqa.StaleReview),
    )


def _draft(sample: Sample, form: VerdictForm):
    """Save the verdicts as a draft for the page's script (as the bench does): JSON, 409 when
    the review changed since the page's version. Verdicts and feedback typed on seventeen
    criteria went with a click on a link out of the page."""
    if not form.validate_on_submit():
        return drafts.not_saved(drafts.UNREADABLE, 400)
    return drafts.save_draft(
        lambda: _save_posted(sample, form),
        lambda: sample.review.version,
        stale=iqa.StaleReview,
        refused=IqaError,
    )


def _saved_message(missing: list) -> str:
    """After a save, what is left before the review can be completed: the same "complete when
    every criterion has one" after every save told the IQA nothing (17 criteria to check)."""
    if not missing:
        return "Your verdicts are saved. Every criterion has one: you can complete the review."
    refs = ", ".join(c.ref for c in missing)
    return (
        f"Your verdicts are saved. Still without a verdict: {refs}. Complete the review when "
        "every criterion has one."
    )


@bp.post("/samples/<int:sample_id>/complete")
@authz.role_required(Role.IQA)
def complete(sample_id: int):
    """Save what the form holds and complete the review: the verdicts go on the decision log."""
    sample = _sample(sample_id)
    form = VerdictForm()
    if not form.validate_on_submit():
        return _sample_page(sample, form, error="Check the form and try again.", status=422)
    try:
        _save_posted(sample, form)
        iqa.complete_review(sample.review, by=current_user)
    except IqaError as exc:
        db.session.rollback()
        return _refused(sample_id, form, exc)
    db.session.commit()
    flash(
        "Review complete. Your verdicts are on the decision log and the assessor has been told.",
        "success",
    )
    return redirect(url_for("iqa.sample", sample_id=sample_id))


@bp.route("/reviews/<int:review_id>/respond", methods=["GET", "POST"])
def respond(review_id: int):
    """The assessor reads the IQA's verdicts on their assessment and responds."""
    review = queries.review_for_page(review_id)
    if review is None:
        abort(404)
    if authz.can_review_sample(current_user, review.sample):  # the IQA sees it on the sample
        return redirect(url_for("iqa.sample", sample_id=review.sample_id))
    if (
        not authz.can_respond_to_review(current_user, review)
        or review.status == IqaReviewStatus.IN_PROGRESS  # the assessor sees completed reviews
    ):
        abort(404)
    if request.method == "GET":
        read_notifications_of_this_page()
    form = RespondForm()
    status = 200
    if review.status == IqaReviewStatus.COMPLETED and form.validate_on_submit():
        try:
            iqa.respond(review, by=current_user, response=form.response.data)
        except IqaError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash(
                "Your response is recorded on the decision log; the IQA has been told.", "success"
            )
            return redirect(url_for("iqa.respond", review_id=review.id))
    already = request.method == "POST" and review.status == IqaReviewStatus.RESPONDED
    if request.method == "POST":
        status = 409 if already else 422
    assessment = review.sample.assessment
    return render_template(
        "iqa/respond.html",
        review=review,
        assessment=assessment,
        submission=assessment.submission,
        decisions=queries.decisions_of(assessment),
        reviewed=_as_reviewed(review),
        criteria=criteria_of(assessment.submission.portfolio.unit_id),
        verdicts={v.criterion_id: v for v in review.verdicts},
        form=form,
        # a second response (another tab, a resend) is refused: say why, not just show the first
        already_responded=already,
    ), status


def _as_reviewed(review) -> dict:
    """{criterion id: decision as the IQA reviewed it} for the decisions of a completed review
    that the assessor has corrected since: a later correction must not read as the decision
    the IQA agreed or disagreed with."""
    if review is None or review.completed_at is None:
        return {}
    assessment = review.sample.assessment
    now = queries.decisions_of(assessment)
    then = queries.decisions_of(assessment, as_of=review.completed_at)
    return {cid: d for cid, d in then.items() if now.get(cid) != d}


@bp.get("/decision-log.csv")
@authz.role_required(Role.IQA)
def decision_log_csv():
    """The decision log for the IQA's own learners, with the columns of the centre admin's."""
    return log_csv.download(decision_log(current_user.centre_id, iqa_id=current_user.id))


# --- standardisation ----------------------------------------------------------------------


@bp.get("/standardisation/")
@authz.role_required(Role.IQA)
def standardisations():
    page = paginate(queries.standardisations_of(current_user), rows=True)
    return render_template("iqa/standardisations.html", page=page)


@bp.route("/standardisation/new", methods=["GET", "POST"])
@authz.role_required(Role.IQA)
def new_standardisation():
    """Choose a submission of one of the IQA's learners (?submission=<id>), then the assessors
    to mark it: the learner's own assessor is not offered (their marking is compared anyway)."""
    form = StandardisationForm()
    submissions = {s.id: s for s in queries.submissions_to_standardise(current_user)}
    form.submission.choices = [
        SelectChoice(s.id, f"{s.portfolio.learner.full_name}: version {s.number}")
        for s in submissions.values()
    ]
    if request.method == "GET":
        form.submission.data = record_id(request.args.get("submission", ""))
    chosen = submissions.get(form.submission.data)
    # an assessor already marking it is not offered again (choosing one was only refused);
    # those asked before are named (its own assessor's marking is compared anyway)
    markings = queries.assessments_of(chosen) if chosen else []
    busy = {a.assessor_id for a in markings}
    marking = [a.assessor for a in markings if a.kind == AssessmentKind.STANDARDISATION]
    assessors = {
        a.id: a
        for a in (queries.standardisation_markers(chosen) if chosen else [])
        if a.id not in busy
    }
    form.assessors.choices = [SelectChoice(a.id, a.full_name) for a in assessors.values()]
    if form.validate_on_submit():
        try:
            iqa.start_standardisation(
                submissions[form.submission.data],
                assessors=[assessors[i] for i in form.assessors.data],
                by=current_user,
            )
        except IqaError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash(
                "The assessors have been asked to mark it. Their agreement shows here.", "success"
            )
            return redirect(url_for("iqa.standardisation", submission_id=form.submission.data))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "iqa/new_standardisation.html", form=form, chosen=chosen, marking=marking
    ), status


@bp.get("/standardisation/<int:submission_id>")
@authz.role_required(Role.IQA)
def standardisation(submission_id: int):
    """How the assessors marking one submission agree, criterion by criterion."""
    submission = db.get_or_404(Submission, submission_id)
    if not authz.can_standardise(current_user, submission):
        abort(404)
    read_notifications_of_this_page()
    report = iqa.standardisation_report(submission)
    return render_template("iqa/standardisation.html", report=report, band=kappa_band(report.kappa))
