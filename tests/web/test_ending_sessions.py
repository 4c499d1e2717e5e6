"""Ending sessions on purpose: the consultant signs a member out everywhere from the admin, and a
person signs out every other device while staying signed in here. Both are in the audit log.
"""

from __future__ import annotations

import re
from datetime import timedelta

from consult.accounts.idle import CLIENT_LIMITS
from tests.conftest import Auth, csrf_token_from, signed_in_client
from tests.web.audit_fixtures import only_entry
from tests.web.portal_fixtures import add_people, make_organisation
from tests.web.test_session_limits import CLIENT_PAGE, close_the_browser, is_signed_in
from tests.web.test_sign_out import replay, saved_cookies


def test_the_consultant_signs_a_member_out_everywhere(app, clock, make_user):
    organisation = make_organisation(app, clock)
    (member,) = add_people(app, clock, organisation, "providers", 1, "nurse")
    laptop = signed_in_client(app, member)
    phone = app.test_client()
    Auth(phone).sign_in(member.email, remember="y")
    phone_cookies = saved_cookies(phone)
    colleague = signed_in_client(app, make_user(email="colleague@clinic.example"))
    admin = signed_in_client(app, make_user(role="consultant"))

    page = admin.get(f"/admin/organisations/{organisation.public_id}/").get_data(as_text=True)
    asking = re.search(r'href="([^"]+/sign-out-everywhere)"', page).group(1)
    page = admin.get(asking).get_data(as_text=True)  # the button asks first; nothing ends yet
    assert "<h1>Sign Nurse 0 out everywhere?</h1>" in page and is_signed_in(laptop, CLIENT_PAGE)
    action = re.search(r'<form method="post" action="([^"]+/sign-out-everywhere)"', page).group(1)
    response = admin.post(action, data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nurse 0 is signed out on every device." in page

    assert not is_signed_in(laptop, CLIENT_PAGE)
    assert not is_signed_in(phone, CLIENT_PAGE)
    assert not is_signed_in(replay(app, phone_cookies), CLIENT_PAGE)
    assert is_signed_in(colleague, CLIENT_PAGE)  # someone else's account is untouched
    entry = only_entry(app, "sessions.ended_by_consultant")
    assert (entry.subject_user_id, entry.organisation_id) == (member.id, organisation.id)
    assert entry.actor_email != member.email
    assert Auth(laptop).sign_in(member.email).status_code == 302  # the password still works


def test_only_the_consultant_can_sign_someone_out_everywhere(app, clock):
    organisation = make_organisation(app, clock)
    (member,) = add_people(app, clock, organisation, "providers", 1, "nurse")
    other = signed_in_client(app, member)
    token = csrf_token_from(other.get(CLIENT_PAGE).get_data(as_text=True))
    response = other.post(
        f"/admin/organisations/{organisation.public_id}/members/1/sign-out-everywhere",
        data={"csrf_token": token},
    )
    assert response.status_code == 403


def test_a_person_signs_out_every_other_device_and_keeps_this_one(app, clock, make_user):
    person = make_user(role="client")
    here = app.test_client()
    signed_in_at = clock()
    Auth(here).sign_in(person.email, remember="y")
    elsewhere = signed_in_client(app, person)
    elsewhere_cookies = saved_cookies(elsewhere)
    clock.advance(days=10)
    close_the_browser(here)  # signed back in by remember-me: that must survive too

    page = here.get("/accounts/data").get_data(as_text=True)
    assert "signed out after 8 hours without activity, and 30 days after signing in" in page
    response = here.post("/accounts/sign-out-elsewhere", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    assert "You are signed out on every other device." in here.get("/accounts/data").get_data(
        as_text=True
    )
    assert not is_signed_in(elsewhere, CLIENT_PAGE)
    assert not is_signed_in(replay(app, elsewhere_cookies), CLIENT_PAGE)
    assert only_entry(app, "sessions.ended_elsewhere").subject_user_id == person.id

    close_the_browser(here)  # the new remember-me cookie signs this browser back in
    assert is_signed_in(here, CLIENT_PAGE)
    # It keeps its sign-in time: ending the others does not extend this one's 30 days.
    clock.now = signed_in_at + CLIENT_LIMITS.absolute - timedelta(minutes=1)
    close_the_browser(here)
    assert is_signed_in(here, CLIENT_PAGE)
    clock.advance(minutes=1)
    close_the_browser(here)
    assert not is_signed_in(here, CLIENT_PAGE)
