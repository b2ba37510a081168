"""`flask scenarios validate [PATH ...]` and `flask scenarios load [PATH]`."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portfolio.extensions import db
from portfolio.library.services import load_bundled
from portfolio.scenarios.errors import ScenarioInvalid
from portfolio.scenarios.loader import validate_paths

scenarios_cli = AppGroup("scenarios", help="Validate and load scenario files.")


@scenarios_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate_command(paths: tuple[Path, ...]) -> None:
    """Check scenario folders, bundles, criteria files or zips (default: the bundled ones).
    Prints every error with file, line and field, and exits 1 when there is any."""
    bundled = Path(current_app.config["SCENARIOS_DIR"])
    errors = validate_paths([*paths, *_bundled_criteria(paths, bundled)] if paths else [bundled])
    for error in errors:
        click.echo(str(error))
    if errors:
        raise click.exceptions.Exit(1)
    click.echo("All scenarios are valid.")


def _bundled_criteria(paths: tuple[Path, ...], bundled: Path) -> list[Path]:
    """The app's own criteria files, for checking zips and scenario folders kept outside a
    bundle (as an admin checks one before uploading it), unless the paths bring criteria."""
    if any(_brings_criteria(p) for p in paths):
        return []
    return sorted((bundled / "criteria").glob("*.yaml"))


def _brings_criteria(path: Path) -> bool:
    """Whether the validator reads criteria from this path: a criteria file, a bundle, or a
    scenario folder (or its scenario.yaml) inside one. A zip never does."""
    if path.is_file() and path.suffix in (".yaml", ".yml"):
        return path.name != "scenario.yaml" or (path.parent.parent / "criteria").is_dir()
    if path.is_dir():
        in_bundle = (path / "scenario.yaml").is_file() and (path.parent / "criteria").is_dir()
        return (path / "criteria").is_dir() or in_bundle
    return False


@scenarios_cli.command("load")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def load_command(path: Path | None) -> None:
    """Import the bundled scenarios as versions keyed by content hash (idempotent)."""
    root = path or Path(current_app.config["SCENARIOS_DIR"])
    try:
        report = load_bundled(root)
    except ScenarioInvalid as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        raise click.ClickException("Nothing was loaded: fix the errors above.") from exc
    db.session.commit()
    for code, changed in report.units:
        click.echo(f"unit {code}: {'updated' if changed else 'unchanged'}")
    for slug, number, created in report.scenarios:
        click.echo(f"scenario {slug}: version {number} {'added' if created else 'unchanged'}")
