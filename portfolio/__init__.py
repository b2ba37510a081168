"""Simulated referred-complaint casework and NVQ portfolio: the application factory."""

import os
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portfolio.config import ROOT, default_config
from portfolio.record_ids import RecordIdConverter


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then PORTFOLIO_* environment variables, then `config`."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    # Before any blueprint adds its rules: every <int:…> in a URL is a bounded record ID.
    app.url_map.converters["int"] = RecordIdConverter
    app.config.from_mapping(default_config())
    app.config.from_prefixed_env("PORTFOLIO")
    if config:
        app.config.from_mapping(config)
    _use_timezone(app.config["TIMEZONE"])
    if proxies := int(app.config["TRUSTED_PROXIES"]):
        # The visitor's own address and scheme, as the proxies say (only as many hops as are
        # trusted, so a visitor cannot forge theirs): the sign-in throttle counts by address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    from portfolio import cli, errors, security, templating
    from portfolio.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "portfolio" / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)

    from portfolio import models  # noqa: F401  (registers every model with the metadata)
    from portfolio.accounts.views import bp as accounts_bp
    from portfolio.auth.views import bp as auth_bp
    from portfolio.casework.views import bp as casework_bp
    from portfolio.evidence.views import bp as evidence_bp
    from portfolio.exercises.views import bp as exercises_bp
    from portfolio.export.views import bp as export_bp
    from portfolio.improvement.views import bp as improvement_bp
    from portfolio.library.views import bp as library_bp
    from portfolio.main.views import bp as main_bp
    from portfolio.notifications.views import bp as notifications_bp
    from portfolio.reports.views import bp as reports_bp
    from portfolio.review.iqa_views import bp as iqa_bp
    from portfolio.review.views import bp as review_bp
    from portfolio.site.views import bp as site_bp

    for blueprint in (
        auth_bp,
        main_bp,
        accounts_bp,
        site_bp,
        library_bp,
        casework_bp,
        improvement_bp,
        evidence_bp,
        exercises_bp,
        export_bp,
        reports_bp,
        iqa_bp,
        review_bp,
        notifications_bp,
    ):
        app.register_blueprint(blueprint)
    return app


def _use_timezone(name: str) -> None:
    """Make `name` the process's local zone, so that `date.today()` and local midnight are the
    UK day: on a server kept in UTC, an exercise closing on 22 July took new cases until 01:00
    BST on the 23rd. Stored timestamps stay UTC (utcnow); only the calendar day moves."""
    if os.environ.get("TZ") != name:
        os.environ["TZ"] = name
        time.tzset()
