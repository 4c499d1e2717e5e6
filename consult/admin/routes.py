"""The consultant's admin area: a dashboard that each capability adds its panel to."""

import csv
import io

from flask import Blueprint, Response, current_app, render_template
from sqlalchemy import func
from sqlmodel import col, select

from consult.accounts.access import require_consultant
from consult.accounts.models import User
from consult.blog.models import Subscriber
from consult.clock import app_now
from consult.config import Settings
from consult.content_check import content_problems
from consult.db import get_session
from consult.mail.models import OutboxEmail

blueprint = Blueprint("admin", __name__, url_prefix="/admin")
blueprint.before_request(require_consultant)


@blueprint.get("/")
def dashboard() -> str:
    db = get_session()
    users_by_role = dict(db.exec(select(User.role, func.count()).group_by(User.role)).all())
    mail_by_status = dict(
        db.exec(select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)).all()
    )
    subscribers_by_status = dict(
        db.exec(select(Subscriber.status, func.count()).group_by(Subscriber.status)).all()
    )
    undelivered = db.exec(
        select(OutboxEmail)
        .where(OutboxEmail.status != "sent", OutboxEmail.attempts > 0)
        .order_by(col(OutboxEmail.created_at).desc())
        .limit(10)
    ).all()
    settings: Settings = current_app.extensions["consult.settings"]
    blog = current_app.extensions["consult.blog"].index()
    public = blog.public_view(app_now())
    return render_template(
        "admin/dashboard.html",
        users_by_role=users_by_role,
        mail_by_status=mail_by_status,
        subscribers_by_status=subscribers_by_status,
        undelivered=undelivered,
        published_count=len(public.posts),
        unpublished=public.unpublished,
        content_problems=content_problems(
            settings.content_dir,
            current_app.extensions["consult.blog"],
            current_app.extensions["consult.assessments"],
        ),
    )


@blueprint.get("/subscribers/")
def subscribers() -> str:
    rows = get_session().exec(select(Subscriber).order_by(col(Subscriber.created_at).desc())).all()
    return render_template("admin/subscribers.html", subscribers=rows)


@blueprint.get("/subscribers.csv")
def subscribers_csv() -> Response:
    rows = get_session().exec(select(Subscriber).order_by(col(Subscriber.created_at))).all()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email", "status", "subscribed_at", "confirmed_at", "unsubscribed_at"])
    for row in rows:
        writer.writerow(
            [
                _csv_safe(row.email),
                row.status,
                row.created_at.isoformat(),
                row.confirmed_at.isoformat() if row.confirmed_at else "",
                row.unsubscribed_at.isoformat() if row.unsubscribed_at else "",
            ]
        )
    return current_app.response_class(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="subscribers.csv"'},
    )


def _csv_safe(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


from consult.admin import agenda as _agenda_pages  # noqa: E402,F401
from consult.admin import audit as _audit_pages  # noqa: E402,F401  (they register their routes on this blueprint)
from consult.admin import bookings as _booking_pages  # noqa: E402,F401
from consult.admin import calendar as _calendar_pages  # noqa: E402,F401
from consult.admin import calendar_feeds as _calendar_feed_pages  # noqa: E402,F401
from consult.admin import clients as _client_pages  # noqa: E402,F401
from consult.admin import guest_data as _guest_data_pages  # noqa: E402,F401
from consult.admin import host_bookings as _host_booking_pages  # noqa: E402,F401
from consult.admin import organisations as _organisation_pages  # noqa: E402,F401
from consult.admin import programmes as _programme_pages  # noqa: E402,F401
from consult.admin import time_off as _time_off_pages  # noqa: E402,F401
