"""Bulk export: a cohort's latest submitted versions as one zip of PDFs, for an external quality
assurance visit.

The job is a BulkExport row, and its progress is kept there (never in process memory), so the
progress page can be served by any app server. The request that starts a job runs it in a
background thread (`start_in_background`); `flask export cohort ID` runs it in the foreground.
Either way the PDFs render in parallel in a pool of worker processes, one per core: rendering is
CPU-bound and WeasyPrint holds the GIL. Workers are spawned (not forked, which would share the
parent's database connections) and each builds its own app from the same configuration.
Every PDF goes through the same cache as single downloads.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import multiprocessing
import os
import pickle
import re
import tempfile
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app

from portfolio.accounts.models import Cohort, User, cohort_members
from portfolio.accounts.queries import member_counts
from portfolio.db import utcnow
from portfolio.evidence.models import Portfolio, Submission
from portfolio.export.cache import cache_dir
from portfolio.export.context import SUBMISSION_STATUS_LABELS
from portfolio.export.models import BulkExport, ExportStatus
from portfolio.extensions import db
from portfolio.roles import Role
from portfolio.spreadsheet_cells import CSV_BOM, inert

log = logging.getLogger(__name__)


# --- what a cohort export contains ------------------------------------------------------------


def latest_submissions(cohort: Cohort) -> list[Submission]:
    """The newest submitted version of each portfolio of each learner in the cohort, ordered by
    learner name (one query)."""
    newest = (
        sa.select(Submission.portfolio_id, sa.func.max(Submission.number).label("number"))
        .group_by(Submission.portfolio_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            sa.select(Submission)
            .join(
                newest,
                sa.and_(
                    Submission.portfolio_id == newest.c.portfolio_id,
                    Submission.number == newest.c.number,
                ),
            )
            .join(Portfolio, Submission.portfolio_id == Portfolio.id)
            .join(User, Portfolio.learner_id == User.id)
            .join(cohort_members, cohort_members.c.user_id == User.id)
            .where(
                cohort_members.c.cohort_id == cohort.id,
                User.role == Role.LEARNER,
                User.centre_id == cohort.centre_id,
            )
            .options(so.contains_eager(Submission.portfolio).contains_eager(Portfolio.learner))
            .order_by(User.full_name, User.id, Portfolio.unit_id)
        )
    )


def learners_without_submissions(cohort_id: int, exported: set[int]) -> list[str]:
    """The names of the cohort's learners with no submitted version among `exported` (learner
    IDs), by name: the manifest lists them, so the visit sees who has nothing to show."""
    return list(
        db.session.scalars(
            sa.select(User.full_name)
            .join(cohort_members, cohort_members.c.user_id == User.id)
            .join(Cohort, Cohort.id == cohort_members.c.cohort_id)
            .where(
                cohort_members.c.cohort_id == cohort_id,
                User.role == Role.LEARNER,
                User.centre_id == Cohort.centre_id,
                User.id.not_in(exported),
            )
            .order_by(User.full_name, User.id)
        )
    )


def nothing_submitted(cohort: Cohort) -> list[str]:
    """The names of the cohort's learners with no submitted version, by name (two queries): the
    zip has no PDF for them, so the admin is told who they are when the export starts."""
    exported = {s.portfolio.learner_id for s in latest_submissions(cohort)}
    return learners_without_submissions(cohort.id, exported)


def names_in_brief(names: list[str], shown: int = 5) -> str:
    """'A', 'A and B', 'A, B and C', or the first few and 'and 7 others'."""
    if len(names) > shown:
        rest = len(names) - shown
        return f"{', '.join(names[:shown])} and {rest} other{'' if rest == 1 else 's'}"
    if len(names) > 1:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    return names[0] if names else ""


# A running job whose row has not moved for this long lost its server (a restart).
STALLED_AFTER = timedelta(minutes=10)


class AlreadyExporting(Exception):
    """An export of the cohort is already under way (a second click on Start the export)."""

    def __init__(self, export: BulkExport):
        self.export = export
        super().__init__(f"Export {export.id} of this cohort is already under way.")


class NothingToExport(Exception):
    """Nobody in the cohort has submitted a version: an export would be an empty zip."""

    def __init__(self, cohort: Cohort, *, members: int):
        self.message = (
            f"Nobody in {cohort.name} has submitted their portfolio yet, so there is nothing "
            "to export."
            if members
            else f"{cohort.name} has no learners yet, so there is nothing to export."
        )
        super().__init__(self.message)


def recent_exports(centre_id: int, limit: int = 20) -> sa.Select:
    """A centre's latest exports, newest first, with their cohorts."""
    return (
        sa.select(BulkExport)
        .where(BulkExport.centre_id == centre_id)
        .options(so.joinedload(BulkExport.cohort))
        .order_by(BulkExport.created_at.desc(), BulkExport.id.desc())
        .limit(limit)
    )


