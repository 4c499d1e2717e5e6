"""The audit log records roles, ownership, invitations, the consultant reading answers, bookings
the consultant cancels, refunds and settings changes, each with the organisation it concerns.
"""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from consult.booking.models import ConsultationType
from consult.db import get_session
from consult.portal.models import Membership
from tests.conftest import csrf_token_from, signed_in_client, submit_form
from tests.web.audit_fixtures import audit_entries, only_entry
from tests.web.booking_flow import bookings, emails, paid_booking
from tests.web.portal_fixtures import add_people, make_organisation, open_round, user_by_email
from tests.web.test_admin_calendar import TYPE


@pytest.fixture
def organisation(app, clock):
    return make_organisation(app, clock)


def membership_of(app, user):
    with app.app_context():
        return get_session().exec(select(Membership).where(Membership.user_id == user.id)).one()


def test_invitations_joining_removal_and_handing_over_are_recorded_for_the_organisation(
    app, organisation, clock
):
    owner_user = user_by_email(app, "owner@clinic.example")
    owner = signed_in_client(app, owner_user)
    members_path = f"/portal/o/{organisation.public_id}/members"
    data = {"email": "Nia@Clinic.example", "role_group": "providers", "role": "member"}
    assert submit_form(owner, members_path, data).status_code == 303
    invited = only_entry(app, "invitation.sent")
    assert (invited.actor_user_id, invited.organisation_id) == (owner_user.id, organisation.id)
    assert invited.subject_email == "nia@clinic.example"
    assert invited.details == {"role": "member", "role_group": "providers"}

    [invitation] = [email for email in emails(app) if email.to_address == "nia@clinic.example"]
    accept = re.search(r"http://consult\.test(/accounts/invitation/\S+)", invitation.text_body)
    newcomer = app.test_client()
    password = {"password": "listening first always", "confirm": "listening first always"}
    submit_form(newcomer, accept.group(1), {"name": "Nia Nurse", **password})
    joined = only_entry(app, "invitation.accepted")
    nia = user_by_email(app, "nia@clinic.example")
    assert joined.actor_user_id == joined.subject_user_id == nia.id
    assert joined.organisation_id == organisation.id and joined.details == {"role": "member"}

    [sam] = add_people(app, clock, organisation, "staff", 1, "sam")
    form = {"membership": membership_of(app, nia).id}
    submit_form(owner, f"{members_path}/remove", form, page=members_path)
    removed = only_entry(app, "membership.removed")
    assert removed.subject_user_id == nia.id and removed.organisation_id == organisation.id
    assert removed.actor_email == "owner@clinic.example"

    form = {"membership": membership_of(app, sam).id}
    submit_form(owner, f"{members_path}/hand-ownership", form, page=members_path)
    handed = only_entry(app, "ownership.handed_over")
    assert handed.subject_user_id == sam.id and handed.actor_user_id == owner_user.id
    assert handed.organisation_id == organisation.id


def test_starting_an_organisation_records_it_and_the_owners_invitation(app, make_user):
    visitor = app.test_client()
    start = {"organisation": "Lakeside", "role_group": "clinical-leadership", "email": "l@x.org"}
    submit_form(visitor, "/portal/start", start, page="/portal/")
    invited = only_entry(app, "invitation.sent")
    assert invited.actor_kind == "guest" and invited.subject_email == "l@x.org"
    assert invited.organisation_id is None and not audit_entries(app, "organisation.created")
    [invitation] = emails(app)
    accept = re.search(r"http://consult\.test(/accounts/invitation/\S+)", invitation.text_body)
    password = {"password": "listening first always", "confirm": "listening first always"}
    submit_form(visitor, accept.group(1), {"name": "Lee Lead", **password})
    created = only_entry(app, "organisation.created")  # made once the address is confirmed
    lee = user_by_email(app, "l@x.org")
    assert created.actor_user_id == lee.id and created.details == {"name": "Lakeside"}
    accepted = only_entry(app, "invitation.accepted")
    assert accepted.organisation_id == created.organisation_id is not None

    consultant = signed_in_client(app, make_user(role="consultant"))
    data = {"name": "Hillside", "owner_email": "h@x.org", "role_group": "clinical-leadership"}
    assert submit_form(consultant, "/admin/organisations/", data).status_code == 303
    created = audit_entries(app, "organisation.created")[-1]
    assert created.actor_kind == "user" and created.details == {"name": "Hillside"}
    assert audit_entries(app, "invitation.sent")[-1].organisation_id == created.organisation_id


