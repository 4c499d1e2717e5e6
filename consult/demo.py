"""Demo data for a fresh local database, so a newcomer sees a working site at once."""

import logging
import secrets

from flask import current_app
from sqlmodel import select

from consult.accounts.models import User
from consult.accounts.service import create_user
from consult.clock import app_now
from consult.db import get_session

log = logging.getLogger("consult")
DEMO_CONSULTANT_EMAIL = "consultant@example.com"


def load_demo_data_if_empty() -> None:
    """When the database has no users, add the demo consultant and print its password once."""
    session = get_session()
    if session.exec(select(User.id).limit(1)).first() is not None:
        return
    password = secrets.token_urlsafe(12)
    create_user(session=session, email=DEMO_CONSULTANT_EMAIL, name=current_app.extensions["consult.site"].consultant_name, password=password, role="consultant", now=app_now())
    session.commit()
    log.warning(
        "Demo data loaded. Sign in as the consultant with e-mail %s and password %s "
        "(shown only this once; `flask --app consult create-admin %s` sets a new one).",
        DEMO_CONSULTANT_EMAIL,
        password,
        DEMO_CONSULTANT_EMAIL,
    )
