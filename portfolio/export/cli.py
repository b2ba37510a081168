"""`flask export cohort ID`: a cohort's bulk export, run in the foreground."""

import click
from flask.cli import AppGroup

from portfolio.accounts.models import Cohort
from portfolio.export import bulk
from portfolio.export.models import ExportStatus
from portfolio.extensions import db

export_cli = AppGroup("export", help="Export portfolios as PDF.")


@export_cli.command("cohort")
@click.argument("cohort_id", type=int)
@click.option("--workers", type=int, default=None, help="Worker processes (default: every core).")
def cohort_command(cohort_id: int, workers: int | None) -> None:
    """Render the latest submitted version of every learner in a cohort into one zip."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise click.ClickException(f"There is no cohort {cohort_id}.")
    try:
        export = bulk.create_export(cohort, by=None)
    except bulk.NothingToExport as exc:
        raise click.ClickException(exc.message) from exc
    except bulk.AlreadyExporting as exc:
        raise click.ClickException(
            f"Export {exc.export.id} of {cohort.name} is already under way; wait for it, or "
            f"run this again once it has not moved for {bulk.STALLED_AFTER.seconds // 60} "
            "minutes."
        ) from exc
    db.session.commit()
    total = f"{export.total} portfolio{'' if export.total == 1 else 's'}"
    click.echo(f"Export {export.id}: {total} from {cohort.name}.")
    missing = bulk.nothing_submitted(cohort)
    if missing:
        # As the web page says it: the count is of PDFs, not of the cohort's learners.
        click.echo(
            f"Nothing submitted yet by {bulk.names_in_brief(missing)}: the zip's manifest lists "
            "them, without a PDF."
        )
    export = bulk.run_export(export.id, workers=workers)
    if export.status != ExportStatus.DONE:
        raise click.ClickException(f"Export {export.id} failed: {export.error}")
    click.echo(f"Done: {bulk.zip_path(export)}")
