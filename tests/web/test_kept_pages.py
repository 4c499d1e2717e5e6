"""Signed-in pages kept for the browser that saw them (consult/site/kept_pages.py): sent again
without SQL or a template while nothing they show has changed, never to anyone else, and never
once what they show, or who may see them, has changed.
"""

import gzip

import pytest
from flask import template_rendered
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import event
from sqlmodel import select

from consult import db
from consult.accounts.models import User
from consult.accounts.service import end_sessions
from consult.db import ENGINE_KEY, get_session
from consult.portal import service
from consult.portal.models import Membership, Organisation
from tests.conftest import csrf_token_from, signed_in_client
from tests.web.portal_fixtures import add_people, make_organisation


@pytest.fixture
def organisation(app, clock):
    return make_organisation(app, clock)


@pytest.fixture
def owner(app, organisation):
    with app.app_context():
        user = get_session().exec(select(User).where(User.email == "owner@clinic.example")).one()
    return signed_in_client(app, user)


@pytest.fixture
def work(app):
    """The SQL statements sent and templates rendered, from now on."""
    done = {"statements": [], "templates": []}

    def statement(*arguments):
        if arguments[2] not in ("BEGIN", "BEGIN IMMEDIATE"):
            done["statements"].append(arguments[2])

    def rendered(_app, template, **_extra):
        done["templates"].append(template.name)

    engine = app.extensions[ENGINE_KEY]
    event.listen(engine, "before_cursor_execute", statement)
    template_rendered.connect(rendered, app)
    yield done
    event.remove(engine, "before_cursor_execute", statement)
    template_rendered.disconnect(rendered, app)


def page_of(organisation) -> str:
    return f"/portal/o/{organisation.public_id}/"


def forget(work):
    for done in work.values():
        done.clear()


def change(app, alter):
    with app.app_context():
        db = get_session()
        alter(db)
        db.commit()


def test_a_kept_page_is_sent_again_without_sql_or_a_template(owner, organisation, work):
    owner.get(page_of(organisation))  # makes the session's form token: that render is not kept
    first = owner.get(page_of(organisation))
    assert first.status_code == 200 and work["templates"]
    forget(work)
    again = owner.get(page_of(organisation))
    assert again.status_code == 200 and again.get_data() == first.get_data()
    assert work == {"statements": [], "templates": []}  # not even who is signed in
    assert "no-store" in again.headers["Cache-Control"]


def test_a_kept_page_opens_no_database_session(owner, organisation, monkeypatch):
    owner.get(page_of(organisation))
    owner.get(page_of(organisation))
    opened = []

    class CountedSession(db.Session):
        def __init__(self, *arguments, **options):
            opened.append(self)
            super().__init__(*arguments, **options)

    monkeypatch.setattr(db, "Session", CountedSession)
    assert owner.get(page_of(organisation)).status_code == 200
    assert opened == []  # the account was known, the page kept: the database was not needed
    assert owner.get("/accounts/data").status_code == 200  # a page that reads: it opens one
    assert len(opened) == 1


def test_a_change_to_what_the_page_shows_is_seen_at_once(app, owner, organisation):
    assert "Riverside Clinic" in owner.get(page_of(organisation)).get_data(as_text=True)
    owner.get(page_of(organisation))

    def rename(db):
        db.get(Organisation, organisation.id).name = "Hillside Practice"

    change(app, rename)
    assert "Hillside Practice" in owner.get(page_of(organisation)).get_data(as_text=True)


def test_a_change_to_the_visitor_s_own_account_is_seen_at_once(app, owner, organisation):
    owner.get(page_of(organisation))

    def rename(db):
        db.exec(select(User).where(User.email == "owner@clinic.example")).one().name = "Ola Nova"

    change(app, rename)
    assert "Ola Nova" in owner.get(page_of(organisation)).get_data(as_text=True)


