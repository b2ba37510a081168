"""PDF downloads of submitted versions, and a centre's bulk export of a cohort."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portfolio import authz
from portfolio.accounts.models import Cohort
from portfolio.db import utcnow
from portfolio.evidence.models import Submission
from portfolio.export import bulk, cache
from portfolio.export.forms import CohortExportForm
from portfolio.export.models import BulkExport, ExportStatus
from portfolio.extensions import db
from portfolio.roles import Role

bp = Blueprint("export", __name__, url_prefix="/export")

STALLED_AFTER = bulk.STALLED_AFTER
# What the admin reads when a job failed. The stored error is an exception's class and text
# (with the full traceback in the server's log): meaningful to support, not to a trainer.
FAILED_MESSAGE = (
    "The export stopped before it finished: a portfolio could not be turned into a PDF."
)


@bp.before_request
@login_required
def _signed_in():
    """Every export needs a signed-in user."""


@bp.get("/submissions/<int:submission_id>.pdf")
def submission_pdf(submission_id: int):
    """The version's PDF: the learner, their assessor and IQA, and their centre's admins."""
    submission = db.get_or_404(Submission, submission_id)
    if not authz.can_view_portfolio(current_user, submission.portfolio):
        abort(404)
    path, key = cache.ensure_pdf(submission)
    snap = submission.snapshot
    name = f"portfolio-{bulk.slug(snap['learner']['name'])}-{bulk.slug(snap['unit']['code'])}"
    response = send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{name}-v{submission.number}.pdf",
        etag=key,
        max_age=0,
    )
    response.cache_control.private = True
    return response


def portfolios(count: int) -> str:
    """'1 portfolio', '3 portfolios'."""
    return f"{count} portfolio{'' if count == 1 else 's'}"


def _job(job_id: int) -> BulkExport:
    """One of this centre's exports (another centre's is simply not found)."""
    job = db.get_or_404(BulkExport, job_id)
    if not authz.can_manage_centre(current_user, job.centre_id):
        abort(404)
    return job


def _stalled(job: BulkExport) -> bool:
    return not job.finished and utcnow() - job.updated_at > STALLED_AFTER


def _zip_gone(job: BulkExport) -> bool:
    """Finished, but its zip is no longer in the PDF store (cleared, or another server's)."""
    return job.status == ExportStatus.DONE and bulk.zip_path(job) is None


@bp.route("/cohorts", methods=["GET", "POST"])
@authz.role_required(Role.CENTRE_ADMIN)
def cohorts():
    """Choose a cohort and start its export; the centre's recent exports below."""
    form = CohortExportForm()
    choices = db.session.scalars(authz.cohorts_managed_by(current_user).order_by(Cohort.name))
    form.cohort.choices = [SelectChoice(c.id, c.name) for c in choices]
    if form.validate_on_submit():
        cohort = db.first_or_404(
            authz.cohorts_managed_by(current_user).where(Cohort.id == form.cohort.data)
        )
        try:
            job = bulk.create_export(cohort, by=current_user)
        except bulk.NothingToExport as exc:
            form.cohort.errors.append(exc.message)
        except bulk.AlreadyExporting as exc:
            flash(f"{cohort.name} is already being exported: here is its progress.", "info")
            return redirect(url_for("export.job", job_id=exc.export.id))
        else:
            db.session.commit()
            if current_app.config.get("EXPORT_INLINE"):
                bulk.run_export(job.id)
            else:
                bulk.start_in_background(current_app._get_current_object(), job.id)
            message = f"Exporting {portfolios(job.total)} from {cohort.name}."
            missing = bulk.nothing_submitted(cohort)
            if missing:
                # The job counts PDFs only: say who is left out, so "1 of 1" for a cohort of
                # two does not read as the whole cohort.
                message += (
                    f" Nothing submitted yet by {bulk.names_in_brief(missing)}: the zip's "
                    "manifest lists them, without a PDF."
                )
            flash(message, "success")
            return redirect(url_for("export.job", job_id=job.id))
    jobs = db.session.scalars(bulk.recent_exports(current_user.centre_id)).all()
    return render_template(
        "export/cohorts.html", form=form, jobs=jobs, zips_gone={j.id for j in jobs if _zip_gone(j)}
    ), (422 if form.errors else 200)


@bp.get("/jobs/<int:job_id>")
@authz.role_required(Role.CENTRE_ADMIN)
def job(job_id: int):
    job = _job(job_id)
    return render_template(
        "export/job.html",
        job=job,
        stalled=_stalled(job),
        zip_gone=_zip_gone(job),
        failed_message=FAILED_MESSAGE,
    )


@bp.get("/jobs/<int:job_id>.json")
@authz.role_required(Role.CENTRE_ADMIN)
def job_progress(job_id: int):
    """What the progress page polls."""
    job = _job(job_id)
    return jsonify(
        id=job.id,
        status=job.status.value,
        status_label=job.status.label,
        total=job.total,
        done=job.done,
        finished=job.finished,
        stalled=_stalled(job),
        error=FAILED_MESSAGE if job.status == ExportStatus.FAILED else "",
        download_url=url_for("export.download", job_id=job.id)
        if job.status == ExportStatus.DONE
        else None,
    )


@bp.get("/jobs/<int:job_id>/download")
@authz.role_required(Role.CENTRE_ADMIN)
def download(job_id: int):
    job = _job(job_id)
    path = bulk.zip_path(job)
    if path is None and job.status == ExportStatus.DONE:
        # Finished, but its zip has gone from the PDF store (cleared, or a server without the
        # shared volume): "not ready" beside "Ready to download" left the admin going round.
        flash(
            "The zip of this export is no longer on the server. Start the export again: the "
            "PDFs already rendered are kept, so it is quick.",
            "error",
        )
        return redirect(url_for("export.cohorts"))
    if path is None:
        flash("That export is not ready to download.", "info")
        return redirect(url_for("export.job", job_id=job.id))
    response = send_file(
        path,
        mimetype="application/zip",
        as_attachment=True,
        # The day the export was made (UTC), not the day of the download: the PDFs are that
        # day's, and a week-old zip named with today's date read as fresh.
        download_name=(
            f"{bulk.slug(job.cohort.name, fallback='cohort')}-portfolios-"
            f"{job.created_at.date().isoformat()}.zip"
        ),
        max_age=0,
    )
    response.cache_control.private = True
    return response
