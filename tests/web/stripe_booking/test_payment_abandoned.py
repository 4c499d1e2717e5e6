"""A guest who leaves the payment page gets the time given back at once: the checkout is expired
through the provider's API first, so it can no longer be paid, and the page offers the same time
again with the guest's answers, in the guest's own zone.
"""

import re
from urllib.parse import urlencode, urlsplit

from tests.web.booking_flow import GUEST, book, free_slots
from tests.web.stripe_booking.stripe_steps import confirmations, hold_slot, stored

SLUG = "leadership-strategy-session"
DAY = "2026-11-30"


def cancel_path(stripe_server, session_id):
    return urlsplit(stripe_server.sessions[session_id]["cancel_url"]).path


def test_leaving_the_payment_page_expires_the_checkout_and_frees_the_time(guest, stripe_server):
    start = free_slots(guest, SLUG, DAY)[0]
    session_id = hold_slot(guest)
    assert start not in free_slots(guest, SLUG, DAY)

    page = guest.get(cancel_path(stripe_server, session_id))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "is free again for anyone to book" in html
    assert stripe_server.sessions[session_id]["status"] == "expired"
    assert stripe_server.requests_to("POST", f"/v1/checkout/sessions/{session_id}/expire")
    assert start in free_slots(guest, SLUG, DAY)
    assert stored(guest.application).status == "expired"

    guest.get(cancel_path(stripe_server, session_id))  # again: nothing more to do
    assert len(stripe_server.requests_to("POST", f"/v1/checkout/sessions/{session_id}/expire")) == 1


def test_the_page_offers_the_same_time_again_with_the_answers_kept(guest, stripe_server):
    start = free_slots(guest, SLUG, DAY, tz="Asia/Kolkata")[0]
    response = book(guest, SLUG, start, tz="Asia/Kolkata", phone="+1 555 0100")
    session_id = response.headers["Location"].rsplit("/", 1)[-1]
    html = guest.get(cancel_path(stripe_server, session_id)).get_data(as_text=True)
    assert "(Asia/Kolkata)" in html  # the guest's zone, not the consultant's

    href = re.search(r'href="([^"]+)">Book this time again', html).group(1).replace("&amp;", "&")
    form = guest.get(href).get_data(as_text=True)
    assert f'value="{GUEST["name"]}"' in form and f'value="{GUEST["email"]}"' in form
    assert 'value="+1 555 0100"' in form and GUEST["intake_what_matters"] in form
    policy = re.search(r'<input[^>]*name="accept_policy"[^>]*>', form).group(0)
    assert "checked" not in policy  # the policy is accepted anew each time


def test_a_checkout_paid_in_another_tab_is_confirmed_not_released(guest, stripe_server):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    html = guest.get(cancel_path(stripe_server, session_id)).get_data(as_text=True)
    assert "Your payment did go through after all" in html
    assert stored(guest.application).status == "confirmed"
    assert confirmations(guest.application) == 1


def test_when_stripe_cannot_be_reached_the_hold_stays_and_the_page_says_until_when(
    guest, stripe_server
):
    start = free_slots(guest, SLUG, DAY)[0]
    session_id = hold_slot(guest)
    stripe_server.fail_next(2)  # the SDK retries once
    page = guest.get(cancel_path(stripe_server, session_id))
    assert page.status_code == 200 and "stays held for you until" in page.get_data(as_text=True)
    assert stored(guest.application).status == "held"
    assert start not in free_slots(guest, SLUG, DAY)


def test_the_answers_of_a_booking_still_held_are_never_offered(guest, stripe_server):
    hold_slot(guest)
    public_id = stored(guest.application).public_id
    start = free_slots(guest, SLUG, "2026-12-01")[0]
    path = f"/book/{SLUG}/details?" + urlencode({"start": start, "again": public_id})
    form = guest.get(path).get_data(as_text=True)
    assert 'name="email"' in form and GUEST["email"] not in form
