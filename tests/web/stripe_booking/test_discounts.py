"""Refunds come from what was paid: a promotion code at Checkout lowers every refund, never raises
one."""

from datetime import timedelta

import pytest
from sqlmodel import select

from consult.booking.models import Booking
from consult.booking.refunds import issue_refund
from consult.clock import app_now
from consult.db import get_session
from consult.payments.selection import current_provider
from tests.conftest import csrf_token_from, signed_in_client
from tests.web.booking_flow import emails, manage_path
from tests.web.stripe_booking.stripe_steps import deliver, hold_slot, stored

LIST_PRICE = 45000
DISCOUNT = 9000  # a 20% promotion code
PAID = LIST_PRICE - DISCOUNT


def refunded_at_stripe(stripe_server) -> int:
    return sum(refund["amount"] for refund in stripe_server.refunds.values())


def paid_with_a_promotion_code(guest, stripe_server, discount=DISCOUNT):
    session_id = hold_slot(guest)
    completed = stripe_server.complete_session(session_id, discount_minor=discount)
    assert completed["amount_total"] < completed["amount_subtotal"] == LIST_PRICE
    assert deliver(guest, stripe_server.event("checkout.session.completed", session_id)).is_json
    return session_id


def test_fulfilment_records_the_discounted_total_and_the_e_mails_say_it(
    stripe_app, guest, stripe_server
):
    paid_with_a_promotion_code(guest, stripe_server)
    booking = stored(stripe_app)
    assert booking.status == "confirmed" and booking.payment_state == "paid"
    assert (booking.amount_minor, booking.paid_minor) == (LIST_PRICE, PAID)
    [confirmation] = [email for email in emails(stripe_app) if email.subject.startswith("Confirm")]
    assert "USD 360.00 paid" in confirmation.text_body and "450.00" not in confirmation.text_body


@pytest.mark.parametrize(
    ("hours_before", "refund"), [(49, PAID), (30, PAID // 2), (5, 0)], ids=["100%", "50%", "0%"]
)
def test_a_guest_cancelling_gets_the_policy_share_of_what_they_paid(
    stripe_app, guest, stripe_server, clock, hours_before, refund
):
    paid_with_a_promotion_code(guest, stripe_server)
    path = manage_path(stripe_app)
    clock.now = stored(stripe_app).starts_at - timedelta(hours=hours_before)
    page = guest.get(path + "/cancel").get_data(as_text=True)  # the confirmation step
    assert f"USD {refund / 100:,.2f} back" in page or not refund
    response = guest.post(path + "/cancel", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    booking = stored(stripe_app)
    assert booking.status == "cancelled" and booking.refunded_minor == refund
    assert refunded_at_stripe(stripe_server) == refund


def test_the_consultant_refunding_in_full_refunds_what_was_paid(
    stripe_app, guest, stripe_server, make_user
):
    paid_with_a_promotion_code(guest, stripe_server)
    consultant = signed_in_client(stripe_app, make_user(role="consultant"))
    public_id = stored(stripe_app).public_id
    page = consultant.get(f"/admin/bookings/{public_id}/").get_data(as_text=True)
    assert "USD 360.00" in page
    response = consultant.post(
        f"/admin/bookings/{public_id}/cancel",
        data={"refund": "full", "csrf_token": csrf_token_from(page)},
    )
    assert response.status_code == 303
    booking = stored(stripe_app)
    assert (booking.payment_state, booking.refunded_minor) == ("refunded", PAID)
    [refund] = stripe_server.refunds.values()
    assert refund["amount"] == PAID


def test_a_late_payment_is_refunded_for_what_was_paid(stripe_app, guest, stripe_server, clock):
    late_session = hold_slot(guest)
    clock.advance(minutes=32)
    other = stripe_app.test_client()
    winner_session = hold_slot(other)
    stripe_server.complete_session(winner_session)
    deliver(other, stripe_server.event("checkout.session.completed", winner_session))
    stripe_server.complete_session(late_session, discount_minor=DISCOUNT)
    deliver(guest, stripe_server.event("checkout.session.completed", late_session))
    [refund] = stripe_server.refunds.values()
    with stripe_app.app_context():
        late = get_session().exec(select(Booking).order_by(Booking.id)).first()
    assert refund["amount"] == PAID == late.refunded_minor and late.payment_state == "refunded"
    apology = [email for email in emails(stripe_app) if email.subject.startswith("We are sorry")]
    assert "USD 360.00" in apology[0].text_body


def test_no_refund_is_ever_above_what_was_paid(stripe_app, guest, stripe_server):
    paid_with_a_promotion_code(guest, stripe_server)
    with stripe_app.app_context():
        db = get_session()
        booking = db.exec(select(Booking)).one()
        for asked in (LIST_PRICE, 1, LIST_PRICE):  # the list price, then more after the whole
            issue_refund(
                session=db,
                provider=current_provider(),
                booking=booking,
                amount_minor=asked,
                now=app_now(),
            )
        db.commit()
    booking = stored(stripe_app)
    assert booking.refund_requested_minor == booking.refunded_minor == PAID
    assert refunded_at_stripe(stripe_server) == PAID and len(stripe_server.refunds) == 1


def test_a_checkout_discounted_to_nothing_confirms_and_refunds_nothing(
    stripe_app, guest, stripe_server, make_user
):
    paid_with_a_promotion_code(guest, stripe_server, discount=LIST_PRICE)
    booking = stored(stripe_app)
    assert booking.status == "confirmed" and booking.paid_minor == 0
    consultant = signed_in_client(stripe_app, make_user(role="consultant"))
    page = consultant.get(f"/admin/bookings/{booking.public_id}/").get_data(as_text=True)
    consultant.post(
        f"/admin/bookings/{booking.public_id}/cancel",
        data={"refund": "full", "csrf_token": csrf_token_from(page)},
    )
    assert stored(stripe_app).status == "cancelled" and stripe_server.refunds == {}
