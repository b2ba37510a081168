"""Portfolio pages: evidence items and their mapping, uploads, the tracking grid, submission,
and submitted versions with what changed between them."""

import functools
from pathlib import Path

import sqlalchemy as sa
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
from portfolio.casework.models import Case
from portfolio.evidence import overview, queries, services, uploads
from portfolio.evidence.forms import MappingForm, SubmitForm, UploadForm
from portfolio.evidence.models import EvidenceItem, Portfolio, Submission
from portfolio.evidence.services import EvidenceError
from portfolio.evidence.snapshot import diff_snapshots, item_content, live_items
from portfolio.extensions import db
from portfolio.framework.models import Criterion, Unit
from portfolio.notifications.pages import read_notifications_of_this_page
from portfolio.reads import rows as read_rows
from portfolio.record_ids import record_id
from portfolio.roles import Role

bp = Blueprint("evidence", __name__, url_prefix="/portfolio")


# Uploads are listed on the evidence pages, the assessor's and IQA's, and in the PDF.
bp.add_app_template_filter(uploads.format_size, "file_size")


@bp.before_request
@login_required
def _signed_in():
    """Every portfolio page needs a signed-in user."""


def _portfolio(portfolio_id: int, *, edit: bool = False) -> Portfolio:
    portfolio = db.get_or_404(Portfolio, portfolio_id)
    if not authz.can_view_portfolio(current_user, portfolio):
        abort(404)
    if edit:
        authz.require(authz.can_edit_portfolio, portfolio)
    return portfolio


def _item(portfolio: Portfolio, item_id: int) -> EvidenceItem:
    return db.first_or_404(
        sa.select(EvidenceItem).where(
            EvidenceItem.id == item_id, EvidenceItem.portfolio_id == portfolio.id
        )
    )


@bp.get("/")
@authz.role_required(Role.LEARNER)
def mine():
    """The learner's portfolios (each case's records became items as they were saved, so this
    page only reads)."""
    portfolios = queries.portfolios_of(current_user)
    if len(portfolios) == 1:
        return redirect(url_for("evidence.portfolio", portfolio_id=portfolios[0].id))
    return render_template("evidence/mine.html", portfolios=portfolios)


def _head(portfolio_id: int) -> overview.Head:
    """The portfolio as the read-only pages need it (plain values, one query), or 404."""
    head = overview.head_of(portfolio_id)
    if head is None or not authz.can_view_portfolio(current_user, head):
        abort(404)
    return head


@bp.get("/<int:portfolio_id>")
def portfolio(portfolio_id: int):
    portfolio = _head(portfolio_id)
    grid = overview.overview(portfolio)
    return render_template(
        "evidence/portfolio.html",
        portfolio=portfolio,
        grid=grid,
        submissions=grid.submissions,
        can_edit=authz.can_edit_portfolio(current_user, portfolio),
        can_record=authz.can_assess_learner(current_user, portfolio.learner),
        feedback=grid.feedback,
        complete_on=overview.complete_on(grid),
        withdrawn=queries.withdrawn_items(portfolio.id),
    )


@bp.route("/<int:portfolio_id>/items/<int:item_id>", methods=["GET", "POST"])
def item(portfolio_id: int, item_id: int):
    portfolio = _portfolio(portfolio_id)
    item = _item(portfolio, item_id)
    form = MappingForm()
    errors: dict[int, str] = {}
    can_edit = authz.can_map_item(current_user, item) and not item.withdrawn
    status = 200
    if request.method == "POST":
        authz.require(authz.can_map_item, item)
        seen = request.form.get("seen")
        if not form.validate_on_submit():
            pass
        elif seen is not None and seen != services.mappings_seen(item):
            # Every row is saved at once: a page opened before another tab's save would put
            # back what that tab changed.
            errors, status = {0: STALE_MAPPINGS}, 409
        else:
            errors = _save_mappings(item)
            if not errors:
                db.session.commit()
                flash("Mappings saved.", "success")
                return redirect(
                    url_for("evidence.item", portfolio_id=portfolio.id, item_id=item.id)
                )
            db.session.rollback()
            item = _item(portfolio, item_id)
    if request.method == "GET":
        read_notifications_of_this_page()  # "<assessor> added <record> to your portfolio"
    cases = {item.case_id: db.session.get(Case, item.case_id)} if item.case_id else {}
    return render_template(
        "evidence/item.html",
        portfolio=portfolio,
        item=item,
        content=item_content(item, cases),
        outcomes=queries.outcomes_of(portfolio.unit_id),
        criteria_note=_criteria_note(portfolio.unit_id),
        mapped={m.criterion_id: m for m in item.mappings},
        form=form,
        errors=errors,
        submitted=request.form if errors else None,
        can_edit=can_edit,
        # Whoever may withdraw an item may restore it (one withdrawn by mistake).
        can_withdraw=authz.can_map_item(current_user, item),
        action_form=ReauthForm(),
        seen=request.form.get("seen") if errors else services.mappings_seen(item),
        # The learner's assessor came from the bench (Record a discussion...): the way back.
        marking=queries.version_awaiting_marking(portfolio.id)
        if authz.can_assess_learner(current_user, portfolio.learner)
        else None,
    ), (422 if errors and status == 200 else status)


