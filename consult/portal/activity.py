"""An organisation's activity: the audit log's entries about it, for its owners (and the
consultant). Only that organisation's entries, and never where a request came from.
"""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from consult.audit.events import event_label
from consult.audit.service import organisation_entries
from consult.audit.web import PER_PAGE, page_links, page_number
from consult.db import get_session
from consult.portal.models import stored_id
from consult.portal.routes import _access, blueprint


@blueprint.get("/o/<organisation_id>/activity")
def activity(organisation_id: str) -> ResponseReturnValue:
    access = _access(organisation_id)
    if not (access.is_owner or access.is_consultant):
        abort(403)
    page = page_number()
    entries, has_next = organisation_entries(
        get_session(), organisation_id=stored_id(access.organisation), page=page, per_page=PER_PAGE
    )
    return render_template(
        "portal/activity.html",
        access=access,
        entries=entries,
        links=page_links(page, has_next),
        event_label=event_label,
    )
