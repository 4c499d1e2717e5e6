"""A hypothesis state machine over a booking's life: book, hold, pay, expire, cancel, move and
webhook replay, one at a time and two at once, with the rules checked after every step.

Guests act through the site (the test client): booking, the payment return page, moving and
cancelling from the e-mailed link. What Stripe would do arrives as the webhook handler would
run it (fulfilment with the local test provider), and the consultant cancels through the
service the admin page calls. The clock is the app's fake one. `Operations` runs each step;
`BookingMachine` chooses them and checks the invariants (see `invariants.py`).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from threading import Barrier
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
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
from tests.stateful.invariants import check_invariants

SITE_ZONE = ZoneInfo("America/Chicago")
DAYS = (date(2026, 11, 30), date(2026, 12, 1))
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
    """Empty every table and lay out the demo calendar, with the working session capped at 2."""
    clock.now = start
    engine = make_engine(app.extensions["consult.settings"].database_url)
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
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
        response = self.app.test_client().post(
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


GUESTS = st.integers(0, 1_000)  # which booking, drawn the same whatever the machine holds


class BookingMachine(RuleBasedStateMachine):
    """Configured by subclassing with `app`, `clock` and `tally` (a Counter of what happened);
    one example is one fresh calendar.

    Draws never depend on outcomes (races make those vary): a booking is chosen by a number
    taken modulo how many there are, and a step with nothing to act on does nothing.
    """

    app = clock = tally = None
    start = datetime.fromisoformat("2026-11-25T15:00:00+00:00")

    def __init__(self):
        super().__init__()
        reset_database(self.app, self.clock, self.start)
        self.site = Operations(self.app, self.clock)
        self.guests: list[Guest] = []
        self.numbers = iter(range(10_000))  # each attempt its own guest, e-mail and organisation

    def _note(self, what: str) -> None:
        self.tally[what] += 1

    def _guest(self, choice: int, *statuses: str) -> Guest | None:
        """The `choice`-th guest (modulo), among those whose booking has one of `statuses`."""
        wanted = self.site.with_status(self.guests, statuses) if statuses else self.guests
        return wanted[choice % len(wanted)] if wanted else None

    @rule(slug=st.sampled_from(SLUGS), day=st.sampled_from(DAYS), slot=st.integers(0, 14))
    def book(self, slug, day, slot):
        outcome, guest = self.site.book(next(self.numbers), slug, day, slot)
        if guest is not None:
            self.guests.append(guest)
        self._note(f"book {outcome}")

    @rule(slug=st.sampled_from(SLUGS[1:]), day=st.sampled_from(DAYS), slot=st.integers(0, 14))
    def book_and_pay(self, slug, day, slot):
        """The usual path: a guest books a paid type and pays at once."""
        outcome, guest = self.site.book(next(self.numbers), slug, day, slot)
        if guest is not None:
            self.guests.append(guest)
            outcome = self.site.pay(guest)
        self._note(f"book and pay: {outcome}")

    @rule(choice=GUESTS)
    def pay(self, choice):
        if guest := self._guest(choice, "held", "expired"):
            self._note(f"pay: {self.site.pay(guest)}")

    @rule(choice=GUESTS)
    def replay_webhook(self, choice):
        if guest := self._guest(choice):
            self._note(f"replay: {self.site.replay_webhook(guest)}")

    @rule(choice=GUESTS)
    def return_page(self, choice):
        if guest := self._guest(choice):
            self._note(self.site.return_page(guest))

    @rule(choice=GUESTS)
    def checkout_expires(self, choice):
        if guest := self._guest(choice, "held"):
            self._note(f"checkout expired: {self.site.checkout_expires(guest)}")

    @rule(minutes=st.sampled_from([5, 20, 32, 60]), then_sweep=st.booleans())
    def time_passes(self, minutes, then_sweep):
        """Time passes (holds last 31 minutes), and perhaps cron's sweep runs."""
        self.clock.advance(minutes=minutes)
        if then_sweep:
            self._note(self.site.sweep())

    @rule(choice=GUESTS, then_sweep=st.booleans())
    def pays_after_the_hold_lapsed(self, choice, then_sweep):
        """An async payment method settles after the hold: the time is kept if still free (and
        the day not full), else the payment is refunded in full.
        """
        if guest := self._guest(choice, "held"):
            self.clock.advance(minutes=32)
            if then_sweep:
                self.site.sweep()
            self._note(f"late pay: {self.site.pay(guest)}")

    @rule(
        slug=st.sampled_from(SLUGS[1:]),
        day=st.sampled_from(DAYS),
        slots=st.tuples(*[st.integers(0, 14)] * 2),
        then_sweep=st.booleans(),
    )
    def another_guest_books_while_a_payment_is_late(self, slug, day, slots, then_sweep):
        """A paid hold lapses, another guest books the same time or another of that day (which a
        capped type may then have full), then the first payment settles: the time is kept if
        it can be, else the payment is refunded in full.
        """
        outcome, late = self.site.book(next(self.numbers), slug, day, slots[0])
        if late is None:
            return
        self.guests.append(late)
        self.clock.advance(minutes=32)
        if then_sweep:
            self.site.sweep()
        outcome, other = self.site.book(next(self.numbers), slug, day, slots[1])
        if other is not None:
            self.guests.append(other)
        self._note(f"late payment after another {outcome}: {self.site.pay(late)}")

    @rule(choice=GUESTS, day=st.sampled_from(DAYS), slot=st.integers(0, 14))
    def move(self, choice, day, slot):
        if guest := self._guest(choice, "confirmed"):
            start = self._move_target(guest, day, slot)
            self._note(self.site.move(guest, start, self.site.moves_shown(guest)))

    def _move_target(self, guest: Guest, day: date, slot: int) -> str:
        """Mostly a time the move page offers (any, when it offers none)."""
        offered = self.site.free_times(guest, day)
        return offered[slot % len(offered)] if offered and slot else start_at(day, slot).isoformat()

    @rule(choice=GUESTS, by_guest=st.booleans(), refund=st.booleans())
    def cancel(self, choice, by_guest, refund):
        if guest := self._guest(choice, "confirmed"):
            if by_guest:
                self._note(self.site.cancel_as_guest(guest))
            else:
                self._note(self.site.cancel_as_consultant(guest, refund))

    @rule(choice=GUESTS, day=st.sampled_from(DAYS), slots=st.tuples(*[st.integers(0, 14)] * 2))
    def two_moves_at_once(self, choice, day, slots):
        """Two tabs move one booking at once, from the same page: at most one wins."""
        if guest := self._guest(choice, "confirmed"):
            shown = self.site.moves_shown(guest)
            starts = [self._move_target(guest, day, slot) for slot in slots]
            outcomes = at_once(
                *(lambda start=start: self.site.move(guest, start, shown) for start in starts)
            )
            assert outcomes.count("moved") <= 1, outcomes
            self._note(f"two moves: {sorted(outcomes)}")

    @rule(choice=GUESTS, refund=st.booleans())
    def cancelled_from_two_places_at_once(self, choice, refund):
        """The guest and the consultant cancel one booking at once: at most one does."""
        if guest := self._guest(choice, "confirmed"):
            outcomes = at_once(
                lambda: self.site.cancel_as_guest(guest),
                lambda: self.site.cancel_as_consultant(guest, refund),
            )
            assert outcomes.count("cancelled") <= 1, outcomes
            self._note(f"two cancels: {sorted(outcomes)}")

    @rule(choice=GUESTS, other=st.sampled_from(["sweep", "expire", "replay", "return"]))
    def paid_while_something_else_happens(self, choice, other):
        """The payment lands while the sweep runs, the checkout expires or an event is replayed."""
        if guest := self._guest(choice, "held"):
            meanwhile = {
                "sweep": self.site.sweep,
                "expire": lambda: self.site.checkout_expires(guest),
                "replay": lambda: self.site.replay_webhook(guest),
                "return": lambda: self.site.return_page(guest),
            }[other]
            outcomes = at_once(lambda: self.site.pay(guest), meanwhile)
            self._note(f"pay while {other}: {outcomes[0]}")

    @rule(
        slug=st.sampled_from(SLUGS),
        day=st.sampled_from(DAYS),
        slots=st.lists(st.integers(0, 14), min_size=2, max_size=4, unique=True),
    )
    def many_book_one_day_at_once(self, slug, day, slots):
        """Several guests book different times of one day at once."""
        numbers = [next(self.numbers) for _ in slots]
        results = at_once(
            *(
                lambda number=number, slot=slot: self.site.book(number, slug, day, slot)
                for number, slot in zip(numbers, slots, strict=True)
            )
        )
        booked = [guest for _, guest in results if guest is not None]
        self.guests.extend(sorted(booked, key=lambda guest: guest.number))
        self._note(f"{len(booked)} of {len(slots)} booked at once")

    @invariant()
    def the_rules_hold(self):
        with self.app.app_context():
            check_invariants(get_session(), self.guests)