STALE_MAPPINGS = (
    "These mappings were changed elsewhere (another tab or device) after you opened this page, "
    "so nothing was saved. Your ticks and text are still below: copy anything you need, reload "
    "the page to see the newer mappings, then make your change again."
)


def _save_mappings(item: EvidenceItem) -> dict[int, str]:
    """Apply every row of the mapping form; any refused row means nothing is kept."""
    errors: dict[int, str] = {}
    criteria = {c.id: c for o in queries.outcomes_of(item.portfolio.unit_id) for c in o.criteria}
    for criterion_id, criterion in criteria.items():
        checked = request.form.get(f"criterion_{criterion_id}") == "on"
        text = request.form.get(f"justification_{criterion_id}", "")
        try:
            if checked:
                services.set_mapping(item, criterion, justification=text)
            else:
                services.remove_mapping(item, criterion)
        except EvidenceError as exc:
            errors[criterion_id] = exc.message
    unknown = [
        key
        for key in request.form
        if key.startswith("criterion_")
        and record_id(key.removeprefix("criterion_")) not in criteria
    ]
    if unknown:
        errors[0] = "A criterion in the form does not belong to this unit. Nothing was saved."
    return errors


@bp.post("/<int:portfolio_id>/items/<int:item_id>/withdraw")
def withdraw(portfolio_id: int, item_id: int):
    portfolio = _portfolio(portfolio_id)
    item = _item(portfolio, item_id)
    # Whoever maps an item may withdraw it: an assessor's record is the assessor's to withdraw.
    authz.require(authz.can_map_item, item)
    if ReauthForm().validate_on_submit():
        # The button says which way it goes: a second click (or an older tab) repeats it
        # rather than undoing it.
        wanted = request.form.get("withdrawn")
        withdrawn = wanted == "1" if wanted in ("0", "1") else not item.withdrawn
        services.withdraw_item(item, withdrawn=withdrawn)
        db.session.commit()
        flash(
            "Withdrawn from future submissions."
            if item.withdrawn
            else "Restored to future submissions.",
            "success",
        )
    return redirect(url_for("evidence.portfolio", portfolio_id=portfolio.id))


@bp.route("/<int:portfolio_id>/upload", methods=["GET", "POST"])
def upload(portfolio_id: int):
    portfolio = _portfolio(portfolio_id, edit=True)
    form = UploadForm()
    if form.validate_on_submit():
        try:
            item = services.upload_evidence(
                portfolio,
                data=form.file.data.read(),
                filename=form.file.data.filename or "",
                title=form.title.data,
                description=form.description.data,
                occurred_on=form.occurred_on.data,
                by=current_user,
            )
        except EvidenceError as exc:
            db.session.rollback()
            # The error belongs beside the field it is about (the date, or the file).
            getattr(form, exc.field or "file").errors.append(exc.message)
        else:
            db.session.commit()
            flash("Uploaded. Now map it to the criteria it evidences.", "success")
            return redirect(url_for("evidence.item", portfolio_id=portfolio.id, item_id=item.id))
    return render_template("evidence/upload.html", portfolio=portfolio, form=form)


@bp.get("/items/<int:item_id>/file")
def download(item_id: int):
    item = db.get_or_404(EvidenceItem, item_id)
    if not authz.can_view_portfolio(current_user, item.portfolio) or not item.stored_name:
        abort(404)
    path = Path(current_app.config["UPLOAD_DIR"]) / item.stored_name
    if not path.is_file():
        abort(404)
    inline = item.mime_type in ("image/png", "image/jpeg", "application/pdf")
    return send_file(
        path,
        mimetype=item.mime_type,
        as_attachment=not inline,
        download_name=item.original_name,
        max_age=0,
    )


