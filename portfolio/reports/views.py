"""Centre reports: cohort tracking grid on screen, as CSV and as a spreadsheet; the decision
log as CSV."""

import csv
import io
from datetime import date

from flask import Blueprint, Response, render_template
from flask_login import current_user
from markupsafe import Markup

from portfolio import authz
from portfolio.accounts.models import Cohort
from portfolio.evidence.queries import STATUS_LABELS
from portfolio.export.bulk import slug
from portfolio.extensions import db
from portfolio.reports import log_csv
from portfolio.reports.queries import cohort_grid, decision_log
from portfolio.roles import Role
from portfolio.spreadsheet_cells import CSV_BOM, inert

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.before_request
@authz.role_required(Role.CENTRE_ADMIN)
def _centre_admins_only():
    """Reports belong to centre admins."""


def _cohort(cohort_id: int) -> Cohort:
    return db.first_or_404(authz.cohorts_managed_by(current_user).where(Cohort.id == cohort_id))


def _download_name(cohort: Cohort, extension: str) -> str:
    """'spring-2027-tracking-grid-2026-11-24.csv': an admin with several cohorts' downloads
    can tell them apart (the cohort's ID alone said nothing)."""
    name = slug(cohort.name, fallback="cohort")
    return f"{name}-tracking-grid-{date.today().isoformat()}.{extension}"


def _table(grid) -> list[list[str]]:
    """Header and rows; the account's state comes last, so the criteria keep their columns."""
    header = ["Learner", "Email"] + [c.ref for c in grid.criteria] + ["Account"]
    rows = [
        [learner.full_name, learner.email]
        + [STATUS_LABELS[s] for s in cells]
        + ["Active" if learner.active else "Deactivated"]
        for learner, cells in grid.rows
    ]
    return [header, *rows]


SYMBOLS = {
    "none": "–",
    "proposed": "P",
    "mapped": "M",
    "submitted": "S",
    "met": "✓",
    "not_yet": "NYC",
}
# Each status's cell, built once: a 50-learner page has over a thousand cells, and rendering
# each through the template cost more than the rest of the page.
CELLS = {
    key: str(
        Markup(
            '<td><span class="status status-{0}" title="{1}">{2}'
            '<span class="visually-hidden"> {1}</span></span></td>'
        ).format(key, label, SYMBOLS[key])
    )
    for key, label in STATUS_LABELS.items()
}


@bp.get("/cohorts/<int:cohort_id>")
def cohort_grid_page(cohort_id: int):
    cohort = _cohort(cohort_id)
    grid = cohort_grid(cohort, page=True)
    rows = [(learner, Markup("".join(CELLS[s] for s in cells))) for learner, cells in grid.rows]
    return render_template(
        "reports/cohort_grid.html",
        cohort=cohort,
        grid=grid,
        rows=rows,
        status_labels=STATUS_LABELS,
        symbols=SYMBOLS,
    )


@bp.get("/cohorts/<int:cohort_id>.csv")
def cohort_grid_csv(cohort_id: int):
    cohort = _cohort(cohort_id)
    buffer = io.StringIO(CSV_BOM)
    buffer.seek(0, io.SEEK_END)
    writer = csv.writer(buffer)
    for row in _table(cohort_grid(cohort)):
        writer.writerow([inert(str(v)) for v in row])
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_download_name(cohort, "csv")}"'},
    )


@bp.get("/cohorts/<int:cohort_id>.xlsx")
def cohort_grid_xlsx(cohort_id: int):
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    cohort = _cohort(cohort_id)
    grid = cohort_grid(cohort)
    book = Workbook()
    sheet = book.active
    sheet.title = "Tracking grid"
    for row in _table(grid):
        sheet.append([inert(str(v)) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C2"
    # Wide enough to read names, emails and "Submitted, awaiting assessment" without dragging
    # every column open (the default width shows about eight characters).
    for n, width in enumerate([28, 34] + [30] * len(grid.criteria) + [14], start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    criteria = book.create_sheet("Criteria")
    criteria.append(["Criterion", "Text"])
    for c in grid.criteria:
        # The criteria file's folded YAML leaves a trailing newline on each text.
        criteria.append([c.ref, inert(c.text.strip())])
    criteria.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(
        buffer.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{_download_name(cohort, "xlsx")}"'},
    )


@bp.get("/decision-log.csv")
def decision_log_csv():
    return log_csv.download(decision_log(current_user.centre_id))
