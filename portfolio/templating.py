"""Template filters and globals shared by every page."""

import functools
from datetime import UTC, date, datetime

from flask import Flask, request, url_for
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
    # Nothing notifies a site admin (their inbox stays reachable, and empty).
    ("notifications.inbox", "Notifications", frozenset(Role) - {Role.SITE_ADMIN}),
]


def local_time(value: datetime) -> datetime:
    """A stored (UTC) timestamp on the app's clock, the TIMEZONE setting (the UK clock, BST in
    summer, which create_app makes the process's zone): in UTC an 18:30 submission in July
    read 17:30, and one at 00:30 landed on the previous day. One without a zone is kept."""
    return value.astimezone() if value.tzinfo is not None else value


def format_datetime(value: datetime | None) -> str:
    """A timestamp as UK readers expect, on the UK clock: 23 Nov 2026, 14:05."""
    if value is None:
        return "—"
    return local_time(value).strftime("%-d %b %Y, %H:%M")


def format_datetime_utc(value: datetime | str | None) -> str:
    """A timestamp in UTC, for records that say so (the PDF's audit lines, a case log's real
    times): 23 Nov 2026, 14:05. Takes the ISO text snapshots store; other text is kept."""
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.strftime("%-d %b %Y, %H:%M")


def format_date(value: date | datetime | str | None) -> str:
    """A date, or the UK calendar day of a timestamp: 23 Nov 2026. An ISO date as text (as
    snapshots and records keep it) is read as a date; other text is shown as it is."""
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = local_time(value)
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


_NAV_ITEM = Markup('<li><a href="{}"{}>{}{}</a></li>')
_CURRENT = Markup(' aria-current="page"')
_COUNT = Markup(' <span class="nav-count">{}<span class="visually-hidden"> unread</span></span>')


def main_nav(role: Role, unread: int) -> Markup:
    """The header's navigation for a role, the current page marked and the unread count on
    Notifications."""
    return _nav_markup(role, request.endpoint or "", unread, request.script_root)


@functools.lru_cache(maxsize=1024)
def _nav_markup(role: Role, endpoint: str, unread: int, script_root: str) -> Markup:
    # Depends only on its arguments (and the fixed URL map), so each combination is built once
    # per process: the nav was a tenth of a plain page's cost when rendered by the template.
    items = [("main.dashboard", "Dashboard")]
    items += [(ep, label) for ep, label, roles in NAV_ITEMS if role in roles]
    return Markup("").join(
        _NAV_ITEM.format(
            url_for(ep),
            _CURRENT if ep == endpoint else "",
            label,
            _COUNT.format(unread) if ep == "notifications.inbox" and unread else "",
        )
        for ep, label in items
    )


def format_count(n: int | None) -> str:
    """A count as people write it, thousands grouped by commas: 2,937 learners, not 2937."""
    return "" if n is None else f"{n:,}"


def init_app(app: Flask) -> None:
    app.add_template_filter(format_count, "number")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_datetime_utc, "datetime_utc")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_global(analysis_presentation)
    app.add_template_global(main_nav)

    @app.context_processor
    def inject_globals():
        return {
            "Role": Role,
            "signout_form": _SignOutForm(),
            "demo_mode": app.config["DEMO_MODE"],
        }
