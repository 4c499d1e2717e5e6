"""Password pages: asking for a reset link, using it, and changing the password when signed in.

They are pages of the accounts blueprint (`consult/accounts/routes.py` imports this module).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from consult.accounts import password_reset, service
from consult.accounts.browser_sessions import start_session
from consult.accounts.forms import ChangePasswordForm, NewPasswordForm, ResetRequestForm
from consult.accounts.models import User
from consult.accounts.policy import normalise_email
from consult.accounts.routes import blueprint, landing_page
from consult.accounts.second_step import wait_for_code
from consult.audit.web import actor_of, audit
from consult.clock import app_now
from consult.db import get_session
from consult.extensions import limiter
from consult.rate_limits import (
    PASSWORD_CHANGE_PER_ACCOUNT,
    PASSWORD_CHANGE_PER_CLIENT,
    RESET_PER_ADDRESS,
    email_in_form,
    form_was_accepted,
    refusal_page,
    signed_in_account,
)
from consult.site.even_answers import answered_after_the_same_time


def _reset_request_refused(message: str) -> str:
    form = ResetRequestForm()
    form.email.errors = [message]
    return render_template("accounts/reset_request.html", form=form)


@blueprint.route("/reset", methods=["GET", "POST"])
@limiter.limit(
    "5 per 15 minutes; 20 per day",
    methods=["POST"],
    on_breach=refusal_page(_reset_request_refused),
)
@limiter.limit(
    RESET_PER_ADDRESS,
    methods=["POST"],
    key_func=email_in_form(),
    scope="reset-email",
    deduct_when=form_was_accepted,
    on_breach=refusal_page(_reset_request_refused),
)
def request_reset() -> ResponseReturnValue:
    form = ResetRequestForm()
    if form.validate_on_submit():
        email = form.email.data or ""
        with answered_after_the_same_time():  # a token and an e-mail, or nothing, committed
            password_reset.request_password_reset(session=get_session(), email=email, now=app_now())
            get_session().commit()
        return render_template("accounts/reset_requested.html", email=normalise_email(email))
    return render_template(
        "accounts/reset_request.html", form=form
    ), 200 if not form.errors else 422


@blueprint.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    db = get_session()
    try:
        reset = password_reset.find_usable_reset(session=db, token=token, now=app_now())
    except service.TokenInvalid as error:
        return render_template(
            "accounts/link_invalid.html",
            message=str(error),
            retry_url=url_for("accounts.request_reset"),
        ), 410
    form = NewPasswordForm()
    form.account_email = db.get_one(User, reset.user_id).email
    if form.validate_on_submit():
        user = password_reset.reset_password(
            session=db, token=token, password=form.password.data or "", now=app_now()
        )
        audit("password.reset", actor=actor_of(user), subject=user)
        db.commit()
        if user.has_two_factor:  # a reset link is one factor: the code is still asked for
            wait_for_code(user, remember=False, next_path=None, now=app_now())
            flash("Your password is changed. Enter your code to sign in.", "success")
            return redirect(url_for("two_factor.sign_in_code"))
        start_session(user, remember=False)
        flash("Your password is changed, and you are signed in.", "success")
        return redirect(landing_page(user))
    return render_template(
        "accounts/reset_password.html", form=form
    ), 200 if not form.errors else 422


def _password_change_refused(message: str) -> str:
    form = ChangePasswordForm()
    form.account_email = current_user.email
    form.current_password.errors = [message]
    return render_template("accounts/change_password.html", form=form)


@blueprint.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(
    PASSWORD_CHANGE_PER_CLIENT,
    methods=["POST"],
    on_breach=refusal_page(_password_change_refused),
)
@limiter.limit(
    PASSWORD_CHANGE_PER_ACCOUNT,
    methods=["POST"],
    key_func=signed_in_account,
    scope="password-account",
    on_breach=refusal_page(_password_change_refused),
)
def change_password() -> ResponseReturnValue:
    user: User = current_user._get_current_object()
    form = ChangePasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        db = get_session()
        current_password = form.current_password.data or ""
        if service.authenticate(session=db, email=user.email, password=current_password) is None:
            refusal = "That is not your current password."
            form.current_password.errors = [*form.current_password.errors, refusal]
        else:
            new_password = form.password.data or ""
            service.set_password(session=db, user=user, password=new_password, now=app_now())
            audit("password.changed", subject=user)
            db.commit()
            start_session(user, remember=False)
            flash("Your password is changed. Every other device has been signed out.", "success")
            return redirect(landing_page(user))
    return render_template(
        "accounts/change_password.html", form=form
    ), 200 if not form.errors else 422
