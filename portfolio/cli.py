"""Command-line commands: create-admin and demo. Each calls the same services as the web."""

import click
import sqlalchemy as sa
from flask import Flask

from portfolio.accounts import services
from portfolio.accounts.errors import AccountError
from portfolio.accounts.forms import email_problem
from portfolio.accounts.models import Centre, Cohort, User
from portfolio.auth.passwords import password_problem
from portfolio.extensions import db
from portfolio.roles import Role

DEMO_CENTRE = "Demo Training Centre"
DEMO_PASSWORD = "portfolio-demo"
DEMO_USERS = [
    ("admin@demo.test", "Alex Morgan", Role.CENTRE_ADMIN),
    ("assessor@demo.test", "Sam Patel", Role.ASSESSOR),
    ("iqa@demo.test", "Jo Williams", Role.IQA),
    ("learner@demo.test", "Casey Jones", Role.LEARNER),
    ("learner2@demo.test", "Riley Evans", Role.LEARNER),
]


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "full_name", prompt="Full name")
@click.password_option()
def create_admin_command(email: str, full_name: str, password: str) -> None:
    """Create a site admin, who creates centres and their first admins."""
    full_name = " ".join(full_name.split())
    if not full_name:
        raise click.ClickException("Give the site admin's full name (--name).")
    email = email.strip()
    if problem := email_problem(email):
        raise click.ClickException(problem)
    if problem := password_problem(password, email=email, full_name=full_name):
        raise click.ClickException(problem)
    try:
        services.create_user(
            email=email,
            full_name=full_name,
            role=Role.SITE_ADMIN,
            centre=None,
            password=password,
            must_change_password=False,
        )
    except AccountError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"Created site admin {email}.")


def ensure_demo() -> dict[str, User]:
    """Create the demo centre, its five accounts and a cohort, once. Running again changes
    nothing that already exists (so a demo user's changed password is kept)."""
    centre = db.session.scalar(sa.select(Centre).where(Centre.name == DEMO_CENTRE))
    if centre is None:
        centre = services.create_centre(name=DEMO_CENTRE)
    users: dict[str, User] = {}
    for email, name, role in DEMO_USERS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = services.create_user(
                email=email,
                full_name=name,
                role=role,
                centre=centre,
                password=DEMO_PASSWORD,
                must_change_password=False,
            )
        users[email] = user
    assessor, iqa = users["assessor@demo.test"], users["iqa@demo.test"]
    learners = [users["learner@demo.test"], users["learner2@demo.test"]]
    for learner in learners:
        learner.assessor = learner.assessor or assessor
        learner.iqa = learner.iqa or iqa
    cohort = db.session.scalar(
        sa.select(Cohort).where(Cohort.centre_id == centre.id, Cohort.name == "Demo cohort")
    )
    if cohort is None:
        cohort = services.create_cohort(
            centre=centre, name="Demo cohort", description="The demo learners."
        )
        services.set_cohort_members(cohort, learners=learners)
    db.session.flush()
    return users


@click.command("demo")
@click.option(
    "--scale",
    type=click.Choice(["small", "large"]),
    default="small",
    show_default=True,
    help="large also builds Large Demo College (thousands of learners) for scale testing.",
)
def demo_command(scale: str) -> None:
    """Create the demo centre and accounts (idempotent)."""
    users = ensure_demo()
    from portfolio.sample_work import ensure_sample_work

    ensure_sample_work(users)
    db.session.commit()
    click.echo(f"Demo centre ready: sign in as admin@demo.test with {DEMO_PASSWORD}.")
    if scale == "large":
        _large_demo()


def _large_demo() -> None:
    """Build Large Demo College once (see portfolio/demo/large.py)."""
    from portfolio.demo.large import EMAIL_DOMAIN, LARGE_CENTRE, build_large_centre

    click.echo(f"Building {LARGE_CENTRE} (a few minutes)...")
    report = build_large_centre(password=DEMO_PASSWORD, echo=click.echo)
    if report is None:
        click.echo(f"{LARGE_CENTRE} exists already: nothing changed.")
        return
    db.session.commit()
    click.echo(
        f"{LARGE_CENTRE} ready in {report.seconds:.0f} s ({sum(report.counts.values()):,} rows). "
        f"Sign in as admin0001@{EMAIL_DOMAIN}, assessor0001@, iqa0001@ or learner0001@ "
        f"{EMAIL_DOMAIN} with {DEMO_PASSWORD}."
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(create_admin_command)
    app.cli.add_command(demo_command)
    from portfolio.library.cli import scenarios_cli

    app.cli.add_command(scenarios_cli)
    from portfolio.export.cli import export_cli

    app.cli.add_command(export_cli)
    from portfolio.review.cli import audit_cli

    app.cli.add_command(audit_cli)
