"""The steps of the booking state machine, each run the way the site runs it.

Guests act through the site (the test client): booking, the payment return page, moving and
cancelling from the e-mailed link. What Stripe would do arrives as the webhook handler runs
it (fulfilment with the local test provider), and the consultant cancels through the service
the admin page calls.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from threading import Barrier
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from consult.booking.changes import ChangeNotAllowed, cancel_booking
from consult.booking.fulfilment import fulfil_checkout
from consult.booking.models import Booking, ConsultationType
from consult.booking.service import sweep_expired_holds
from consult.db import begin_as_writer, get_session, make_engine
from consult.demo import add_demo_booking_calendar
from consult.mail.models import OutboxEmail
from consult.models import metadata
from consult.payments.test_provider import LocalTestProvider
from consult.site.change_counters import every_table_changed

SITE_ZONE = ZoneInfo("America/Chicago")
DAYS = (date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2))
SLUGS = ("discovery-call", "leadership-strategy-session", "working-session")
MANAGE_LINK = re.compile(r"http://consult\.test(/book/manage/\S+)")


@dataclass
class Guest:
    """What the machine knows of one booking a guest made, and what the site answered them."""

    number: int
    slug: str
    public_id: str
    checkout_session_id: str | None
    moves_won: int = 0
    cancellations_won: int = 0

    @property
    def email(self) -> str:
        return f"guest{self.number}@example.org"


def start_at(day: date, slot: int) -> datetime:
    """Slot 0 is 09:00 in the consultant's zone, each next one 30 minutes later (to 16:00)."""
    return datetime.combine(day, time(9), tzinfo=SITE_ZONE) + timedelta(minutes=30 * slot)


def reset_database(app, clock, start) -> None:
    """Empty every table but the append-only audit log and lay out the demo calendar, with the
    working session capped at 2.
    """
    clock.now = start
    engine = make_engine(app.extensions["consult.settings"].database_url)
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            if table.name != "audit_log":
                connection.execute(table.delete())
    settings = app.extensions["consult.settings"]
    every_table_changed(
        metadata.tables,
        storage_uri=settings.ratelimit_storage_uri,
        database_url=settings.database_url,
    )
    with Session(engine) as session:
        add_demo_booking_calendar(session)
        session.flush()
        working = session.exec(
            select(ConsultationType).where(ConsultationType.slug == "working-session")
        ).one()
        working.max_per_day = 2
        session.add(working)
        session.commit()
    engine.dispose()


