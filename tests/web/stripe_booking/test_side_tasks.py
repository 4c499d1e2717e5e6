"""Fulfilment never depends on a side task: when e-mail or the invitation fails, the booking is
still confirmed (or refunded), the webhook and the return page still answer, and the sweep sends
the e-mails later, exactly once."""

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlmodel import select

from consult.booking.models import Booking, BookingAccessToken
from consult.db import get_session
from consult.mail.service import deliver_outbox
from tests.conftest import csrf_token_from, signed_in_client
from tests.web.booking_flow import emails, manage_path
from tests.web.stripe_booking.stripe_steps import confirmations, deliver, hold_slot, stored


def sweep(app):
    result = app.test_cli_runner().invoke(args=["bookings", "sweep"])
    assert result.exit_code == 0, result.output
    return result.output


def fail(*_, **__):
    raise RuntimeError("the side task broke")


def subjects(app, start=""):
    return [email.subject for email in emails(app) if email.subject.startswith(start)]


# Where a side task can break: queuing any e-mail, or building the calendar invitation.
BREAKS = ["consult.booking.emails.queue_email", "consult.booking.emails.build_ics"]


@pytest.mark.parametrize("target", BREAKS, ids=["e-mail", "invitation"])
def test_a_paid_session_is_confirmed_by_the_webhook_and_mailed_by_the_sweep_once(
    stripe_app, guest, stripe_server, monkeypatch, target
):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    with monkeypatch.context() as patch:
        patch.setattr(target, fail)
        response = deliver(guest, stripe_server.event("checkout.session.completed", session_id))
    assert response.status_code == 200 and response.get_json()["outcome"] == "processed"
    booking = stored(stripe_app)
    assert (booking.status, booking.payment_state) == ("confirmed", "paid")
    assert booking.notifications_due == [{"kind": "confirmation"}] and emails(stripe_app) == []
    assert "1 due e-mail(s) queued (0 still due)" in sweep(stripe_app)
    sweep(stripe_app)
    assert stored(stripe_app).notifications_due is None
    assert confirmations(stripe_app) == 1 and len(subjects(stripe_app, "New booking")) == 1
    # The link in the late confirmation works.
    assert guest.get(manage_path(stripe_app)).status_code == 200


def test_the_return_page_confirms_even_when_the_e_mail_cannot_be_queued(
    stripe_app, guest, stripe_server, monkeypatch
):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    with monkeypatch.context() as patch:
        patch.setattr("consult.booking.emails.queue_email", fail)
        response = guest.get(f"/book/return?session_id={session_id}")
    assert response.status_code == 303
    assert "You are booked" in guest.get(response.headers["Location"]).get_data(as_text=True)
    assert stored(stripe_app).status == "confirmed" and confirmations(stripe_app) == 0
    sweep(stripe_app)
    assert confirmations(stripe_app) == 1


def test_while_it_still_fails_the_e_mail_stays_due_and_nothing_is_sent_twice(
    stripe_app, guest, stripe_server, monkeypatch
):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    with monkeypatch.context() as patch:
        patch.setattr("consult.booking.emails.queue_email", fail)
        deliver(guest, stripe_server.event("checkout.session.completed", session_id))
        assert "0 due e-mail(s) queued (1 still due)" in sweep(stripe_app)
        assert "(1 still due)" in sweep(stripe_app)
    assert stored(stripe_app).notifications_due == [{"kind": "confirmation"}]
    sweep(stripe_app)
    sweep(stripe_app)
    assert confirmations(stripe_app) == 1
    with stripe_app.app_context():
        # The link the booking browser keeps (made with the hold), the one made at
        # confirmation, and the one the sweep sent; those of failed tries are withdrawn.
        assert len(get_session().exec(select(BookingAccessToken)).all()) == 3


def test_a_late_payment_for_a_taken_time_is_refunded_even_when_the_apology_fails(
    stripe_app, guest, stripe_server, clock, monkeypatch
):
    late_session = hold_slot(guest)
    clock.advance(minutes=32)
    other = stripe_app.test_client()
    winner_session = hold_slot(other)
    stripe_server.complete_session(winner_session)
    deliver(other, stripe_server.event("checkout.session.completed", winner_session))
    stripe_server.complete_session(late_session)
    with monkeypatch.context() as patch:
        patch.setattr("consult.booking.emails.queue_email", fail)
        response = deliver(guest, stripe_server.event("checkout.session.completed", late_session))
    assert response.status_code == 200
    [refund] = stripe_server.refunds.values()
    with stripe_app.app_context():
        late = get_session().exec(select(Booking).order_by(Booking.id)).first()
    assert late.payment_state == "refunded" and refund["amount"] == late.refunded_minor
    assert late.notifications_due == [{"kind": "late_payment_refund"}]
    emails_before = len(emails(stripe_app))
    sweep(stripe_app)
    sweep(stripe_app)
    assert len(subjects(stripe_app, "We are sorry")) == 1
    assert len(emails(stripe_app)) == emails_before + 2  # the apology and the consultant's note


