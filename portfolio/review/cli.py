"""`flask audit verify`: walk the decision log's hash chain and name the first bad entry."""

import click
from flask.cli import AppGroup

from portfolio.review import log

audit_cli = AppGroup("audit", help="Check the append-only decision log.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Check every entry's hash and its link to the entry before; exit 1 at the first break."""
    result = log.verify()
    if result.ok:
        click.echo(f"{result.checked} entries verified: the decision log is intact.")
        return
    if result.missing:
        click.echo(
            f"{result.checked} entries verified, but an entry is missing: {result.missing}.",
            err=True,
        )
        raise SystemExit(1)
    click.echo(
        f"Entry {result.first_bad_seq} does not match: {result.reason}. "
        f"{result.checked} entries before it verified.",
        err=True,
    )
    raise SystemExit(1)
