"""Subscription pages on the blog's blueprint: subscribe, its token, confirm and unsubscribe.

The subscribe form appears on cacheable pages, so it is guarded by consult.site.form_guard
(a token handed out only when the form is used, and the Origin check) rather than by the
session's CSRF token, which would give every reader a cookie and make every page theirs alone.
"""

from __future__ import annotations

from flask import abort, jsonify, make_response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from consult.blog import service
from consult.blog.forms import SubscribeForm
from consult.blog.routes import blueprint
from consult.clock import app_now
from consult.db import get_session
from consult.extensions import csrf, limiter
from consult.rate_limits import (
    SUBSCRIBE_PER_ADDRESS,
    email_in_form,
    form_was_accepted,
    refusal_page,
)
from consult.site import form_guard
from consult.site.even_answers import answered_after_the_same_time


def _subscribe_page(form: SubscribeForm, *, status: int, confirm_again: bool = False) -> Response:
    """The form's own page, with a fresh token (its cookie is scoped to the form's path)."""
    token = form_guard.new_token()
    response = make_response(
        render_template(
            "blog/subscribe.html",
            form=form,
            form_token=token,
            confirm_again=confirm_again,
            subscribe_form_enabled=False,  # one form on this page: the footer's copy is left out
        ),
        status,
    )
    form_guard.set_token_cookie(response, token, path=url_for("blog.subscribe"))
    return response


def _subscribe_refused(message: str) -> Response:
    form = SubscribeForm(meta={"csrf": False})
    form.email.errors = [message]
    return _subscribe_page(form, status=429)


_refuse_subscription = refusal_page(_subscribe_refused)


@blueprint.route("/blog/subscribe", methods=["GET", "POST"])
@limiter.limit("5 per 10 minutes; 30 per day", methods=["POST"], on_breach=_refuse_subscription)
@limiter.limit(
    SUBSCRIBE_PER_ADDRESS,
    methods=["POST"],
    key_func=email_in_form(),
    scope="subscribe-email",
    deduct_when=form_was_accepted,
    on_breach=_refuse_subscription,
)
def subscribe() -> ResponseReturnValue:
    form = SubscribeForm(meta={"csrf": False})  # guarded by form_guard instead, see above
    if request.method == "GET":
        return _subscribe_page(form, status=200)
    if not form_guard.comes_from_this_site(request):
        raise CSRFError("The subscribe form was sent from another site.")
    if not form_guard.token_is_valid(request):
        # A reader without JavaScript posts the footer's form without a token: they confirm on
        # the form's own page, their address kept. Nothing is stored until then.
        return _subscribe_page(form, status=400, confirm_again=True)
    if not form.validate():
        return _subscribe_page(form, status=422)
    email = form.email.data or ""  # never empty once DataRequired has passed
    with answered_after_the_same_time():  # a confirmed address gets nothing: it must not show
        service.subscribe(session=get_session(), email=email, now=app_now())
        get_session().commit()
    return render_template("blog/subscribe_sent.html", email=email.strip())


@blueprint.get("/blog/subscribe/token")
def subscribe_token() -> Response:
    """A token for the subscribe form, fetched by its script when a reader starts to use it."""
    token = form_guard.new_token()
    response = jsonify(token=token)
    form_guard.set_token_cookie(response, token, path=url_for("blog.subscribe"))
    return response


@blueprint.route("/blog/subscribe/confirm/<token>", methods=["GET", "POST"])
def confirm_subscription(token: str) -> ResponseReturnValue:
    """GET shows a button (mail scanners follow links); the POST confirms."""
    if request.method == "GET":
        return render_template("blog/confirm.html", confirmed=None)
    subscriber = service.confirm_subscription(session=get_session(), token=token, now=app_now())
    get_session().commit()
    return render_template(
        "blog/confirm.html", confirmed=subscriber is not None
    ), 200 if subscriber else 410


@blueprint.route("/blog/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> ResponseReturnValue:
    if request.method == "GET":
        known = service.find_by_unsubscribe_token(session=get_session(), token=token) is not None
        return render_template(
            "blog/unsubscribe.html", done=False, known=known
        ), 200 if known else 404
    if not service.unsubscribe(session=get_session(), token=token, now=app_now()):
        abort(404)
    get_session().commit()
    return render_template("blog/unsubscribe.html", done=True, known=True)


# The form guard is the subscribe form's CSRF check; the session's token is not used there.
csrf.exempt(subscribe)
# The signed token is the authority: mail programs post here without a form (RFC 8058).
csrf.exempt(unsubscribe)
