"""Sign-in, sign-out and the forced password change."""

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from portfolio.accounts import services
from portfolio.accounts.errors import AccountError
from portfolio.accounts.models import User
from portfolio.auth.forms import ChangePasswordForm, LoginForm
from portfolio.auth.passwords import verify_password
from portfolio.auth.sessions import (
    clear_remember_cookie,
    kept_signed_in,
    remember_password,
    set_remember_cookie,
    sign_out,
    signed_in_with_an_old_password,
)
from portfolio.db import utcnow
from portfolio.extensions import db

bp = Blueprint("auth", __name__, url_prefix="/auth")

GENERIC_FAILURE = "The email address or password is not right."
DEACTIVATED = "This account has been deactivated. Ask your centre's administrator."
# Endpoints a user who must change their password may still reach.
OPEN_WHILE_CHANGING = {"auth.change_password", "auth.logout", "static"}


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after sign-in (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def throttled_message() -> str:
    """Say how long the wait is and the way out when the password itself is forgotten: the
    centre's administrator issues a new one (which lifts the account's lock at once)."""
    wait = services.throttle_wait()
    return (
        f"Too many failed attempts to sign in. Wait {wait}, then try again. If you have "
        "forgotten your password, ask your centre's administrator to issue a new one."
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")) or url_for("main.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email = services.normalise_email(form.email.data)
        ip = request.remote_addr or "unknown"
        if services.login_throttled(email=email, ip=ip):
            form.form_errors.append(throttled_message())
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if not verify_password(user.password_hash if user else None, form.password.data):
            services.record_login_failure(email=email, ip=ip)
            db.session.commit()
            form.form_errors.append(GENERIC_FAILURE)
            status = 200
        elif not user.active:
            form.form_errors.append(DEACTIVATED)
        else:
            login_user(user, remember=form.remember.data)
            remember_password(user.password_hash)
            user.last_login_at = utcnow()
            services.clear_login_failures(email=email)
            db.session.commit()
            target = _safe_next(request.args.get("next"))
            if user.must_change_password:
                # The page asked for is kept: it opens once the password is chosen.
                response = redirect(url_for("auth.change_password", next=target))
            else:
                response = redirect(target or url_for("main.dashboard"))
            if form.remember.data:
                set_remember_cookie(response, user.password_hash)
            return response
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    sign_out()
    flash("You have signed out.", "info")
    response = redirect(url_for("auth.login"))
    clear_remember_cookie(response)
    return response


def _check_current_password(form: ChangePasswordForm, *, ip: str) -> None:
    """Put a wrong current password on its field, counted as a failed sign-in."""
    if not verify_password(current_user.password_hash, form.current_password.data):
        form.current_password.errors.append("Your current password is not right.")
        services.record_login_failure(email=current_user.email, ip=ip)
        db.session.commit()


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    # The current password is guessed here as on the sign-in page (by whoever finds a
    # signed-in browser left open), so the same throttle and failure count apply.
    ip = request.remote_addr or "unknown"
    if form.is_submitted() and services.login_throttled(email=current_user.email, ip=ip):
        form.form_errors.append(throttled_message())
        return render_template("auth/change_password.html", form=form), 429
    if not form.validate_on_submit():
        if form.is_submitted() and form.current_password.data:
            # Said with the new password's problems, not one round (and retyping) later.
            _check_current_password(form, ip=ip)
        return render_template("auth/change_password.html", form=form)
    try:
        services.change_password(
            current_user, current=form.current_password.data, new=form.new_password.data
        )
    except AccountError as exc:
        getattr(form, exc.field).errors.append(exc.message)
        if exc.field == "current_password":
            services.record_login_failure(email=current_user.email, ip=ip)
            db.session.commit()
        return render_template("auth/change_password.html", form=form)
    db.session.commit()
    # This browser stays signed in; every other one is signed out.
    remember_password(current_user.password_hash)
    flash("Your password has been changed.", "success")
    response = redirect(_safe_next(request.args.get("next")) or url_for("main.dashboard"))
    if kept_signed_in():
        set_remember_cookie(response, current_user.password_hash)
    return response


@bp.before_app_request
def end_sign_in_of_a_deactivated_account():
    """Flask-Login treats a deactivated user's open session as nobody, so without this they
    met only "Please sign in to see that page" and a sign-in that then refused them."""
    if (
        request.endpoint != "static"
        and not current_user.is_anonymous
        and not current_user.is_authenticated
    ):
        sign_out()
        flash(DEACTIVATED, "warning")
        response = redirect(url_for("auth.login"))
        clear_remember_cookie(response)
        return response
    return None


@bp.before_app_request
def end_sign_in_made_with_an_old_password():
    """A browser that signed in before the password changed (on another device, or reissued
    by an admin because it leaked) is signed out: the change must lock out whoever held it."""
    if current_user.is_authenticated and signed_in_with_an_old_password(current_user.password_hash):
        sign_out()
        flash(
            "Your password has been changed since you signed in on this device, by you "
            "elsewhere or by your centre's administrator. Sign in with the new password; "
            "if you do not know it, ask your centre's administrator to issue one.",
            "info",
        )
        response = redirect(url_for("auth.login"))
        clear_remember_cookie(response)
        return response
    return None


@bp.before_app_request
def force_password_change():
    """Accounts created by an admin must choose their own password before anything else."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in OPEN_WHILE_CHANGING
    ):
        flash("Choose a new password before you continue.", "info")
        return redirect(url_for("auth.change_password"))
    return None
