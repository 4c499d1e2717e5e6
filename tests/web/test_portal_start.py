"""A visitor's portal start: no organisation until the address is confirmed, exactly one once it
is (even when the link is followed twice at once), and a lapsed link refused and cleaned up.
"""

import re
import threading

from sqlmodel import select

from consult.accounts.models import Invitation, User
from consult.db import get_session
from consult.portal.models import Membership, Organisation
from tests.conftest import csrf_token_from, signed_in_client, submit_form
from tests.web.booking_flow import emails

START = {"organisation": "Lakeside", "role_group": "clinical-leadership", "email": "lee@lake.org"}
PASSWORD = {"name": "Lee Lead", "password": "steady shared care", "confirm": "steady shared care"}


def start(client) -> str:
    """Start as a visitor; returns the path of the link e-mailed to them."""
    response = submit_form(client, "/portal/start", START, page="/portal/")
    assert "Check your e-mail" in response.get_data(as_text=True)
    body = emails(client.application)[-1].text_body
    return re.search(r"http://consult\.test(/accounts/invitation/\S+)", body).group(1)


def rows(app, model) -> list:
    with app.app_context():
        return list(get_session().exec(select(model)).all())


def post_at_once(link: str, tabs, data: dict) -> list[int]:
    """Each tab posts `data` (with its own CSRF token) to `link` at the same moment."""
    tokens = [csrf_token_from(tab.get(link).get_data(as_text=True)) for tab in tabs]
    together = threading.Barrier(len(tabs))
    statuses: list[int] = []

    def accept(tab, token) -> None:
        together.wait()
        statuses.append(tab.post(link, data={**data, "csrf_token": token}).status_code)

    threads = [
        threading.Thread(target=accept, args=pair) for pair in zip(tabs, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


def test_starts_make_no_organisation_until_the_address_is_confirmed(app, consultant):
    visitor = app.test_client()
    start(visitor)
    start(app.test_client())  # a second start, never confirmed
    assert rows(app, Organisation) == []
    listing = signed_in_client(app, consultant).get("/admin/organisations/")
    assert "Lakeside" not in listing.get_data(as_text=True)

    link = start(visitor)
    assert visitor.get(link).status_code == 200  # following the link shows a form: nothing made
    assert rows(app, Organisation) == []
    assert submit_form(visitor, link, PASSWORD).status_code == 302
    [organisation] = rows(app, Organisation)
    [membership] = rows(app, Membership)
    assert organisation.name == "Lakeside" and membership.role == "owner"
    assert membership.role_group == "clinical-leadership"
    assert "Lakeside" in visitor.get("/portal/").get_data(as_text=True)


def test_a_link_followed_twice_at_once_makes_one_organisation_and_one_account(app):
    link = start(app.test_client())
    statuses = post_at_once(link, [app.test_client() for _ in range(2)], PASSWORD)
    assert statuses == [302, 410]  # the second tab is told the link was used
    assert len(rows(app, Organisation)) == 1
    assert len(rows(app, User)) == 1 and len(rows(app, Membership)) == 1


def test_an_existing_account_confirming_twice_at_once_gets_one_organisation(app, make_user):
    owner = make_user(email="lee@lake.org")
    link = start(app.test_client())
    statuses = post_at_once(link, [signed_in_client(app, owner) for _ in range(2)], {})
    assert statuses[0] == 302 and statuses[1] in (403, 410)  # the other tab: already used
    assert len(rows(app, Organisation)) == 1 and len(rows(app, Membership)) == 1


def test_an_expired_start_is_refused_and_the_cleanup_forgets_it(app, clock, runner):
    visitor = app.test_client()
    link = start(visitor)
    clock.advance(days=2, minutes=1)
    refused = visitor.get(link)
    assert refused.status_code == 410 and "has expired" in refused.get_data(as_text=True)
    assert rows(app, Organisation) == []

    kept = start(app.test_client())  # a fresh start is not touched
    result = runner.invoke(args=["privacy", "apply-retention"])
    assert result.exit_code == 0 and "1 unconfirmed portal start(s) deleted" in result.output
    assert len(rows(app, Invitation)) == 1
    assert "0 unconfirmed" in runner.invoke(args=["privacy", "apply-retention"]).output
    assert submit_form(app.test_client(), kept, PASSWORD).status_code == 302
    assert len(rows(app, Organisation)) == 1
