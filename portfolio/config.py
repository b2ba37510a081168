"""Configuration defaults. Every value can be overridden from the environment with the
``PORTFOLIO_`` prefix (``PORTFOLIO_SECRET_KEY``), and the common ones without it."""

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _secret_key() -> str:
    """Read SECRET_KEY from the environment, else a key kept in instance/ so that every worker
    and every restart share it (sessions survive a restart; nothing lives in process memory)."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    INSTANCE.mkdir(exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'portfolio.sqlite3'}")
    # Heroku-style URLs name the old driver; we use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def default_config() -> dict:
    """The configuration mapping before environment and test overrides."""
    return {
        "SECRET_KEY": _secret_key(),
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SCENARIOS_DIR": str(ROOT / "scenarios"),
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", str(INSTANCE / "uploads")),
        "PDF_CACHE_DIR": os.environ.get("PDF_CACHE_DIR", str(INSTANCE / "pdf")),
        # Bulk export: worker processes (None: every core), and whether the request runs the
        # job itself (tests) rather than in a background thread.
        "EXPORT_WORKERS": None,
        "EXPORT_INLINE": False,
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        "DEMO_MODE": os.environ.get("PORTFOLIO_DEMO") == "1",
        # Sign-in throttling: failures counted in the database so every worker sees them.
        "LOGIN_MAX_FAILURES_PER_EMAIL": 5,
        "LOGIN_MAX_FAILURES_PER_IP": 30,
        "LOGIN_THROTTLE_WINDOW_SECONDS": 15 * 60,
        # How many proxies (a load balancer, nginx) stand in front of the app and set
        # X-Forwarded-For. 0 trusts no such header. Behind a proxy with 0, every visitor has the
        # proxy's address, so the per-address throttle would lock everyone out at once.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # argon2id defaults from argon2-cffi (about 120 ms a hash on these machines).
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_COST": 65536,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE") == "1",
        "REMEMBER_COOKIE_DURATION": 14 * 24 * 3600,
        "WTF_CSRF_TIME_LIMIT": None,  # a learner may draft for hours; the token is session-bound
        "PER_PAGE": 50,
        # The calendar day the app works in (exercise dates, "today", declarations): the UK
        # day, wherever the server's clock is set. create_app makes it the process's zone.
        "TIMEZONE": os.environ.get("TIMEZONE", "Europe/London"),
    }
