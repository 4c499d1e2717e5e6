"""One count of moves for a booking: the consultant's moves use up the guest's allowance
(`max_reschedules`, 2 in the tests' site), and the guest's pages and the admin read the same
number; the limit binds the guest, never the consultant.
"""

import re

import pytest

from tests.conftest import csrf_token_from, signed_in_client
from tests.web.booking_flow import book, bookings, manage_path


@pytest.fixture
def consultant(booking_app, make_user):
    return signed_in_client(booking_app, make_user(role="consultant"))


def move_to_first_time_on(client, page_path, day):
    """Open a move page (the guest's or the consultant's) on `day` and take its first time."""
    separator = "&" if "?" in page_path else "?"
    page = client.get(f"{page_path}{separator}date={day}").get_data(as_text=True)
    start = re.search(r'name="start" value="([^"]+)"', page).group(1)
    moves_made = re.search(r'name="moves_made" value="(\d+)"', page).group(1)
    return client.post(
        f"{page_path}{separator}date={day}",
        data={"start": start, "moves_made": moves_made, "csrf_token": csrf_token_from(page)},
    )


def text_of(client, path):
    return " ".join(client.get(path).get_data(as_text=True).split())


def test_the_consultants_moves_count_against_the_guests_and_both_sides_agree(
    booking_app, guest, consultant
):
    assert book(guest, "discovery-call", "2026-11-30T09:00:00-06:00").status_code == 303
    [booking] = bookings(booking_app)
    admin_page = f"/admin/bookings/{booking.public_id}/"
    admin_move = f"/admin/bookings/{booking.public_id}/move"
    assert "the guest may move it 2 more times" in text_of(consultant, admin_page)
    assert "this one leaves them 1 of the 2 the policy allows" in text_of(consultant, admin_move)

    assert move_to_first_time_on(consultant, admin_move, "2026-12-01").status_code == 303
    guest_page = manage_path(booking_app)  # the link of the e-mail about the move
    assert "You can move this booking 1 more time," in text_of(guest, guest_page)
    assert "Moved</dt><dd>1 time, by the guest or by you; the guest may move it 1 more time" in (
        text_of(consultant, admin_page)
    )

    guest_move = guest_page + "/move?tz=America/Chicago"
    assert move_to_first_time_on(guest, guest_move, "2026-12-02").status_code == 303
    assert "moved as often as the policy allows" in text_of(guest, guest_page)
    assert "the guest has used every move the policy allows (2)" in text_of(consultant, admin_page)
    refused = move_to_first_time_on(guest, guest_move, "2026-12-03")
    assert refused.status_code == 409
    assert "moved 2 times, the most the policy allows" in refused.get_data(as_text=True)

    # The limit does not bind the consultant; it is shown to her, and her move still counts.
    assert "which does not bind you" in text_of(consultant, admin_move)
    assert move_to_first_time_on(consultant, admin_move, "2026-12-03").status_code == 303
    assert bookings(booking_app)[0].reschedule_count == 3
    assert "3 times, by the guest or by you" in text_of(consultant, admin_page)


def test_both_move_pages_offer_the_times_the_booking_itself_blocks(booking_app, guest, consultant):
    """A booking at 09:00 (30 minutes and a 15-minute buffer) may move to 09:30 the same day: on
    either move page its own time is free to leave.
    """
    assert book(guest, "discovery-call", "2026-12-01T09:00:00-06:00").status_code == 303
    [booking] = bookings(booking_app)
    admin = consultant.get(f"/admin/bookings/{booking.public_id}/move?date=2026-12-01")
    own = guest.get(manage_path(booking_app) + "/move?tz=America/Chicago&date=2026-12-01")
    for page in (admin, own):
        assert 'value="2026-12-01T09:30:00-06:00"' in page.get_data(as_text=True)
