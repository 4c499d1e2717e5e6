"""The consultant's audit log page: every event, filtered by type, person, organisation and dates,
fifty to a page.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue
from sqlmodel import col, select

# types-WTForms 3.2 predates SelectChoice (WTForms 3.3).
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from consult.admin.routes import blueprint
from consult.audit.events import event_label
from consult.audit.forms import AuditFilterForm
from consult.audit.models import AuditEntry
from consult.audit.service import AuditQuery, find_entries
from consult.audit.web import PER_PAGE, page_links, page_number
from consult.db import get_session
from consult.portal.models import Organisation


def organisation_names(entries: list[AuditEntry]) -> dict[int, str]:
    """The names of the organisations these entries concern (one query)."""
    ids = {entry.organisation_id for entry in entries if entry.organisation_id is not None}
    if not ids:
        return {}
    rows = get_session().exec(
        select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(ids))
    )
    return {organisation_id: name for organisation_id, name in rows if organisation_id}


def _start_of(day: date | None, zone: ZoneInfo) -> datetime | None:
    return datetime.combine(day, time(0), tzinfo=zone) if day else None


@blueprint.get("/audit/")
def audit_log() -> ResponseReturnValue:
    db = get_session()
    organisations = db.exec(select(Organisation).order_by(Organisation.name)).all()
    form = AuditFilterForm(formdata=request.args)
    form.organisation.choices = [
        SelectChoice("", "Any organisation"),
        *(SelectChoice(item.public_id, item.name) for item in organisations),
    ]
    if not form.validate():
        return render_template(
            "admin/audit.html", form=form, entries=[], links={}, names={}, event_label=event_label
        ), 422
    zone: ZoneInfo = current_app.extensions["consult.site"].time_zone
    chosen = next((o for o in organisations if o.public_id == form.organisation.data), None)
    # Dates are the consultant's days: from the start of the first to the end of the last.
    until = form.until.data + timedelta(days=1) if form.until.data else None
    query = AuditQuery(
        event_type=form.event_type.data or None,
        person=form.person.data or None,
        organisation_id=chosen.id if chosen else None,
        since=_start_of(form.since.data, zone),
        until=_start_of(until, zone),
    )
    page = page_number()
    entries, has_next = find_entries(db, query, page=page, per_page=PER_PAGE)
    return render_template(
        "admin/audit.html",
        form=form,
        entries=entries,
        links=page_links(page, has_next),
        names=organisation_names(entries),
        event_label=event_label,
    )
