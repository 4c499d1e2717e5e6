"""Guests' personal data leaves a booking once it is over: at the consultant's word, or by the
retention period (`privacy apply-retention`). The financial record stays.
"""

import shutil
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from consult.booking.models import Booking, BookingAccessToken
from consult.config import PROJECT_ROOT
from consult.db import get_session
from consult.demo import add_demo_booking_calendar
from consult.mail.models import OutboxEmail
from tests.conftest import Auth, csrf_token_from, signed_in_client
from tests.web.audit_fixtures import audit_entries, only_entry
from tests.web.booking_flow import (
    book,
    bookings,
    emails,
    free_slots,
    manage_path,
    paid_booking,
)

ANA = "ana@clinic.example"


@pytest.fixture
def consultant_account(make_user):
    return make_user(role="consultant")


@pytest.fixture
def consultant(booking_app, consultant_account):
    return signed_in_client(booking_app, consultant_account)


def erase(client, public_id, confirm=True):
    page = client.get(f"/admin/bookings/{public_id}/").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), **({"confirm": "y"} if confirm else {})}
    return client.post(f"/admin/bookings/{public_id}/erase", data=data)


def deliver_mail(app):
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output


def test_the_consultant_erases_a_past_guests_data_and_keeps_the_financial_record(
    booking_app, guest, consultant, consultant_account, clock
):
    paid_booking(booking_app, guest)
    manage = manage_path(booking_app)
    deliver_mail(booking_app)
    [booking] = bookings(booking_app)
    assert booking.meeting_location  # its own video link, until erased
    clock.now = booking.ends_at + timedelta(days=1)
    Auth(consultant).sign_in_all_steps(
        consultant_account.email
    )  # a day later: her session has ended

    response = erase(consultant, booking.public_id)
    assert response.status_code == 303
    [erased] = bookings(booking_app)
    assert (erased.guest_name, erased.guest_email, erased.phone) == ("", "", None)
    assert erased.meeting_location is None
    assert (erased.organisation, erased.role, erased.intake_answers) == ("", "", {})
    assert erased.guest_data_erased_at == clock()
    assert (erased.paid_minor, erased.amount_minor, erased.currency) == (45000, 45000, "usd")
    assert erased.payment_reference == booking.payment_reference and erased.paid_at
    assert (erased.starts_at, erased.status) == (booking.starts_at, booking.status)
    assert guest.get(manage).status_code == 404  # its private links went with it
    with booking_app.app_context():
        assert not get_session().exec(select(BookingAccessToken)).all()
    assert not [email for email in emails(booking_app) if email.to_address == ANA]

    page = consultant.get(f"/admin/bookings/{booking.public_id}/").get_data(as_text=True)
    assert "Ana Reyes" not in page and "Erased on" in page and "USD 450.00" in page
    listing = consultant.get("/admin/bookings/?view=past").get_data(as_text=True)
    assert "personal data erased" in listing and "Ana Reyes" not in listing
    entry = only_entry(booking_app, "booking.guest_data_erased")
    assert entry.details == {"booking": booking.public_id} and entry.actor_kind == "user"
    assert erase(consultant, booking.public_id).status_code == 303  # again: nothing more to do
    assert len(audit_entries(booking_app, "booking.guest_data_erased")) == 1


def test_an_upcoming_booking_or_an_unticked_box_erases_nothing(
    booking_app, guest, consultant, consultant_account, clock
):
    paid_booking(booking_app, guest)
    [booking] = bookings(booking_app)
    page = consultant.get(f"/admin/bookings/{booking.public_id}/").get_data(as_text=True)
    assert "Once this consultation is over" in page and "/erase" not in page
    refused = erase(consultant, booking.public_id)
    assert refused.status_code == 422
    assert "This consultation is still to come" in refused.get_data(as_text=True)

    clock.now = booking.ends_at + timedelta(minutes=1)
    Auth(consultant).sign_in_all_steps(
        consultant_account.email
    )  # days later: her session has ended
    unticked = erase(consultant, booking.public_id, confirm=False)
    assert unticked.status_code == 422
    assert "Tick the box to confirm the erasure." in unticked.get_data(as_text=True)
    assert bookings(booking_app)[0].guest_name == "Ana Reyes"
    assert not audit_entries(booking_app, "booking.guest_data_erased")


