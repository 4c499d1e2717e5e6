"""The consultant's one-off time off: block a span, see what is blocked, give it back."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlmodel import col, select

from consult.admin.host_forms import TimeOffForm
from consult.admin.routes import blueprint
from consult.audit.web import audit
from consult.booking.models import TimeOff
from consult.booking.time_off import TimeOffRefused, block_time_off, remove_time_off
from consult.clock import app_now
from consult.db import begin_as_writer, get_session


@blueprint.route("/time-off/", methods=["GET", "POST"])
def time_off() -> ResponseReturnValue:
    form = TimeOffForm()
    if form.validate_on_submit() and form.starts_at.data and form.ends_at.data:
        db = get_session()
        begin_as_writer(db)
        try:
            span = block_time_off(
                session=db,
                starts_at=form.starts_at.data,
                ends_at=form.ends_at.data,
                reason=form.reason.data or "",
                now=app_now(),
            )
        except TimeOffRefused as refusal:
            db.rollback()
            form.starts_at.errors = [*form.starts_at.errors, str(refusal)]
        else:
            audit("settings.time_off", details=_described(span, "blocked"))
            db.commit()
            flash("Time off blocked: no one can book it.", "success")
            return redirect(url_for("admin.time_off"), 303)
    return _page(form, 422 if form.errors else 200)


def _page(form: TimeOffForm, status: int) -> tuple[str, int]:
    upcoming = (
        get_session()
        .exec(
            select(TimeOff)
            .where(col(TimeOff.ends_at) > app_now())
            .order_by(col(TimeOff.starts_at))
            .limit(200)
        )
        .all()
    )
    return render_template("admin/time_off.html", form=form, upcoming=upcoming), status


@blueprint.route("/time-off/<int:time_off_id>/remove", methods=["GET", "POST"])
def remove_time_off_page(time_off_id: int) -> ResponseReturnValue:
    """GET asks to confirm; POST gives the time back."""
    db = get_session()
    if request.method == "POST":
        begin_as_writer(db)
    span = db.get(TimeOff, time_off_id)
    if span is None:
        abort(404)
    if request.method == "GET":
        return render_template("admin/time_off_remove.html", span=span)
    details = _described(span, "given back")
    remove_time_off(session=db, time_off=span)
    audit("settings.time_off", details=details)
    db.commit()
    flash("That time can be booked again.", "success")
    return redirect(url_for("admin.time_off"), 303)


def _described(span: TimeOff, what: str) -> dict[str, object]:
    return {"what": what, "starts_at": span.starts_at, "ends_at": span.ends_at}
