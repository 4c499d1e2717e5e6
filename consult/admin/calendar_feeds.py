"""The admin's calendars page: external feeds (add, read now, remove, health), private address."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func
from sqlmodel import col, select

from consult.admin.routes import blueprint
from consult.audit.web import audit
from consult.calendars.addresses import FeedAddressError, mask_feed_url
from consult.calendars.forms import CalendarFeedForm
from consult.calendars.models import CalendarBusyInterval, CalendarFeed
from consult.calendars.private_feed import current_key, feed_secret, rotate_key
from consult.calendars.routes import private_feed_url
from consult.calendars.service import (
    STALE_AFTER,
    add_feed,
    feed_fetcher,
    is_stale,
    list_feeds,
    remove_feed,
    sync_feeds,
)
from consult.clock import app_now
from consult.config import Settings
from consult.db import begin_as_writer, get_engine, get_session


def _settings() -> Settings:
    settings: Settings = current_app.extensions["consult.settings"]
    return settings


def _page(form: CalendarFeedForm, status: int) -> ResponseReturnValue:
    db = get_session()
    now = app_now()
    busy_counts = dict(
        db.exec(
            select(CalendarBusyInterval.feed_id, func.count())
            .where(col(CalendarBusyInterval.ends_at) > now)
            .group_by(col(CalendarBusyInterval.feed_id))
        ).all()
    )
    feeds = [
        {
            "feed": feed,
            "address": mask_feed_url(feed.url),
            "stale": is_stale(feed, now=now),
            "busy_count": busy_counts.get(feed.id or 0, 0),
        }
        for feed in list_feeds(db)
    ]
    key = current_key(db)
    secret_key = current_app.extensions["consult.settings"].secret_key
    return render_template(
        "admin/calendar_feeds.html",
        form=form,
        feeds=feeds,
        stale_hours=int(STALE_AFTER.total_seconds() // 3600),
        private_url=(
            private_feed_url(feed_secret(salt=key.salt, secret_key=secret_key)) if key else None
        ),
    ), status


@blueprint.route("/calendars/", methods=["GET", "POST"])
def calendar_feeds() -> ResponseReturnValue:
    form = CalendarFeedForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            feed = add_feed(
                session=db,
                url=form.url.data or "",
                name=form.name.data or "",
                now=app_now(),
                allow_loopback=_settings().calendar_feeds_allow_loopback,
            )
        except FeedAddressError as refusal:  # its host is not a public one
            form.url.errors = [*form.url.errors, str(refusal)]
            return _page(form, 422)
        audit("settings.calendar_feed", details=_feed(feed, "added"))
        db.commit()
        flash(f"Added “{feed.name}”. Use “Read now” to read it at once.", "success")
        return redirect(url_for("admin.calendar_feeds"), 303)
    return _page(form, 422 if form.errors else 200)


@blueprint.post("/calendars/<int:feed_id>/sync")
def sync_calendar_feed(feed_id: int) -> ResponseReturnValue:
    db = get_session()
    if db.exec(select(CalendarFeed.id).where(col(CalendarFeed.id) == feed_id)).first() is None:
        abort(404)
    db.commit()  # end this request's read, so the sync's own transactions are not kept waiting
    report = sync_feeds(
        engine=get_engine(),
        now=app_now(),
        time_zone=current_app.extensions["consult.site"].time_zone,
        feed_ids=[feed_id],
        fetch=feed_fetcher(allow_loopback=_settings().calendar_feeds_allow_loopback),
    )
    if report.read:
        flash("Read; its busy times now block booking.", "success")
    elif report.failed:
        flash(f"Could not read it, so its last good copy is kept. {report.failed[0]}", "error")
    else:
        flash("Another server is reading it right now; look again in a minute.", "info")
    return redirect(url_for("admin.calendar_feeds"), 303)


@blueprint.route("/calendars/<int:feed_id>/delete", methods=["GET", "POST"])
def delete_calendar_feed(feed_id: int) -> ResponseReturnValue:
    """GET asks to confirm; POST removes the feed and the busy times it gave."""
    db = get_session()
    if request.method == "GET":
        shown = db.get(CalendarFeed, feed_id)
        if shown is None:
            abort(404)
        return render_template("admin/calendar_feed_remove.html", feed=shown)
    feed = remove_feed(session=db, feed_id=feed_id)
    if feed is None:
        abort(404)
    audit("settings.calendar_feed", details=_feed(feed, "removed"))
    db.commit()
    flash(f"Removed “{feed.name}”; its busy times no longer block booking.", "success")
    return redirect(url_for("admin.calendar_feeds"), 303)


@blueprint.post("/calendars/private-address")
def rotate_private_address() -> ResponseReturnValue:
    db = get_session()
    begin_as_writer(db)
    had_one = current_key(db) is not None
    rotate_key(session=db, now=app_now())
    audit("settings.private_feed_address", details={"replaced_an_old_one": had_one})
    db.commit()
    flash(
        "New private address made: subscribe with it again; the old one no longer works."
        if had_one
        else "Private address made: subscribe to it in your calendar app.",
        "success",
    )
    return redirect(url_for("admin.calendar_feeds"), 303)


def _feed(feed: CalendarFeed, action: str) -> dict[str, object]:
    # Only the masked address: the full one is a secret of the consultant's calendar.
    return {"action": action, "name": feed.name, "address": mask_feed_url(feed.url)}
