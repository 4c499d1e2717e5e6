"""A signed-in person's own data: the page about it, the JSON download, deleting the account."""

from __future__ import annotations

import json
from dataclasses import asdict

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, logout_user

from consult.accounts.idle import in_words, limits_for
from consult.accounts.models import User
from consult.accounts.service import authenticate
from consult.audit.web import actor_of, audit
from consult.clock import app_now
from consult.db import get_session
from consult.extensions import limiter
from consult.portal.models import Membership, Organisation
from consult.portal.service import memberships_of
from consult.privacy.erasure import (
    AccountErasure,
    ErasureRefused,
    delete_account,
    reasons_to_wait,
)
from consult.privacy.export import personal_data
from consult.privacy.forms import DeleteAccountForm
from consult.site.identity import SiteIdentity

blueprint = Blueprint("privacy", __name__, url_prefix="/accounts")


def _site() -> SiteIdentity:
    site: SiteIdentity = current_app.extensions["consult.site"]
    return site


def _page(user: User, form: DeleteAccountForm, status: int = 200) -> ResponseReturnValue:
    reasons = reasons_to_wait(
        session=get_session(), user=user, now=app_now(), time_zone=_site().time_zone
    )
    limits = limits_for(user.role)
    return render_template(
        "privacy/your_data.html",
        form=form,
        reasons=reasons,
        idle_limit=in_words(limits.idle),
        absolute_limit=in_words(limits.absolute),
    ), status


@blueprint.get("/data")
@login_required
def your_data() -> ResponseReturnValue:
    return _page(current_user._get_current_object(), DeleteAccountForm(formdata=None))


@blueprint.get("/data.json")
@login_required
def download() -> ResponseReturnValue:
    """Everything the site holds about the signed-in person, as a JSON file."""
    user: User = current_user._get_current_object()
    audit("personal_data.exported", subject=user)
    data = personal_data(session=get_session(), user=user, now=app_now())
    get_session().commit()
    return current_app.response_class(
        json.dumps(data, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="my-data.json"',
            "Cache-Control": "no-store",
        },
    )


@blueprint.post("/delete")
@limiter.limit("10 per 15 minutes")  # it checks a password
@login_required
def delete() -> ResponseReturnValue:
    """Delete the account once the person has typed their password and ticked the box."""
    user: User = current_user._get_current_object()
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return _page(user, form, 422)
    db = get_session()
    if authenticate(session=db, email=user.email, password=form.password.data or "") is None:
        form.password.errors = [*form.password.errors, "That is not your password."]
        return _page(user, form, 422)
    memberships = memberships_of(db, user)
    try:
        erasure = delete_account(session=db, user=user, now=app_now(), time_zone=_site().time_zone)
    except ErasureRefused:
        return _page(user, form, 409)  # the page lists what to do first
    _record_deletion(user, memberships, erasure)
    db.commit()
    session.clear()
    logout_user()
    flash("Your account is deleted, with your personal data.", "success")
    return redirect(url_for("site.home"), 303)


def _record_deletion(
    user: User, memberships: list[tuple[Membership, Organisation]], erasure: AccountErasure
) -> None:
    """The deletion, and in each organisation's own activity that the person left it."""
    actor = actor_of(user)
    audit("account.deleted", actor=actor, subject=user, details=asdict(erasure))
    for membership, organisation in memberships:
        details = {"role": membership.role, "reason": "account deleted"}
        audit(
            "membership.removed",
            actor=actor,
            subject=user,
            organisation_id=organisation.id,
            details=details,
        )
