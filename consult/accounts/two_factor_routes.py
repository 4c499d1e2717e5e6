"""Two-step sign-in pages: the code after the password, set-up, recovery codes, turning it off;
and the rule that sends a consultant here until hers is on."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from consult.accounts import service
from consult.accounts import two_factor_service as two_factor
from consult.accounts.access import require_consultant_second_step
from consult.accounts.forms import ConfirmTwoFactorForm, SecondStepForm, TurnOffTwoFactorForm
from consult.accounts.models import User
from consult.accounts.routes import landing_page, start_session
from consult.accounts.second_step import (
    forget_waiting_sign_in,
    waiting_account_key,
    waiting_sign_in,
)
from consult.accounts.two_factor import provisioning_uri, qr_code_svg, readable_secret
from consult.audit.events import GUEST
from consult.audit.web import actor_of, audit
from consult.clock import app_now
from consult.db import get_session
from consult.extensions import limiter
from consult.site.identity import SiteIdentity

blueprint = Blueprint("two_factor", __name__, url_prefix="/accounts/two-step")
blueprint.before_app_request(require_consultant_second_step)

# As the password: per client, and per account so that many clients cannot share out the guesses.
CLIENT_LIMIT = "10 per minute; 50 per hour"
ACCOUNT_LIMIT = "10 per 15 minutes"


def _signed_in_user() -> User:
    user: User = current_user._get_current_object()
    return user


def _refuse(form: SecondStepForm | ConfirmTwoFactorForm, message: str) -> None:
    form.code.errors = [*form.code.errors, message]


@blueprint.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(CLIENT_LIMIT, methods=["POST"])
@limiter.limit(
    ACCOUNT_LIMIT, methods=["POST"], key_func=waiting_account_key, scope="two-step-account"
)
def sign_in_code() -> ResponseReturnValue:
    """The second step: the password was right; a code from the app or a recovery code signs in."""
    db = get_session()
    waiting = waiting_sign_in(db=db, now=app_now())
    if waiting is None:
        forget_waiting_sign_in()
        flash("Please sign in again: the page for your code had expired.", "info")
        return redirect(url_for("accounts.sign_in"))
    form = SecondStepForm()
    if form.validate_on_submit():
        user = waiting.user
        try:
            used = two_factor.check_code(
                session=db, user=user, typed=form.code.data or "", now=app_now()
            )
        except two_factor.CodeRefused as refusal:
            _refuse(form, str(refusal))
            # Whoever typed it is not signed in: the password alone does not say who they are.
            audit("two_factor.failed", actor=GUEST, subject=user)
            db.commit()
        else:
            details = {"second_step": used.value}
            audit("sign_in.succeeded", actor=actor_of(user), subject=user, details=details)
            if used is two_factor.SecondStep.RECOVERY_CODE:
                audit("two_factor.recovery_code_used", actor=actor_of(user), subject=user)
            start_session(user, remember=waiting.remember)
            flash(f"Welcome, {user.name}.", "success")
            if used is two_factor.SecondStep.RECOVERY_CODE:
                left = two_factor.recovery_codes_left(session=db, user=user)
                flash(_recovery_codes_left_message(left), "warning")
            return redirect(waiting.next_path or landing_page(user))
    return render_template(
        "accounts/two_factor_sign_in.html", form=form
    ), 200 if not form.errors else 422


def _recovery_codes_left_message(left: int) -> str:
    if left == 0:
        return "That was your last recovery code. Make new ones on your two-step sign-in page."
    plural = "code" if left == 1 else "codes"
    return f"You signed in with a recovery code; {left} {plural} left. Each works only once."


@blueprint.get("/")
@login_required
def settings() -> ResponseReturnValue:
    return _settings_page(_signed_in_user(), ConfirmTwoFactorForm(formdata=None))


def _settings_page(
    user: User, form: ConfirmTwoFactorForm, status: int = 200
) -> ResponseReturnValue:
    left = two_factor.recovery_codes_left(session=get_session(), user=user)
    return render_template(
        "accounts/two_factor_settings.html", form=form, recovery_codes_left=left
    ), status


@blueprint.post("/set-up/start")
@login_required
def start_setup() -> ResponseReturnValue:
    """Make the secret the setup page shows (a POST: it is written before it is shown)."""
    user = _signed_in_user()
    if not user.has_two_factor:
        two_factor.pending_secret(session=get_session(), user=user)
        get_session().commit()
    return redirect(url_for("two_factor.set_up"))


@blueprint.route("/set-up", methods=["GET", "POST"])
@limiter.limit(CLIENT_LIMIT, methods=["POST"])
@login_required
def set_up() -> ResponseReturnValue:
    """The QR code and the secret in text; a code from the app turns two-step sign-in on."""
    user = _signed_in_user()
    if user.has_two_factor or user.two_factor_secret is None:
        return redirect(url_for("two_factor.settings"))
    form = ConfirmTwoFactorForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            codes = two_factor.confirm_setup(
                session=db, user=user, code=form.code.data or "", now=app_now()
            )
        except two_factor.CodeRefused as refusal:
            _refuse(form, str(refusal))
        else:
            audit("two_factor.enabled", subject=user)
            service.end_sessions(session=db, user=user)  # other browsers passed one factor only
            start_session(user, remember=False)
            return _show_recovery_codes(codes, just_turned_on=True)
    return _setup_page(user, user.two_factor_secret, form)


def _setup_page(user: User, secret: str, form: ConfirmTwoFactorForm) -> ResponseReturnValue:
    site: SiteIdentity = current_app.extensions["consult.site"]
    uri = provisioning_uri(secret=secret, account=user.email, issuer=site.practice_name)
    return render_template(
        "accounts/two_factor_set_up.html",
        form=form,
        qr_code=qr_code_svg(uri, title="QR code to add this account to an authenticator app"),
        secret=readable_secret(secret),
    ), 200 if not form.errors else 422


def _show_recovery_codes(codes: list[str], *, just_turned_on: bool) -> ResponseReturnValue:
    """The codes, this once: only their hashes are kept."""
    return render_template(
        "accounts/two_factor_recovery_codes.html", codes=codes, just_turned_on=just_turned_on
    )


@blueprint.post("/recovery-codes")
@limiter.limit(CLIENT_LIMIT)
@login_required
def new_recovery_codes() -> ResponseReturnValue:
    """Replace every recovery code, once the person shows they still have the app."""
    user = _signed_in_user()
    if not user.has_two_factor:
        return redirect(url_for("two_factor.settings"))
    form = ConfirmTwoFactorForm()
    db = get_session()
    if form.validate_on_submit():
        try:
            two_factor.check_code(session=db, user=user, typed=form.code.data or "", now=app_now())
        except two_factor.CodeRefused as refusal:
            _refuse(form, str(refusal))
            audit("two_factor.failed", subject=user)
            db.commit()
        else:
            codes = two_factor.replace_recovery_codes(session=db, user=user, now=app_now())
            audit("two_factor.recovery_codes_replaced", subject=user)
            db.commit()
            return _show_recovery_codes(codes, just_turned_on=False)
    return _settings_page(user, form, 422)


@blueprint.route("/turn-off", methods=["GET", "POST"])
@limiter.limit(CLIENT_LIMIT, methods=["POST"])
@login_required
def turn_off() -> ResponseReturnValue:
    """Clients may turn it off with their password and a code; a consultant's stays on."""
    user = _signed_in_user()
    if user.is_consultant:
        abort(403)
    if not user.has_two_factor:
        return redirect(url_for("two_factor.settings"))
    form = TurnOffTwoFactorForm()
    if form.validate_on_submit():
        db = get_session()
        password = form.password.data or ""
        if service.authenticate(session=db, email=user.email, password=password) is None:
            form.password.errors = [*form.password.errors, "That is not your password."]
        else:
            try:
                two_factor.check_code(
                    session=db, user=user, typed=form.code.data or "", now=app_now()
                )
            except two_factor.CodeRefused as refusal:
                form.code.errors = [*form.code.errors, str(refusal)]
                audit("two_factor.failed", subject=user)
                db.commit()
            else:
                two_factor.turn_off(session=db, user=user)
                audit("two_factor.disabled", subject=user)
                db.commit()
                flash("Two-step sign-in is off. Signing in asks for your password only.", "info")
                return redirect(url_for("two_factor.settings"))
    return render_template(
        "accounts/two_factor_turn_off.html", form=form
    ), 200 if not form.errors else 422
