"""Reading the audit log: the consultant filters it in the admin, page by page; an owner reads
their own organisation's entries in the portal, and no other organisation's.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest

from consult.accounts.service import create_user
from consult.audit.events import GUEST, SYSTEM, user_actor
from consult.audit.service import record_event
from consult.db import get_session
from consult.portal import service
from tests.conftest import signed_in_client, submit_form
from tests.web.portal_fixtures import add_people, make_organisation, user_by_email

NOON = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # noon in the consultant's zone (Chicago)


def record(app, event_type, *, at=NOON, actor=SYSTEM, organisation=None, **extra):
    with app.app_context():
        session = get_session()
        record_event(
            session=session,
            event_type=event_type,
            actor=actor,
            now=at,
            organisation_id=organisation.id if organisation else None,
            **extra,
        )
        session.commit()


def shown(page: str) -> list[str]:
    """The events of the entries table, top to bottom."""
    return re.findall(r'data-label="Event">([^<]+)<', page)


@pytest.fixture
def consultant(app, make_user):
    return signed_in_client(app, make_user(role="consultant", email="irons@example.org"))


def test_the_consultant_filters_by_event_person_organisation_and_dates(app, clock, consultant):
    riverside = make_organisation(app, clock)
    record(app, "invitation.sent", organisation=riverside, subject_email="nia@clinic.example")
    record(app, "sign_in.failed", actor=GUEST, subject_email="Mallory@Evil.example")
    # 23:30 in Chicago on the 19th, though already the 20th in UTC.
    record(app, "retention.applied", at=datetime(2026, 11, 20, 5, 30, tzinfo=UTC))
    record(app, "retention.applied", at=datetime(2026, 11, 22, 5, 59, tzinfo=UTC))

    def events(**query):
        response = consultant.get("/admin/audit/", query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        return shown(response.get_data(as_text=True))

    everything = events()
    assert "Sign-in refused" in everything and "Invitation sent" in everything
    assert events(event_type="sign_in.failed") == ["Sign-in refused"]
    assert events(person="mallory") == ["Sign-in refused"]  # part of the address, any case
    assert events(person="%") == []  # a wildcard is a character like any other
    assert events(organisation=riverside.public_id) == ["Invitation sent"]
    retention = {"event_type": "retention.applied"}
    assert len(events(**retention, since="2026-11-19", until="2026-11-19")) == 1
    assert len(events(**retention, since="2026-11-20", until="2026-11-21")) == 1
    assert len(events(**retention, since="2026-11-20")) == 1
    assert len(events(**retention, until="2026-11-21")) == 2


def test_the_log_comes_fifty_to_a_page_newest_first_keeping_the_filter(app, consultant):
    for minute in range(120):
        record(app, "retention.applied", at=NOON + timedelta(minutes=minute), details={"n": minute})
    record(app, "sign_in.failed", actor=GUEST, subject_email="x@example.org")
    first = consultant.get("/admin/audit/?event_type=retention.applied").get_data(as_text=True)
    assert len(shown(first)) == 50 and "n: 119" in first and "n: 70" in first
    older = re.search(r'href="([^"]+)">Older entries', first).group(1).replace("&amp;", "&")
    assert "event_type=retention.applied" in older and "page=2" in older
    second = consultant.get(older).get_data(as_text=True)
    assert "n: 69" in second and "Newer entries" in second
    assert "Sign-in refused" not in shown(second)
    last = consultant.get("/admin/audit/?event_type=retention.applied&page=3").get_data(
        as_text=True
    )
    assert len(shown(last)) == 20 and "Older entries" not in last
    for junk in ("abc", "-5", "0", str(10**30)):
        response = consultant.get(f"/admin/audit/?page={junk}")
        assert response.status_code == 200, junk


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "2026-13-45"}, "Not a valid date value"),
        ({"since": "2026-11-20", "until": "2026-11-01"}, "on or after the start date"),
        ({"until": "0001-01-01"}, "between 1900 and 9000"),
        ({"until": "9999-12-31"}, "between 1900 and 9000"),
        ({"event_type": "made.up"}, "Not a valid choice"),
        ({"organisation": "no-such-organisation"}, "Not a valid choice"),
        ({"person": "x\x00y"}, "control characters"),
    ],
)
def test_a_bad_filter_is_explained_with_the_answers_kept(app, consultant, query, message):
    response = consultant.get(
        "/admin/audit/", query_string={**query, "person": query.get("person", "kept@example")}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    if "\x00" not in query.get("person", ""):
        assert 'value="kept@example"' in page


def test_only_the_consultant_reads_the_log(app, make_user):
    assert app.test_client().get("/admin/audit/").status_code == 302
    member = signed_in_client(app, make_user(role="client"))
    assert member.get("/admin/audit/").status_code == 403


def test_an_owner_sees_their_organisations_entries_and_no_other_organisations(app, clock):
    riverside = make_organisation(app, clock)
    [member] = add_people(app, clock, riverside, "staff", 1, "sam")
    with app.app_context():
        session = get_session()
        other_owner = create_user(
            session=session,
            email="boss@hillside.example",
            name="Hill Boss",
            password="a calm morning walk",
            role="client",
            now=clock(),
        )
        hillside = service.create_organisation(session=session, name="Hillside", now=clock())
        service.add_member(
            session=session,
            organisation=hillside,
            user=other_owner,
            role="owner",
            role_group="staff",
            now=clock(),
        )
        session.commit()
    owner_user = user_by_email(app, "owner@clinic.example")
    actor = user_actor(owner_user.id, owner_user.email)
    record(
        app,
        "invitation.sent",
        actor=actor,
        organisation=riverside,
        subject_email="nia@clinic.example",
    )
    boss = user_actor(other_owner.id, other_owner.email)
    record(app, "invitation.sent", actor=boss, organisation=hillside, subject_email="secret@hill")
    record(app, "sign_in.succeeded", actor=actor, subject_email=owner_user.email)

    owner = signed_in_client(app, owner_user)
    response = owner.get(f"/portal/o/{riverside.public_id}/activity")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert shown(page) == ["Invitation sent"] and "nia@clinic.example" in page
    assert "secret@hill" not in page and "Hillside" not in page
    # An account's own sign-ins concern no organisation: they are not listed.
    assert "127.0.0.1" not in page  # where requests came from is for the consultant only
    assert owner.get(f"/portal/o/{hillside.public_id}/activity").status_code == 404
    assert (
        signed_in_client(app, member).get(f"/portal/o/{riverside.public_id}/activity").status_code
        == 403
    )
    boss_page = signed_in_client(app, other_owner).get(f"/portal/o/{hillside.public_id}/activity")
    assert "secret@hill" in boss_page.get_data(as_text=True)
    assert "nia@clinic.example" not in boss_page.get_data(as_text=True)


def test_the_consultant_sees_where_each_request_came_from(app, make_user, consultant):
    make_user(email="jo@example.org")
    submit_form(
        app.test_client(),
        "/accounts/sign-in",
        {"email": "jo@example.org", "password": "wrong password!"},
        environ_base={"REMOTE_ADDR": "203.0.113.77", "HTTP_USER_AGENT": "Curious/2.0"},
    )
    page = consultant.get("/admin/audit/?event_type=sign_in.failed").get_data(as_text=True)
    assert "203.0.113.77" in page and "Curious/2.0" in page and "jo@example.org" in page
