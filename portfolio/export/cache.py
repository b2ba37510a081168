"""Rendered PDFs on disk, keyed by everything they show: the snapshot's hash, the template's
version, and a digest of what happened to the version since (status, decisions, sign-offs, IQA
record, log entries). A download looks that key up and serves the file; only a miss renders.

Files are content-addressed and written atomically (a temporary file in the same folder, then
os.replace), so several app servers or workers sharing PDF_CACHE_DIR never serve a half-written
PDF; two concurrent misses both render, and the second rename simply wins.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app

from portfolio.evidence.models import Submission
from portfolio.export import pdf
from portfolio.export.context import review_state, state_digest


def cache_dir() -> Path:
    return Path(current_app.config["PDF_CACHE_DIR"])


def cache_key(submission: Submission, state: dict) -> str:
    """The key for this version as it stands now. The decision log's head, printed on the
    cover as "the head when this PDF was produced", is deliberately left out: every decision
    anywhere moves it, and an older head is still a true point of the chain to verify."""
    parts = "|".join(
        (
            submission.snapshot_hash,
            pdf.template_version(),
            state_digest(state),
            str(submission.id),
            submission.submitted_at.isoformat(),
        )
    )
    return hashlib.sha256(parts.encode()).hexdigest()


def path_for(key: str) -> Path:
    return cache_dir() / "submissions" / key[:2] / f"{key}.pdf"


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_pdf(submission: Submission) -> tuple[Path, str]:
    """The cached PDF of this version as it stands (rendered now if there is none), and its
    key (an ETag)."""
    state = review_state(submission)
    key = cache_key(submission, state)
    path = path_for(key)
    if not path.is_file():
        write_atomically(path, pdf.render_portfolio_pdf(submission, state=state))
    return path, key
