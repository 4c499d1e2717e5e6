"""The private link to manage a booking, kept in the session of the browser that made it, so the
booking's page can show it there (the database keeps only its hash).
"""

from __future__ import annotations

from flask import session as browser_session

from consult.booking.models import Booking

MANAGE_LINKS_KEY = "booking_manage_links"
# The bookings whose private link this browser keeps (a guest books a few in a row at most).
MANAGE_LINKS_KEPT = 5


def remember_manage_link(booking: Booking, token: str) -> None:
    """Keep in this browser's session the private link made for the booking it has just made,
    so that its page can show it (only its hash is in the database).
    """
    kept = browser_session.get(MANAGE_LINKS_KEY)
    others = [
        pair for pair in (kept if isinstance(kept, list) else []) if pair[:1] != [booking.public_id]
    ]
    browser_session[MANAGE_LINKS_KEY] = [*others, [booking.public_id, token]][-MANAGE_LINKS_KEPT:]


def remembered_manage_link(booking: Booking) -> str | None:
    """The private link's token this browser was given for the booking, if any."""
    kept = browser_session.get(MANAGE_LINKS_KEY)
    for pair in kept if isinstance(kept, list) else []:
        if isinstance(pair, list) and len(pair) == 2 and pair[0] == booking.public_id:
            return pair[1] if isinstance(pair[1], str) else None
    return None
