"""The one-click stop link in every nudge."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue

from consult.clock import app_now
from consult.db import get_session
from consult.extensions import csrf
from consult.nudges.service import stop_nudges, user_behind

blueprint = Blueprint("nudges", __name__, url_prefix="/portal/reminders")


@blueprint.route("/stop/<token>", methods=["GET", "POST"])
def stop(token: str) -> ResponseReturnValue:
    """GET shows a button (mail scanners follow links); the POST, the page's or a mail
    program's one-click (RFC 8058), stops every nudge to that person.
    """
    user_id = user_behind(token, secret_key=current_app.config["SECRET_KEY"])
    if user_id is None:
        abort(404)
    if request.method == "GET":
        return render_template("nudges/stop.html", done=False)
    if not stop_nudges(session=get_session(), user_id=user_id, now=app_now()):
        abort(404)
    get_session().commit()
    return render_template("nudges/stop.html", done=True)


# The signed token is the authority: mail programs post here without a form (RFC 8058).
csrf.exempt(stop)