def _criteria_note(unit_id: int) -> dict[str, object]:
    """Whether any of the unit's criteria are reconstructed (not the awarding body's wording),
    and the unit's note on where its wording comes from, as the PDF prints it (one query)."""
    row = read_rows(_criteria_note_statement(), {"unit_id": unit_id}).one()
    return {"reconstructed": row.reconstructed, "source_note": row.source_note}


@functools.cache
def _criteria_note_statement() -> sa.Select:
    unit_id = sa.bindparam("unit_id")
    reconstructed = (
        sa.exists().where(Criterion.unit_id == unit_id, Criterion.reconstructed.is_(True))
    ).label("reconstructed")
    return sa.select(Unit.source_note, reconstructed).where(Unit.id == unit_id)


@bp.get("/<int:portfolio_id>/grid")
def grid(portfolio_id: int):
    portfolio = _head(portfolio_id)
    return render_template(
        "evidence/grid.html",
        portfolio=portfolio,
        grid=overview.with_cells(overview.overview(portfolio)),
        status_labels=queries.STATUS_LABELS,
        criteria_note=_criteria_note(portfolio.unit_id),
    )


@bp.route("/<int:portfolio_id>/submit", methods=["GET", "POST"])
def submit(portfolio_id: int):
    portfolio = _portfolio(portfolio_id, edit=True)
    form = SubmitForm()
    if form.validate_on_submit():
        try:
            submission = services.submit(
                portfolio,
                declared_name=form.declared_name.data,
                declared_on=form.declared_on.data,
                by=current_user,
            )
        except services.NothingNew as exc:
            db.session.rollback()
            flash(exc.message, "info")
            return redirect(url_for("evidence.submission", submission_id=exc.submission.id))
        except EvidenceError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Submitted as version {submission.number}.", "success")
            return redirect(url_for("evidence.submission", submission_id=submission.id))
    grid = overview.overview(overview.head_of(portfolio.id))
    return render_template(
        "evidence/submit.html",
        portfolio=portfolio,
        form=form,
        missing=overview.without_evidence(grid),
        not_yet=overview.not_yet_competent(grid),
        complete_on=overview.complete_on(grid),
        latest_feedback=overview.latest_feedback(grid),
        unchanged=services.unchanged_since(portfolio),
        unconfirmed=_unconfirmed(portfolio),
    )


def _unconfirmed(portfolio: Portfolio) -> list[tuple[EvidenceItem, list[str]]]:
    """Each live item with proposed mappings, and their criteria refs in the unit's order. A
    version keeps only confirmed mappings (snapshot.build_snapshot), so these are not claimed."""
    found = []
    for item in live_items(portfolio):
        proposed = sorted(
            (m.criterion for m in item.mappings if not m.confirmed),
            key=lambda c: (c.outcome_id, c.position, c.ref),
        )
        if proposed:
            found.append((item, [c.ref for c in proposed]))
    return found


def _submission(submission_id: int) -> Submission:
    submission = db.get_or_404(Submission, submission_id)
    if not authz.can_view_portfolio(current_user, submission.portfolio):
        abort(404)
    return submission


@bp.get("/submissions/<int:submission_id>")
def submission(submission_id: int):
    submission = _submission(submission_id)
    previous = db.session.scalar(
        sa.select(Submission.id).where(
            Submission.portfolio_id == submission.portfolio_id,
            Submission.number == submission.number - 1,
        )
    )
    return render_template(
        "evidence/submission.html",
        submission=submission,
        snap=submission.snapshot,
        previous_id=previous,
        feedback_id=queries.feedback_of(submission.id),
    )


@bp.get("/submissions/<int:submission_id>/changes")
def changes(submission_id: int):
    submission = _submission(submission_id)
    previous = db.session.scalar(
        sa.select(Submission).where(
            Submission.portfolio_id == submission.portfolio_id,
            Submission.number == submission.number - 1,
        )
    )
    if previous is None:
        abort(404)
    return render_template(
        "evidence/changes.html",
        submission=submission,
        previous=previous,
        diff=diff_snapshots(previous.snapshot, submission.snapshot),
    )
