"""The e-mail the account pages send, as the tests read it: the outbox and the links in it."""

import re

from sqlmodel import select

from consult.db import get_session
from consult.mail.models import OutboxEmail


def outbox(app) -> list[OutboxEmail]:
    with app.app_context():
        return list(get_session().exec(select(OutboxEmail).order_by(OutboxEmail.id)).all())


def link_in(email: OutboxEmail, path: str) -> str:
    match = re.search(rf"http://consult\.test({re.escape(path)}[^\s<\"]+)", email.text_body)
    assert match, email.text_body
    return match.group(1)
