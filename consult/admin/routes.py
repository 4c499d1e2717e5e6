"""The consultant's admin area: a dashboard that each capability adds its panel to."""

from flask import Blueprint, render_template
from sqlalchemy import func
from sqlmodel import select

from consult.accounts.access import require_consultant
from consult.accounts.models import User
from consult.db import get_session
from consult.mail.models import OutboxEmail

blueprint = Blueprint("admin", __name__, url_prefix="/admin")
blueprint.before_request(require_consultant)


@blueprint.get("/")
def dashboard():
    db = get_session()
    users_by_role = dict(db.exec(select(User.role, func.count()).group_by(User.role)).all())
    mail_by_status = dict(db.exec(select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)).all())
    undelivered = db.exec(
        select(OutboxEmail)
        .where(OutboxEmail.status != "sent", OutboxEmail.attempts > 0)
        .order_by(OutboxEmail.created_at.desc())
        .limit(10)
    ).all()
    return render_template(
        "admin/dashboard.html", users_by_role=users_by_role, mail_by_status=mail_by_status, undelivered=undelivered
    )
