"""What cannot be undone asks first, without JavaScript: a guest's cancel, the consultant's
cancel, removing a member, handing over ownership and closing a round.

The page that offers the action only links to a page that says what will happen (GET changes
nothing); that page's form does it.
"""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from consult.db import get_session
from consult.portal.models import AssessmentRound, Membership
from tests.conftest import signed_in_client
from tests.web.booking_flow import bookings, manage_path, paid_booking
from tests.web.portal_fixtures import add_people, make_organisation, open_round, user_by_email

DESTRUCTIVE = re.compile(r"/(cancel|remove|hand-ownership|close)\b")


def assert_no_one_click_form(html: str) -> None:
    """No form on the page posts straight to an action that cannot be undone."""
    for form in re.findall(r"<form[^>]*>", html):
        if 'method="post"' in form:
            assert not DESTRUCTIVE.search(form), form


def confirmation_form(html: str) -> tuple[str, dict[str, str]]:
    """The action of the page's confirming form (its button says "Yes, …"), and what it posts."""
    [(action, body)] = [
        form
        for form in re.findall(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
        if ">Yes, " in form[1]
    ]
    return action, dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body))


def test_a_guest_is_asked_before_cancelling_and_told_the_refund(booking_app, guest, clock):
    paid_booking(booking_app, guest)
    path = manage_path(booking_app)
    clock.now = bookings(booking_app)[0].starts_at - timedelta(hours=30)
    manage_page = guest.get(path).get_data(as_text=True)
    assert_no_one_click_form(manage_page)
    assert f'href="{path}/cancel"' in manage_page

    question = guest.get(path + "/cancel")
    html = question.get_data(as_text=True)
    assert question.status_code == 200 and "Cancel your booking?" in html
    assert "You get USD 225.00 back (50%)." in html and f'href="{path}"' in html  # or keep it
    assert bookings(booking_app)[0].status == "confirmed"  # asking changed nothing

    action, fields = confirmation_form(html)
    assert action == path + "/cancel"
    assert guest.post(action, data=fields).status_code == 303
    assert bookings(booking_app)[0].status == "cancelled"
    again = guest.get(path + "/cancel")  # nothing left to cancel: back to the booking
    assert again.status_code == 302 and again.headers["Location"].endswith(path)


@pytest.fixture
def consultant(booking_app, make_user):
    return signed_in_client(booking_app, make_user(role="consultant"))


@pytest.mark.parametrize(
    ("choice", "says", "refunded"),
    [("full", "USD 450.00 is refunded to the guest.", 45000), ("none", "Nothing is refunded.", 0)],
)
def test_the_consultant_is_asked_before_cancelling(
    booking_app, guest, consultant, choice, says, refunded
):
    paid_booking(booking_app, guest)
    public_id = bookings(booking_app)[0].public_id
    detail = consultant.get(f"/admin/bookings/{public_id}/").get_data(as_text=True)
    assert_no_one_click_form(detail)

    html = consultant.get(f"/admin/bookings/{public_id}/cancel?refund={choice}").get_data(
        as_text=True
    )
    assert "Cancel Ana Reyes’s Leadership strategy session?" in html and says in html
    assert bookings(booking_app)[0].status == "confirmed"
    action, fields = confirmation_form(html)
    assert fields["refund"] == choice
    assert consultant.post(action, data=fields).status_code == 303
    [booking] = bookings(booking_app)
    assert booking.status == "cancelled" and booking.refunded_minor == refunded


@pytest.fixture
def owned(app, clock):
    """An organisation, its owner signed in, and one other member."""
    organisation = make_organisation(app, clock)
    [member] = add_people(app, clock, organisation, "staff", 1, "sam")
    owner = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
    with app.app_context():
        membership = (
            get_session().exec(select(Membership).where(Membership.user_id == member.id)).one()
        )
    return organisation, owner, membership


def role_of(app, membership) -> str | None:
    with app.app_context():
        found = get_session().get(Membership, membership.id)
        return found.role if found else None


@pytest.mark.parametrize(
    ("change", "asks", "button", "after"),
    [
        ("remove", "Remove Sam 0 from Riverside Clinic?", "Yes, remove Sam 0", None),
        (
            "hand-ownership",
            "Make Sam 0 the owner instead of you?",
            "Yes, make Sam 0 the owner",
            "owner",
        ),
    ],
)
def test_an_owner_is_asked_before_removing_a_member_or_handing_over(
    app, owned, change, asks, button, after
):
    organisation, owner, membership = owned
    members = f"/portal/o/{organisation.public_id}/members"
    page = owner.get(members).get_data(as_text=True)
    assert_no_one_click_form(page)
    assert f'href="{members}/{change}?membership={membership.id}"' in page

    html = owner.get(f"{members}/{change}?membership={membership.id}").get_data(as_text=True)
    assert asks in html and button in html and f'href="{members}"' in html
    assert role_of(app, membership) == "member"  # asking changed nothing
    action, fields = confirmation_form(html)
    assert fields["membership"] == str(membership.id)
    assert owner.post(action, data=fields).status_code == 303
    assert role_of(app, membership) == after


def test_asking_about_someone_outside_the_organisation_or_as_a_member_is_refused(app, clock, owned):
    organisation, owner, membership = owned
    members = f"/portal/o/{organisation.public_id}/members"
    assert owner.get(f"{members}/remove?membership=99999").status_code == 404
    assert owner.get(f"{members}/remove").status_code == 404
    member = signed_in_client(app, user_by_email(app, "sam0@clinic.example"))
    assert member.get(f"{members}/remove?membership={membership.id}").status_code == 403


def test_an_owner_is_asked_before_closing_a_round_and_told_who_has_answered(app, owned):
    organisation, owner, _ = owned
    round_id = open_round(owner, organisation)
    page = owner.get(f"/portal/o/{organisation.public_id}/").get_data(as_text=True)
    assert_no_one_click_form(page)
    close = f"/portal/o/{organisation.public_id}/r/{round_id}/close"
    html = owner.get(close).get_data(as_text=True)
    assert "Close Winter 2026 now?" in html and "0 of 2 members have submitted" in html
    with app.app_context():
        assert get_session().exec(select(AssessmentRound)).one().status == "open"
    action, fields = confirmation_form(html)
    assert owner.post(action, data=fields).status_code == 303
    with app.app_context():
        assert get_session().exec(select(AssessmentRound)).one().status == "closed"
    assert owner.get(close).status_code == 302  # closed: nothing to ask


def test_the_confirming_forms_carry_the_csrf_token(booking_app, guest):
    paid_booking(booking_app, guest)
    path = manage_path(booking_app)
    _, fields = confirmation_form(guest.get(path + "/cancel").get_data(as_text=True))
    assert fields["csrf_token"]
    without_token = guest.post(path + "/cancel", data={})
    assert without_token.status_code == 400 and bookings(booking_app)[0].status == "confirmed"
