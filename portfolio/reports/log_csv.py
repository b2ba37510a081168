"""The decision log as a CSV download, streamed: the centre admin's whole log and the IQA's
log of their own learners share its columns and this writer. Each entry's kind is written as
the on-screen log (review/_log_table.html) names it, from the same labelling."""

import csv
import io
import json
from collections.abc import Iterator
from datetime import date

import sqlalchemy as sa
from flask import Response, stream_with_context

from portfolio.extensions import db
from portfolio.reads import rows as read_rows
from portfolio.review.context import log_rows
from portfolio.review.models import Assessment, AssessmentKind
from portfolio.spreadsheet_cells import CSV_BOM, inert

# "submission" is the record's id, as the log's payloads cite it; "version" the number the
# pages show (version 2 of the learner's portfolio). "summary" is the entry in words as the
# on-screen log shows it ("1.2: Not yet competent"); "details" every field the entry records.
HEADER = [
    "seq",
    "time (UTC)",
    "kind",
    "actor",
    "learner",
    "submission",
    "version",
    "summary",
    "details",
    "entry hash",
]


#: Entries written (and labelled) at a time.
CHUNK = 1000


def _standardisation_ids(entries: list) -> set[int]:
    """Which of the assessments these entries' decisions belong to are standardisation
    markings (the on-screen log calls their decisions "standardisation decision"): one query
    a chunk, and none for a chunk without decisions."""
    ids = {
        i
        for e in entries
        if e.kind == "decision" and isinstance(i := (e.payload or {}).get("assessment_id"), int)
    }
    if not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Assessment.id).where(
                Assessment.id.in_(ids), Assessment.kind == AssessmentKind.STANDARDISATION
            )
        )
    )


def _details(payload: dict) -> str:
    """The entry's fields as key=value, a list or mapping (an IQA verdict's verdicts, a
    return's decisions) as JSON: Python's repr of them (True, single quotes) read as code and
    parsed as nothing."""
    return ", ".join(
        f"{k}={json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v}"
        for k, v in sorted(payload.items())
    )


def _chunks(statement: sa.Select) -> Iterator[list]:
    result = read_rows(statement)
    while chunk := result.fetchmany(CHUNK):
        yield chunk


def _lines(statement: sa.Select) -> Iterator[str]:
    """The CSV a thousand entries at a time: a large centre's log runs to tens of megabytes,
    which is sent as it is written rather than built whole in memory first."""
    buffer = io.StringIO(CSV_BOM)
    buffer.seek(0, io.SEEK_END)
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for chunk in _chunks(statement):
        for row in log_rows(chunk, _standardisation_ids(chunk)):
            e = row.entry
            writer.writerow(
                [
                    e.seq,
                    e.created_at.isoformat(timespec="seconds"),
                    row.label,
                    inert(e.actor),
                    inert(e.learner or ""),
                    e.submission_id or "",
                    e.version or "",
                    inert(row.detail),
                    inert(_details(e.payload or {})),
                    e.entry_hash,
                ]
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def download(statement: sa.Select) -> Response:
    """The rows of `statement` (reports.queries.decision_log) as decision-log.csv."""
    return Response(
        stream_with_context(_lines(statement)),
        mimetype="text/csv",
        # Dated, as the grid's downloads are: a month of downloads otherwise read
        # "decision-log (3).csv".
        headers={
            "Content-Disposition": (
                f'attachment; filename="decision-log-{date.today().isoformat()}.csv"'
            )
        },
    )
