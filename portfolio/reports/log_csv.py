"""The decision log as a CSV download, streamed: the centre admin's whole log and the IQA's
log of their own learners share its columns and this writer."""

import csv
import io
from collections.abc import Iterator

import sqlalchemy as sa
from flask import Response, stream_with_context

from portfolio.reads import rows as read_rows
from portfolio.spreadsheet_cells import inert

HEADER = ["seq", "time (UTC)", "kind", "actor", "learner", "submission", "details", "entry hash"]


def _lines(statement: sa.Select) -> Iterator[str]:
    """The CSV a thousand entries at a time: a large centre's log runs to tens of megabytes,
    which is sent as it is written rather than built whole in memory first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for n, e in enumerate(read_rows(statement), start=1):
        writer.writerow(
            [
                e.seq,
                e.created_at.isoformat(timespec="seconds"),
                e.kind,
                inert(e.actor),
                inert(e.learner or ""),
                e.submission_id or "",
                inert(", ".join(f"{k}={v}" for k, v in sorted((e.payload or {}).items()))),
                e.entry_hash,
            ]
        )
        if n % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def download(statement: sa.Select) -> Response:
    """The rows of `statement` (reports.queries.decision_log) as decision-log.csv."""
    return Response(
        stream_with_context(_lines(statement)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="decision-log.csv"'},
    )
