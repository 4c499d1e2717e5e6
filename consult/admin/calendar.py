"""The consultant's calendar pages: consultation types, weekly hours, date overrides."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import delete
from sqlmodel import col, select

from consult.admin.calendar_forms import (
    ConsultationTypeForm,
    DateOverrideForm,
    WeeklyHoursForm,
    format_ranges,
)
from consult.admin.routes import blueprint
from consult.audit.events import describe_changes
from consult.audit.web import audit
from consult.booking.models import BookingSettings, ConsultationType, DateOverride, WeeklyHours
from consult.booking.slots import TimeRange
from consult.clock import app_now
from consult.db import get_session
from consult.site.identity import SiteIdentity

TYPE_FIELDS = (
    "name",
    "description",
    "duration_minutes",
    "currency",
    "is_active",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "minimum_notice_hours",
    "booking_window_days",
    "max_per_day",
    "location_kind",
    "location",
)


@blueprint.get("/types/")
def consultation_types() -> str:
    types = (
        get_session()
        .exec(
            select(ConsultationType).order_by(
                col(ConsultationType.position), col(ConsultationType.id)
            )
        )
        .all()
    )
    return render_template("admin/types.html", types=types)


@blueprint.route("/types/new", methods=["GET", "POST"])
@blueprint.route("/types/<int:type_id>/", methods=["GET", "POST"])
def edit_consultation_type(type_id: int | None = None) -> ResponseReturnValue:
    db = get_session()
    consultation_type = db.get(ConsultationType, type_id) if type_id else None
    if type_id and consultation_type is None:
        abort(404)
    form = ConsultationTypeForm(obj=consultation_type)
    if consultation_type is not None and not form.is_submitted():
        form.price.data = f"{consultation_type.price_minor / 100:.2f}"
        form.required_questions.data = "\n".join(
            q["label"] for q in consultation_type.intake_questions if q.get("required")
        )
        form.optional_questions.data = "\n".join(
            q["label"] for q in consultation_type.intake_questions if not q.get("required")
        )
    if form.validate_on_submit():
        slug = form.address
        taken = db.exec(select(ConsultationType.id).where(ConsultationType.slug == slug)).first()
        if taken is not None and taken != type_id:
            form.slug.errors = [*form.slug.errors, "Another consultation type uses this address."]
        else:
            before = _type_settings(consultation_type) if consultation_type else {}
            consultation_type = consultation_type or ConsultationType(
                slug=slug, name="", duration_minutes=30, position=100
            )
            for name in TYPE_FIELDS:
                setattr(consultation_type, name, getattr(form, name).data)
            consultation_type.slug = slug
            consultation_type.price_minor = form.price_minor
            consultation_type.intake_questions = form.questions()
            db.add(consultation_type)
            changes = describe_changes(before, _type_settings(consultation_type))
            audit("settings.consultation_type", details={"type": slug, "changes": changes})
            db.commit()
            flash(f"Saved “{consultation_type.name}”.", "success")
            return redirect(url_for("admin.consultation_types"), 303)
    return render_template(
        "admin/type_form.html", form=form, consultation_type=consultation_type
    ), 422 if form.errors else 200


@blueprint.route("/availability", methods=["GET", "POST"])
def availability() -> ResponseReturnValue:
    db = get_session()
    settings = db.get(BookingSettings, 1) or BookingSettings(id=1)
    weekly = db.exec(select(WeeklyHours).order_by(col(WeeklyHours.start_time))).all()
    form = WeeklyHoursForm(slot_step_minutes=settings.slot_step_minutes)
    if not form.is_submitted():
        for index, field in enumerate(form.day_fields()):
            field.data = format_ranges(
                TimeRange(row.start_time, row.end_time) for row in weekly if row.weekday == index
            )
    if form.validate_on_submit():
        before = _hours_settings(
            settings.slot_step_minutes,
            [
                [TimeRange(row.start_time, row.end_time) for row in weekly if row.weekday == day]
                for day in range(7)
            ],
        )
        db.exec(delete(WeeklyHours))
        for index, field in enumerate(form.day_fields()):
            db.add_all(
                WeeklyHours(weekday=index, start_time=item.start, end_time=item.end)
                for item in field.ranges
            )
        settings.slot_step_minutes = form.slot_step_minutes.data
        db.add(settings)
        after = _hours_settings(settings.slot_step_minutes, [f.ranges for f in form.day_fields()])
        audit("settings.availability", details={"changes": describe_changes(before, after)})
        db.commit()
        flash("Weekly hours saved.", "success")
        return redirect(url_for("admin.availability"), 303)
    return _availability_page(form, DateOverrideForm(formdata=None), 422 if form.errors else 200)


def _availability_page(
    hours_form: WeeklyHoursForm, override_form: DateOverrideForm, status: int
) -> tuple[str, int]:
    site: SiteIdentity = current_app.extensions["consult.site"]
    today = app_now().astimezone(site.time_zone).date()
    overrides = (
        get_session()
        .exec(
            select(DateOverride)
            .where(DateOverride.day >= today)
            .order_by(col(DateOverride.day), col(DateOverride.start_time))
        )
        .all()
    )
    by_day: dict[date, list[DateOverride]] = {}
    for row in overrides:
        by_day.setdefault(row.day, []).append(row)
    return render_template(
        "admin/availability.html", form=hours_form, override_form=override_form, overrides=by_day
    ), status


@blueprint.post("/availability/overrides")
def add_date_override() -> ResponseReturnValue:
    db = get_session()
    form = DateOverrideForm()
    if not form.validate_on_submit() or form.day.data is None:  # a day is required
        settings = db.get(BookingSettings, 1) or BookingSettings(id=1)
        return _availability_page(
            WeeklyHoursForm(formdata=None, slot_step_minutes=settings.slot_step_minutes), form, 422
        )
    day = form.day.data
    db.exec(delete(DateOverride).where(col(DateOverride.day) == day))
    if form.hours.ranges:
        db.add_all(
            DateOverride(day=day, start_time=item.start, end_time=item.end)
            for item in form.hours.ranges
        )
    else:
        db.add(DateOverride(day=day))
    hours = format_ranges(form.hours.ranges) or "day off"
    audit("settings.date_override", details={"day": day, "hours": hours})
    db.commit()
    flash(f"{day:%-d %B %Y} saved.", "success")
    return redirect(url_for("admin.availability"), 303)


@blueprint.route("/availability/overrides/<day>/delete", methods=["GET", "POST"])
def delete_date_override(day: str) -> ResponseReturnValue:
    """GET asks to confirm; POST makes the day follow the weekly hours again."""
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        abort(404)
    db = get_session()
    if request.method == "GET":
        rows = db.exec(
            select(DateOverride)
            .where(col(DateOverride.day) == chosen)
            .order_by(col(DateOverride.start_time))
        ).all()
        if not rows:
            abort(404)
        return render_template("admin/date_override_remove.html", day=chosen, rows=rows)
    db.exec(delete(DateOverride).where(col(DateOverride.day) == chosen))
    audit("settings.date_override", details={"day": chosen, "hours": "the weekly hours"})
    db.commit()
    flash(f"{chosen:%-d %B %Y} follows the weekly hours again.", "success")
    return redirect(url_for("admin.availability"), 303)


def _type_settings(consultation_type: ConsultationType) -> dict[str, object]:
    """What the type's form sets, as the audit log compares it before and after."""
    names = (*TYPE_FIELDS, "slug", "price_minor", "intake_questions")
    return {name: getattr(consultation_type, name) for name in names}


def _hours_settings(
    slot_step_minutes: int | None, days: list[Iterable[TimeRange]]
) -> dict[str, object]:
    """The slot step and each weekday's hours (Monday first), as the audit log compares them."""
    by_name = {calendar.day_name[index]: format_ranges(ranges) for index, ranges in enumerate(days)}
    return {"slot_step_minutes": slot_step_minutes, **by_name}