def test_a_member_removed_is_refused_at_once(app, clock, organisation):
    (person,) = add_people(app, clock, organisation, "frontline-clinical", 1, "nurse")
    member = signed_in_client(app, person)
    for _ in range(2):
        assert member.get(page_of(organisation)).status_code == 200

    def remove(db):
        membership = db.exec(select(Membership).where(Membership.user_id == person.id)).one()
        service.remove_member(
            session=db,
            organisation=db.get(Organisation, organisation.id),
            membership=membership,
            now=clock(),
        )

    change(app, remove)
    assert member.get(page_of(organisation)).status_code in (403, 404)


def test_no_one_else_is_sent_another_s_kept_page(app, clock, make_user, owner, organisation):
    owner.get(page_of(organisation))
    owner.get(page_of(organisation))
    stranger = signed_in_client(app, make_user(email="stranger@elsewhere.example"))
    assert stranger.get(page_of(organisation)).status_code in (403, 404)
    consultant = signed_in_client(app, make_user(email="c@example.org", role="consultant"))
    seen_by_her = consultant.get(page_of(organisation)).get_data(as_text=True)
    assert seen_by_her != owner.get(page_of(organisation)).get_data(as_text=True)


def test_two_browsers_of_one_account_each_carry_their_own_form_token(app, owner, organisation):
    with app.app_context():
        user = get_session().exec(select(User).where(User.email == "owner@clinic.example")).one()
    other_browser = signed_in_client(app, user)
    signed = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    tokens: dict[int, set[str]] = {id(owner): set(), id(other_browser): set()}
    for browser in (owner, other_browser, owner, other_browser, owner, other_browser):
        html = browser.get(page_of(organisation)).get_data(as_text=True)
        tokens[id(browser)].add(signed.loads(csrf_token_from(html)))  # the session's own token
    mine, theirs = tokens.values()
    assert len(mine) == 1 and len(theirs) == 1 and mine != theirs


def test_ending_every_session_or_the_account_signs_the_kept_page_out(app, owner, organisation):
    owner.get(page_of(organisation))
    owner.get(page_of(organisation))

    def end(db):
        end_sessions(
            session=db,
            user=db.exec(select(User).where(User.email == "owner@clinic.example")).one(),
        )

    change(app, end)
    assert owner.get(page_of(organisation)).status_code == 302  # to sign in


def test_a_deactivated_account_is_signed_out_at_once(app, owner, organisation):
    owner.get(page_of(organisation))
    owner.get(page_of(organisation))

    def deactivate(db):
        db.exec(select(User).where(User.email == "owner@clinic.example")).one().is_active = False

    change(app, deactivate)
    assert owner.get(page_of(organisation)).status_code == 302


def test_a_message_is_shown_once_and_never_kept(owner, organisation):
    page = owner.get(page_of(organisation)).get_data(as_text=True)
    opened = owner.post(
        f"/portal/o/{organisation.public_id}/rounds",
        data={
            "name": "Winter 2026",
            "closes_on": "2026-12-20",
            "csrf_token": csrf_token_from(page),
        },
    )
    assert opened.status_code == 303
    message = "The round is open."
    assert message in owner.get(page_of(organisation)).get_data(as_text=True)
    for _ in range(2):
        assert message not in owner.get(page_of(organisation)).get_data(as_text=True)


def test_the_minute_turning_renders_again(owner, organisation, clock, work):
    owner.get(page_of(organisation))
    forget(work)
    clock.advance(minutes=1)
    owner.get(page_of(organisation))
    assert work["templates"]


def test_a_browser_that_accepts_gzip_gets_the_kept_page_compressed(owner, organisation):
    owner.get(page_of(organisation))
    plain = owner.get(page_of(organisation))
    smaller = owner.get(page_of(organisation), headers={"Accept-Encoding": "gzip, br"})
    assert smaller.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(smaller.get_data()) == plain.get_data()
    assert (
        "Accept-Encoding" in smaller.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    )
    assert "no-store" in smaller.headers["Cache-Control"]
    assert "Content-Encoding" not in owner.get(page_of(organisation)).headers