def test_the_consultant_reading_individual_answers_is_recorded_and_shown_to_the_owner(
    app, organisation, clock, make_user
):
    owner = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
    round_id = open_round(owner, organisation)
    consultant_user = make_user(role="consultant", email="irons@example.org")
    consultant = signed_in_client(app, consultant_user)
    path = f"/portal/o/{organisation.public_id}/r/{round_id}/responses"
    assert consultant.get(path).status_code == 200
    viewed = only_entry(app, "answers.viewed")
    assert viewed.actor_user_id == consultant_user.id
    assert viewed.organisation_id == organisation.id
    assert viewed.details == {"round": "Winter 2026", "round_id": round_id}
    activity = owner.get(f"/portal/o/{organisation.public_id}/activity").get_data(as_text=True)
    assert "Individual answers viewed by the consultant" in activity
    assert "irons@example.org" in activity


def test_a_consultant_cancellation_and_its_refund_are_recorded(
    booking_app, guest, make_user, clock
):
    consultant_user = make_user(role="consultant")
    paid_booking(booking_app, guest)
    [booking] = bookings(booking_app)
    clock.now = booking.starts_at - timedelta(hours=2)
    consultant = signed_in_client(booking_app, consultant_user)
    page = consultant.get(f"/admin/bookings/{booking.public_id}/").get_data(as_text=True)
    consultant.post(
        f"/admin/bookings/{booking.public_id}/cancel",
        data={"refund": "full", "csrf_token": csrf_token_from(page)},
    )
    cancelled = only_entry(booking_app, "booking.cancelled_by_consultant")
    assert cancelled.actor_user_id == consultant_user.id
    assert cancelled.details["booking"] == booking.public_id
    assert cancelled.details["refund"] is True and cancelled.details["refunded_minor"] == 45000
    requested = only_entry(booking_app, "refund.requested")
    succeeded = only_entry(booking_app, "refund.succeeded")
    for entry in (requested, succeeded):
        assert entry.actor_kind == "system" and entry.details["booking"] == booking.public_id
        assert entry.details["amount_minor"] == 45000 and entry.details["currency"] == "usd"
    # The guest's own cancellation is not the consultant's: nothing is said for the guest.
    assert "ana@clinic.example" not in str(cancelled.details)


def test_settings_changes_are_recorded_with_what_changed(booking_app, make_user):
    consultant = signed_in_client(booking_app, make_user(role="consultant"))
    assert submit_form(consultant, "/admin/types/new", TYPE).status_code == 303
    created = only_entry(booking_app, "settings.consultation_type")
    assert created.details["type"] == "board-retreat"
    assert created.details["changes"]["price_minor"] == [None, 120050]
    with booking_app.app_context():
        type_id = (
            get_session()
            .exec(select(ConsultationType.id).where(ConsultationType.slug == "board-retreat"))
            .one()
        )
    edited = {key: value for key, value in TYPE.items() if key != "is_active"}
    edited["price"] = "99.00"
    response = submit_form(consultant, f"/admin/types/{type_id}/", edited)
    assert response.status_code == 303
    saved = audit_entries(booking_app, "settings.consultation_type")[-1]
    assert saved.details["changes"] == {"is_active": [True, False], "price_minor": [120050, 9900]}

    hours = {"slot_step_minutes": "15", "monday": "09:00-12:00"}
    for day in ("tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
        hours[day] = ""
    assert submit_form(consultant, "/admin/availability", hours).status_code == 303
    changes = only_entry(booking_app, "settings.availability").details["changes"]
    assert changes["slot_step_minutes"][1] == 15 and changes["Monday"][1] == "09:00-12:00"

    day = {"day": "2026-12-24", "hours": ""}
    submit_form(consultant, "/admin/availability/overrides", day, page="/admin/availability")
    submit_form(
        consultant,
        "/admin/availability/overrides/2026-12-24/delete",
        {},
        page="/admin/availability",
    )
    added, removed = audit_entries(booking_app, "settings.date_override")
    assert added.details == {"day": "2026-12-24", "hours": "day off"}
    assert removed.details == {"day": "2026-12-24", "hours": "the weekly hours"}

    # On this machine (the tests allow it): a feed's host must resolve, and tests have no DNS.
    feed = {"url": "http://127.0.0.1:9/private-abcdef123456/basic.ics", "name": "Home"}
    submit_form(consultant, "/admin/calendars/", feed)
    feed_id = re.search(
        r"/admin/calendars/(\d+)/delete", consultant.get("/admin/calendars/").get_data(as_text=True)
    ).group(1)
    submit_form(consultant, f"/admin/calendars/{feed_id}/delete", {}, page="/admin/calendars/")
    submit_form(consultant, "/admin/calendars/private-address", {}, page="/admin/calendars/")
    added, removed = audit_entries(booking_app, "settings.calendar_feed")
    assert (added.details["action"], removed.details["action"]) == ("added", "removed")
    assert "abcdef123456" not in str(added.details)  # the feed's secret stays out of the log
    assert only_entry(booking_app, "settings.private_feed_address").details == {
        "replaced_an_old_one": False
    }