def test_only_the_consultant_erases(booking_app, guest, make_user, clock):
    paid_booking(booking_app, guest)
    [booking] = bookings(booking_app)
    clock.now = booking.ends_at + timedelta(days=1)
    client = signed_in_client(booking_app, make_user(role="client"))
    token = csrf_token_from(client.get("/accounts/data").get_data(as_text=True))
    response = client.post(
        f"/admin/bookings/{booking.public_id}/erase", data={"confirm": "y", "csrf_token": token}
    )
    assert response.status_code == 403 and bookings(booking_app)[0].guest_name == "Ana Reyes"


def apply_retention(app):
    result = app.test_cli_runner().invoke(args=["privacy", "apply-retention"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_retention_period_erases_old_bookings_and_old_mail_only(booking_app, guest, clock):
    paid_booking(booking_app, guest)  # 30 November 2026
    deliver_mail(booking_app)
    clock.now = datetime(2028, 11, 1, 15, tzinfo=UTC)
    recent_start = free_slots(guest, "discovery-call", "2028-11-06")[0]
    book(guest, "discovery-call", recent_start, email="lee@clinic.example", name="Lee")
    old, recent = bookings(booking_app)
    clock.now = datetime(2029, 1, 15, 12, tzinfo=UTC)  # 24 months back: 15 January 2027

    output = apply_retention(booking_app)
    assert "guest data erased from 1 booking(s) that ended before 2027-01-15" in output
    old_now, recent_now = bookings(booking_app)
    assert old_now.guest_email == "" and old_now.guest_data_erased_at == clock()
    assert old_now.paid_minor == 45000 and old_now.payment_reference == old.payment_reference
    assert recent_now.guest_name == "Lee" and recent_now.guest_data_erased_at is None
    with booking_app.app_context():
        kept = get_session().exec(select(OutboxEmail)).all()
    assert kept and all(email.created_at >= datetime(2027, 1, 15, tzinfo=UTC) for email in kept)
    assert {email.status for email in kept} == {"queued"}
    [erasure, mail] = audit_entries(booking_app, "retention.applied")
    assert erasure.actor_kind == "system" and erasure.details["bookings_erased"] == [old.public_id]
    # The consultant's copy; those to the guest went with the booking's erasure.
    assert mail.details["emails_deleted"] == 1

    assert "from 0 booking(s)" in apply_retention(booking_app)  # cron-safe: again is a no-op
    assert len(audit_entries(booking_app, "retention.applied")) == 2


def test_the_retention_period_comes_from_site_yaml(make_app, tmp_path, clock):
    content = tmp_path / "short-retention"
    for folder in ("pages", "assessments"):
        shutil.copytree(PROJECT_ROOT / "content" / folder, content / folder)
    (content / "posts").mkdir()
    site = (PROJECT_ROOT / "content" / "site.yaml").read_text()
    (content / "site.yaml").write_text(
        site.replace("booking_retention_months: 24", "booking_retention_months: 1")
    )
    app = make_app(CONTENT_DIR=str(content))
    with app.app_context():
        add_demo_booking_calendar(get_session())
        get_session().commit()
    guest = app.test_client()
    book(guest, "discovery-call", free_slots(guest, "discovery-call", "2026-11-30")[0])
    clock.now = datetime(2027, 1, 2, tzinfo=UTC)
    assert "from 1 booking(s) that ended before 2026-12-02" in apply_retention(app)
    with app.app_context():
        assert get_session().exec(select(Booking)).one().guest_data_erased_at == clock()