class Operations:
    """Each step as the site runs it; each returns a word for what happened."""

    def __init__(self, app, clock):
        self.app, self.clock = app, clock

    def _site_zone(self):
        return self.app.extensions["consult.site"].time_zone

    def book(self, guest_number: int, slug: str, day: date, slot: int):
        start = start_at(day, slot).isoformat()
        # Each guest books from a browser of their own: the cap on live holds per client
        # address is not what this machine explores.
        browser = self.app.test_client()
        browser.environ_base["REMOTE_ADDR"] = (
            f"10.{guest_number // 250 % 250}.{guest_number % 250}.1"
        )
        response = browser.post(
            f"/book/{slug}/details?" + urlencode({"start": start, "tz": SITE_ZONE.key}),
            data={
                "name": f"Guest {guest_number}",
                "email": f"guest{guest_number}@example.org",
                "organisation": f"Org {guest_number}",
                "role": "Director",
                "accept_policy": "y",
                "intake_what_matters": "Being heard.",
                "start": start,
                "tz": SITE_ZONE.key,
            },
        )
        assert response.status_code in (303, 409), response.get_data(as_text=True)[:500]
        if response.status_code == 409:
            return "refused", None
        with self.app.app_context():
            booking = (
                get_session()
                .exec(
                    select(Booking).where(Booking.guest_email == f"guest{guest_number}@example.org")
                )
                .one()
            )
            return "booked", Guest(
                guest_number, slug, booking.public_id, booking.checkout_session_id
            )

    def _as_webhook(self, guest: Guest, *, pay: bool = False, expire: bool = False) -> str:
        """What the webhook handler does for a checkout event (the provider's state first)."""
        if guest.checkout_session_id is None:
            return "free"
        with self.app.test_request_context():
            db = get_session()
            begin_as_writer(db)
            provider = LocalTestProvider(db)
            if pay:
                provider.pay(guest.checkout_session_id)
            if expire:
                provider.expire_checkout(guest.checkout_session_id)
            booking = fulfil_checkout(
                session=db,
                provider=provider,
                checkout_session_id=guest.checkout_session_id,
                site_time_zone=self._site_zone(),
                practice_name=self.app.extensions["consult.site"].practice_name,
                now=self.clock(),
            )
            db.commit()
            return f"{booking.status}, {booking.payment_state}" if booking else "unknown"

    def pay(self, guest: Guest) -> str:
        """The guest pays (late too: an async payment method can settle after the hold)."""
        return self._as_webhook(guest, pay=True)

    def replay_webhook(self, guest: Guest) -> str:
        return self._as_webhook(guest)

    def checkout_expires(self, guest: Guest) -> str:
        return self._as_webhook(guest, expire=True)

    def return_page(self, guest: Guest) -> str:
        if guest.checkout_session_id is None:
            return "free"
        response = self.app.test_client().get(
            "/book/return?" + urlencode({"session_id": guest.checkout_session_id})
        )
        assert response.status_code == 303, response.status_code
        return "returned"

    def sweep(self) -> str:
        """`bookings sweep`, as cron runs it."""
        with self.app.app_context():
            db = get_session()
            begin_as_writer(db)
            released = sweep_expired_holds(session=db, now=self.clock())
            db.commit()
        return "swept" if released else "nothing to sweep"

    def manage_path(self, guest: Guest) -> str | None:
        with self.app.app_context():
            confirmation = (
                get_session()
                .exec(
                    select(OutboxEmail).where(
                        OutboxEmail.to_address == guest.email,
                        col(OutboxEmail.subject).startswith("Confirmed"),
                    )
                )
                .first()
            )
        return MANAGE_LINK.search(confirmation.text_body).group(1) if confirmation else None

    def with_status(self, guests: list[Guest], statuses: tuple[str, ...]) -> list[Guest]:
        with self.app.app_context():
            having = set(
                get_session().exec(
                    select(Booking.public_id).where(col(Booking.status).in_(statuses))
                )
            )
        return [guest for guest in guests if guest.public_id in having]

    def moves_shown(self, guest: Guest) -> int:
        """How often the booking had moved, as the guest's move page shows it now."""
        with self.app.app_context():
            booking = (
                get_session()
                .exec(select(Booking).where(Booking.public_id == guest.public_id))
                .one()
            )
            return booking.reschedule_count

    def free_times(self, guest: Guest, day: date) -> list[str]:
        """The times the guest's move page offers on `day`."""
        response = self.app.test_client().get(
            f"/book/{guest.slug}/slots.json?" + urlencode({"date": day, "tz": SITE_ZONE.key})
        )
        return response.get_json()["slots"]

    def move(self, guest: Guest, start: str, moves_shown: int) -> str:
        path = self.manage_path(guest)
        if path is None:
            return "no link yet"
        day = datetime.fromisoformat(start).date()
        response = self.app.test_client().post(
            f"{path}/move?" + urlencode({"tz": SITE_ZONE.key, "date": day.isoformat()}),
            data={"start": start, "moves_made": str(moves_shown)},
        )
        assert response.status_code in (303, 409), response.get_data(as_text=True)[:500]
        if response.status_code == 303:
            guest.moves_won += 1
            return "moved"
        return "move refused"

    def cancel_as_guest(self, guest: Guest) -> str:
        path = self.manage_path(guest)
        if path is None:
            return "no link yet"
        response = self.app.test_client().post(f"{path}/cancel")
        assert response.status_code in (303, 409), response.get_data(as_text=True)[:500]
        if response.status_code == 303:
            guest.cancellations_won += 1
            return "cancelled"
        return "cancel refused"

    def cancel_as_consultant(self, guest: Guest, refund: bool) -> str:
        """What the admin page's "Cancel" runs."""
        with self.app.test_request_context():
            db = get_session()
            begin_as_writer(db)
            booking = db.exec(select(Booking).where(Booking.public_id == guest.public_id)).one()
            try:
                cancel_booking(
                    session=db,
                    provider=LocalTestProvider(db),
                    booking=booking,
                    by="consultant",
                    now=self.clock(),
                    tiers=self.app.extensions["consult.site"].refund_tiers,
                    refund=refund,
                )
            except ChangeNotAllowed:
                return "cancel refused"
            db.commit()
        guest.cancellations_won += 1
        return "cancelled"


def at_once(*calls):
    """Run the zero-argument calls in threads released together; their results."""
    barrier = Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))
