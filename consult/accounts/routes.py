"""Account pages: sign in and out (here or everywhere else), invitation acceptance; the
password pages are in `password_routes`.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, logout_user

from consult.accounts import service
from consult.accounts.browser_sessions import keep_this_browser, start_session
from consult.accounts.forms import AcceptInvitationForm, SignInForm
from consult.accounts.models import Invitation, User
from consult.accounts.policy import is_safe_redirect_path
from consult.accounts.second_step import wait_for_code
from consult.audit.events import GUEST
from consult.audit.web import actor_of, audit
from consult.clock import app_now
from consult.db import get_session
from consult.extensions import limiter
from consult.portal.service import memberships_of
from consult.rate_limits import email_in_form, refusal_page

blueprint = Blueprint("accounts", __name__, url_prefix="/accounts")


def landing_page(user: User, *, organisation_id: int | None = None) -> str:
    """Where a person lands after signing in: the consultant on the admin; a client on their
    organisation's page (`organisation_id`'s, just joined, when given), the portal's list when
    they belong to several, the home page when to none.
    """
    if user.is_consultant:
        return url_for("admin.dashboard")
    memberships = memberships_of(get_session(), user)
    joined = [item for _, item in memberships if item.id == organisation_id]
    if joined or len(memberships) == 1:
        organisation = (joined or [memberships[0][1]])[0]
        return url_for("portal.organisation", organisation_id=organisation.public_id)
    return url_for("portal.index") if memberships else url_for("site.home")


def _sign_in_refused(message: str) -> str:
    form = SignInForm()
    form.password.errors = [message]
    return render_template("accounts/sign_in.html", form=form)


def _signing_in_user() -> User | None:
    """The account the posted sign-in form opens, or None; worked out once per request, as the
    limit on failures per address asks before the view does.
    """
    if "signing_in_user" not in g:
        form = SignInForm()
        g.signing_in_user = (
            service.authenticate(
                session=get_session(),
                email=form.email.data or "",
                password=form.password.data or "",
            )
            if form.validate_on_submit()
            else None
        )
    user: User | None = g.signing_in_user
    return user


def _sign_in_failed(_response: Response) -> bool:
    return bool(g.get("sign_in_failed"))


@blueprint.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(
    "10 per minute; 50 per hour", methods=["POST"], on_breach=refusal_page(_sign_in_refused)
)
@limiter.limit(
    "10 per 15 minutes",
    methods=["POST"],
    key_func=email_in_form(),
    scope="sign-in-email",
    # Only failures count, and the right password always passes: anyone can fail on someone
    # else's address, and that must never lock its owner out. Each client's own limit above
    # still slows a guesser.
    deduct_when=_sign_in_failed,
    exempt_when=lambda: _signing_in_user() is not None,
    on_breach=refusal_page(_sign_in_refused),
)
def sign_in() -> ResponseReturnValue:
    next_path = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(
            next_path if is_safe_redirect_path(next_path) else landing_page(current_user)
        )
    form = SignInForm()
    if form.validate_on_submit():
        user = _signing_in_user()
        if user is not None:
            safe_next = next_path if is_safe_redirect_path(next_path) else None
            return _password_passed(user, remember=form.remember.data, next_path=safe_next)
        g.sign_in_failed = True
        refusal = "That e-mail address and password do not match an account."
        form.password.errors = [*form.password.errors, refusal]
        audit("sign_in.failed", actor=GUEST, subject_email=form.email.data)
        get_session().commit()
    return render_template("accounts/sign_in.html", form=form), 200 if not form.errors else 422


def _password_passed(user: User, *, remember: bool, next_path: str | None) -> ResponseReturnValue:
    """Sign `user` in, or, with two-step sign-in on, ask for the code first."""
    if user.has_two_factor:
        wait_for_code(user, remember=remember, next_path=next_path, now=app_now())
        return redirect(url_for("two_factor.sign_in_code"))
    audit("sign_in.succeeded", actor=actor_of(user), subject=user)
    start_session(user, remember=remember)
    flash(f"Welcome, {user.name}.", "success")
    return redirect(next_path or landing_page(user))


@blueprint.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    """End the session on the server first (every browser of the account), then the cookies."""
    if current_user.is_authenticated:
        audit("sign_out", subject=current_user._get_current_object())
        service.end_sessions(session=get_session(), user=current_user._get_current_object())
        get_session().commit()
    session.clear()
    logout_user()  # after clearing: it leaves the note that deletes the remember-me cookie
    flash("You are signed out.", "info")
    return redirect(url_for("site.home"))


@blueprint.post("/sign-out-elsewhere")
@login_required
def sign_out_elsewhere() -> ResponseReturnValue:
    """End every other session and remember-me cookie of the account; this browser stays."""
    user: User = current_user._get_current_object()
    service.end_sessions(session=get_session(), user=user)
    audit("sessions.ended_elsewhere", subject=user)
    get_session().commit()
    keep_this_browser(user)
    flash("You are signed out on every other device.", "success")
    return redirect(url_for("privacy.your_data"), 303)


@blueprint.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    db = get_session()
    try:
        invitation = service.find_open_invitation(session=db, token=token, now=app_now())
    except service.TokenInvalid as error:
        return render_template(
            "accounts/link_invalid.html", message=str(error), retry_url=None
        ), 410
    if service.find_user_by_email(session=db, email=invitation.email):
        return _accept_as_existing_user(token, invitation.email)
    form = AcceptInvitationForm()
    form.account_email = invitation.email
    if form.validate_on_submit():
        try:
            user = service.accept_invitation(
                session=db,
                token=token,
                name=form.name.data or "",
                password=form.password.data or "",
                now=app_now(),
            )
        except service.TokenInvalid as error:  # accepted in another tab a moment ago
            db.rollback()
            return render_template(
                "accounts/link_invalid.html", message=str(error), retry_url=None
            ), 410
        _audit_acceptance(invitation, user)
        db.commit()
        start_session(user, remember=False)
        flash(f"Welcome, {user.name}. Your account is ready.", "success")
        return redirect(landing_page(user, organisation_id=invitation.organisation_id))
    return render_template(
        "accounts/accept_invitation.html", form=form, invitation=invitation
    ), 200 if not form.errors else 422


def _accept_as_existing_user(token: str, email: str) -> ResponseReturnValue:
    """The invitee already has an account: they accept by signing in as it."""
    if not current_user.is_authenticated:
        flash(
            "You already have an account with this address. "
            "Please sign in to accept the invitation.",
            "info",
        )
        return redirect(url_for("accounts.sign_in", next=request.path))
    if request.method == "POST":
        try:
            invitation = service.accept_invitation_as(
                session=get_session(), token=token, user=current_user, now=app_now()
            )
        except service.TokenInvalid as error:
            get_session().rollback()
            return render_template(
                "accounts/link_invalid.html", message=str(error), retry_url=None
            ), 403
        _audit_acceptance(invitation, current_user._get_current_object())
        get_session().commit()
        flash("Invitation accepted.", "success")
        return redirect(landing_page(current_user, organisation_id=invitation.organisation_id))
    if current_user.email != email:
        abort(403)
    return render_template("accounts/accept_invitation_signed_in.html", email=email)


def _audit_acceptance(invitation: Invitation, user: User) -> None:
    if invitation.organisation_name:  # a portal start: its organisation was made just now
        audit(
            "organisation.created",
            actor=actor_of(user),
            organisation_id=invitation.organisation_id,
            details={"name": invitation.organisation_name},
        )
    audit(
        "invitation.accepted",
        actor=actor_of(user),
        subject=user,
        organisation_id=invitation.organisation_id,
        details={"role": invitation.organisation_role or invitation.role},
    )


from consult.accounts import password_routes as _password_pages  # noqa: E402,F401  (they register on this blueprint)