def create_export(cohort: Cohort, *, by: User | None) -> BulkExport:
    """A queued export of the cohort, with its total known up front. Refused (NothingToExport)
    when nobody in the cohort has submitted, and (AlreadyExporting) while another export of it
    is queued or running and still moving: a double click would render every PDF twice at
    once. A stalled one (its server restarted) does not stand in the way."""
    under_way = db.session.scalar(
        sa.select(BulkExport)
        .where(
            BulkExport.cohort_id == cohort.id,
            BulkExport.status.in_((ExportStatus.QUEUED, ExportStatus.RUNNING)),
            BulkExport.updated_at >= utcnow() - STALLED_AFTER,
        )
        .order_by(BulkExport.id.desc())
        .limit(1)
    )
    if under_way is not None:
        raise AlreadyExporting(under_way)
    total = len(latest_submissions(cohort))
    if not total:
        members = member_counts([cohort.id]).get(cohort.id, 0)
        raise NothingToExport(cohort, members=members)
    export = BulkExport(
        centre_id=cohort.centre_id,
        cohort_id=cohort.id,
        requested_by=by,
        status=ExportStatus.QUEUED,
        total=total,
        done=0,
    )
    db.session.add(export)
    db.session.flush()
    return export


# --- running it -------------------------------------------------------------------------------


def worker_count() -> int:
    """EXPORT_WORKERS, else every core."""
    return current_app.config.get("EXPORT_WORKERS") or os.cpu_count() or 1


def run_export(export_id: int, *, workers: int | None = None) -> BulkExport:
    """Render every PDF of the export (in `workers` processes; 1 renders in this process),
    then write the zip. Commits progress after each PDF, so pollers see it move. Run inside an
    app context, outside any request transaction."""
    export = db.session.get(BulkExport, export_id)
    if export is None:
        raise LookupError(f"No bulk export {export_id}.")
    workers = workers or worker_count()
    try:
        submissions = latest_submissions(export.cohort)
        export.status, export.total, export.done = ExportStatus.RUNNING, len(submissions), 0
        _touch(export)
        rendered = _render_all([s.id for s in submissions], workers, lambda: _advance(export))
        export.path = _write_zip(export, submissions, rendered)
        export.status = ExportStatus.DONE
        _touch(export)
    except Exception as exc:
        log.exception("Bulk export %s failed", export_id)
        db.session.rollback()
        export = db.session.get(BulkExport, export_id)
        export.status = ExportStatus.FAILED
        export.error = f"{type(exc).__name__}: {exc}"[:2000]
        _touch(export)
    return export


def _touch(export: BulkExport) -> None:
    export.updated_at = utcnow()
    db.session.commit()


def _advance(export: BulkExport) -> None:
    export.done += 1
    _touch(export)