def test_a_cancellation_whose_e_mail_fails_is_done_and_its_refund_told_later(
    stripe_app, guest, stripe_server, monkeypatch
):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    deliver(guest, stripe_server.event("checkout.session.completed", session_id))
    path = manage_path(stripe_app)
    page = guest.get(path + "/cancel").get_data(as_text=True)  # the confirmation step
    with monkeypatch.context() as patch:
        patch.setattr("consult.booking.emails.build_ics", fail)
        response = guest.post(path + "/cancel", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    booking = stored(stripe_app)
    assert (booking.status, booking.payment_state) == ("cancelled", "refunded")
    assert booking.notifications_due == [{"kind": "cancellation", "refund_minor": 45000}]
    sweep(stripe_app)
    sweep(stripe_app)
    [cancelled] = [e for e in emails(stripe_app) if e.subject.startswith("Cancelled: ")]
    assert "Refund: USD 450.00" in cancelled.text_body
    assert len(stripe_server.refunds) == 1


def test_a_confirmation_still_due_when_the_booking_is_cancelled_is_dropped(
    stripe_app, guest, stripe_server, monkeypatch, make_user, clock
):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    with monkeypatch.context() as patch:
        patch.setattr("consult.booking.emails.queue_email", fail)
        deliver(guest, stripe_server.event("checkout.session.completed", session_id))
    consultant = signed_in_client(stripe_app, make_user(role="consultant"))
    public_id = stored(stripe_app).public_id
    page = consultant.get(f"/admin/bookings/{public_id}/").get_data(as_text=True)
    consultant.post(
        f"/admin/bookings/{public_id}/cancel",
        data={"refund": "full", "csrf_token": csrf_token_from(page)},
    )
    sweep(stripe_app)
    assert confirmations(stripe_app) == 0 and len(subjects(stripe_app, "Cancelled")) == 2
    assert stored(stripe_app).notifications_due is None


def test_a_reminder_that_cannot_be_queued_is_sent_by_the_sweep(
    stripe_app, guest, stripe_server, monkeypatch, clock
):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    deliver(guest, stripe_server.event("checkout.session.completed", session_id))
    clock.now = stored(stripe_app).starts_at - timedelta(hours=20)
    with monkeypatch.context() as patch:
        patch.setattr("consult.booking.emails.queue_email", fail)
        stripe_app.test_cli_runner().invoke(args=["bookings", "remind"])
    assert stored(stripe_app).notifications_due == [{"kind": "reminder"}]
    sweep(stripe_app)
    stripe_app.test_cli_runner().invoke(args=["bookings", "remind"])
    assert len(subjects(stripe_app, "Tomorrow")) == 1


def test_text_that_could_end_a_header_yields_one_subject_and_no_bcc(
    stripe_app, guest, stripe_server, clock
):
    session_id = hold_slot(guest)
    with stripe_app.app_context():
        # Text typed before the form refused it, or by a path that skips the form.
        db = get_session()
        booking = stored(stripe_app)
        booking.guest_name = "Ana\r\nBcc: name@evil.example"
        booking.organisation = "Riverside\u2028\x0bClinic\nBcc: organisation@evil.example"
        db.add(booking)
        db.commit()
    stripe_server.complete_session(session_id)
    response = deliver(guest, stripe_server.event("checkout.session.completed", session_id))
    assert response.status_code == 200 and stored(stripe_app).status == "confirmed"
    assert stored(stripe_app).notifications_due is None
    with stripe_app.app_context():
        assert deliver_outbox(now=clock()).sent == 2
        outbox = stripe_app.extensions["consult.settings"].outbox_dir
    received = [
        message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(outbox.glob("*.eml"))
    ]
    assert len(received) == 2
    for message in received:
        assert len(message.get_all("Subject")) == 1 and message.get_all("Bcc") is None
        assert "evil.example" not in str(message["To"])
    assert sorted(str(message["Subject"]) for message in received) == [
        "Confirmed: Leadership strategy session",
        "New booking: Riverside Clinic Bcc: organisation@evil.example, Leadership strategy session",
    ]
