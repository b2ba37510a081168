"""Template filters and globals shared by every page."""

from datetime import datetime

from flask import Flask
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from portfolio.library.markdown import render_markdown
from portfolio.roles import Role

# Main navigation: (endpoint, label, roles that see it). Features add their entries here.
NAV_ITEMS: list[tuple[str, str, frozenset[Role]]] = [
    ("casework.my_cases", "My cases", frozenset({Role.LEARNER})),
    ("evidence.mine", "My portfolio", frozenset({Role.LEARNER})),
    ("review.queue", "Queue", frozenset({Role.ASSESSOR})),
    ("review.caseload", "Caseload", frozenset({Role.ASSESSOR})),
    ("exercises.index", "Exercises", frozenset(Role) - {Role.SITE_ADMIN}),
    ("library.index", "Scenarios", frozenset(Role) - {Role.SITE_ADMIN}),
    ("accounts.users", "Users", frozenset({Role.CENTRE_ADMIN})),
    ("accounts.cohorts", "Cohorts", frozenset({Role.CENTRE_ADMIN})),
    ("export.cohorts", "Exports", frozenset({Role.CENTRE_ADMIN})),
    ("site.centres", "Centres", frozenset({Role.SITE_ADMIN})),
    ("iqa.plans", "Sampling", frozenset({Role.IQA})),
    ("iqa.standardisations", "Standardisation", frozenset({Role.IQA})),
    ("notifications.inbox", "Notifications", frozenset(Role)),
]


def format_datetime(value: datetime | None) -> str:
    """A UTC timestamp as UK readers expect: 23 Nov 2026, 14:05."""
    if value is None:
        return "—"
    return value.strftime("%-d %b %Y, %H:%M")


def format_date(value) -> str:
    if value is None:
        return "—"
    return value.strftime("%-d %b %Y")


def analysis_presentation(figures: dict, chart_id: str):
    """Charts for stored analysis figures (snapshots, PDF), or None if they cannot be read."""
    from portfolio.improvement.figures import FiguresUnreadable, figures_from_dict, present

    try:
        return present(figures_from_dict(figures), {}, chart_id=chart_id)
    except (FiguresUnreadable, KeyError, TypeError, ValueError):
        return None


class _SignOutForm:
    """What the header's sign-out form needs: the CSRF field a ReauthForm would render, without
    building a WTForms form on every page (which cost more than the rest of the header)."""

    @property
    def csrf_token(self) -> Markup:
        return Markup('<input id="csrf_token" name="csrf_token" type="hidden" value="{}">').format(
            generate_csrf()
        )


def init_app(app: Flask) -> None:
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_global(analysis_presentation)

    @app.context_processor
    def inject_globals():
        return {
            "Role": Role,
            "signout_form": _SignOutForm(),
            "demo_mode": app.config["DEMO_MODE"],
            "nav_items": NAV_ITEMS,
        }