def _render_all(
    submission_ids: list[int], workers: int, advance: Callable[[], None]
) -> dict[int, str]:
    """Submission id -> cached PDF path, rendering what is not cached yet."""
    paths: dict[int, str] = {}
    if workers <= 1 or len(submission_ids) <= 1:
        from portfolio.export.cache import ensure_pdf

        for sid in submission_ids:
            paths[sid] = str(ensure_pdf(db.session.get(Submission, sid))[0])
            advance()
        return paths
    config = _portable_config(current_app.config)
    with ProcessPoolExecutor(
        max_workers=min(workers, len(submission_ids)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(config,),
    ) as pool:
        futures = {pool.submit(_render_in_worker, sid): sid for sid in submission_ids}
        for future in as_completed(futures):
            paths[futures[future]] = future.result()
            advance()
    return paths


def _portable_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """The app's configuration, minus anything that cannot cross a process boundary."""
    portable = {}
    for key, value in config.items():
        try:
            pickle.dumps(value)
        except Exception:
            continue
        portable[key] = value
    return portable


_worker_app: Flask | None = None


def _init_worker(config: dict[str, Any]) -> None:
    """Each worker process builds its own app (and database engine) from the same config and
    pays WeasyPrint's import once."""
    global _worker_app
    from portfolio import create_app

    _worker_app = create_app(config)
    import weasyprint  # noqa: F401


def _render_in_worker(submission_id: int) -> str:
    from portfolio.export.cache import ensure_pdf

    assert _worker_app is not None, "worker not initialised"
    with _worker_app.app_context():
        try:
            submission = db.session.get(Submission, submission_id)
            return str(ensure_pdf(submission)[0])
        finally:
            db.session.remove()


# --- the zip ----------------------------------------------------------------------------------


# Latin letters that Unicode does not decompose into a base letter and an accent (so NFKD
# leaves them, and the ASCII filter below dropped them: "Łukasz" read "ukasz").
_UNDECOMPOSED = str.maketrans(
    {
        "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d",
        "Ħ": "H", "ħ": "h", "Ŧ": "T", "ŧ": "t", "ı": "i", "ß": "ss", "ẞ": "SS",
        "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Þ": "Th", "þ": "th", "Ŋ": "N", "ŋ": "n",
    }
)  # fmt: skip


def slug(text: str, *, fallback: str = "learner") -> str:
    """A file-name-safe form of a name. Accented letters lose their accents rather than the
    letter ("zoe-lopez" for Zoë López, not "zo-l-pez"), so the files of a visit's zip still
    say whose they are. A name with no Latin letter or digit (李伟) gives `fallback`: say what
    is named ("cohort" for a cohort's downloads)."""
    plain = "".join(
        ch
        for ch in unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
        if not unicodedata.combining(ch)
    )
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower() or fallback


def _write_zip(export: BulkExport, submissions: list[Submission], rendered: dict[int, str]) -> str:
    """The PDFs and a manifest (CSV, with each PDF's SHA-256, then a row for each learner of
    the cohort with nothing submitted) in one zip under PDF_CACHE_DIR, streamed to a temporary
    file and renamed into place; returns its path relative to that folder."""
    manifest = io.StringIO(CSV_BOM)
    manifest.seek(0, io.SEEK_END)
    writer = csv.writer(manifest)
    writer.writerow(
        [
            "file",
            "learner",
            "unit",
            "version",
            "status",
            "submitted_at",
            "snapshot_sha256",
            "pdf_sha256",
        ]
    )
    relative = Path("exports") / f"cohort-{export.cohort_id}-export-{export.id}.zip"
    target = cache_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".zip")
    used: set[str] = set()
    try:
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for submission in submissions:
                    name = _member_name(submission, used)
                    path = Path(rendered[submission.id])
                    archive.write(path, name)
                    snap = submission.snapshot
                    writer.writerow(
                        [
                            name,
                            inert(snap["learner"]["name"]),
                            snap["unit"]["code"],
                            submission.number,
                            # In words, as the PDF's cover and the rows below say theirs.
                            SUBMISSION_STATUS_LABELS[submission.status],
                            submission.submitted_at.isoformat(timespec="seconds"),
                            submission.snapshot_hash,
                            hashlib.sha256(path.read_bytes()).hexdigest(),
                        ]
                    )
                exported = {s.portfolio.learner_id for s in submissions}
                for name in learners_without_submissions(export.cohort_id, exported):
                    writer.writerow(["", inert(name), "", "", "nothing submitted", "", "", ""])
                archive.writestr("manifest.csv", manifest.getvalue())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return relative.as_posix()


def _member_name(submission: Submission, used: set[str]) -> str:
    """learner-unit-vN.pdf, unique within the zip."""
    snap = submission.snapshot
    base = f"{slug(snap['learner']['name'])}-{slug(snap['unit']['code'])}"
    name, counter = f"{base}-v{submission.number}.pdf", 2
    while name in used:
        name = f"{base}-{counter}-v{submission.number}.pdf"
        counter += 1
    used.add(name)
    return name


def zip_path(export: BulkExport) -> Path | None:
    """The finished zip on disk, or None."""
    if export.status != ExportStatus.DONE or not export.path:
        return None
    path = cache_dir() / export.path
    return path if path.is_file() else None


# --- starting it from a request ---------------------------------------------------------------


def start_in_background(app: Flask, export_id: int) -> threading.Thread:
    """Run the export in a thread of this server process, so the request returns at once.
    (Acceptable here: the job's state is in the database, and a job whose server stops shows
    as stalled on its page, from where it can be started again.)"""

    def target() -> None:
        with app.app_context():
            try:
                run_export(export_id)
            finally:
                db.session.remove()

    thread = threading.Thread(target=target, name=f"bulk-export-{export_id}", daemon=True)
    thread.start()
    return thread
