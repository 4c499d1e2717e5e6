"""A hypothesis state machine over a booking's life: book, hold, pay, expire, cancel, move and
webhook replay, one at a time and two at once, with the rules checked after every step.

The steps run as the site runs them (`booking_steps.py`); the clock is the app's fake one;
the invariants are in `invariants.py`.
"""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from consult.db import get_session
from tests.stateful.booking_steps import (
    DAYS,
    SLUGS,
    Guest,
    Operations,
    at_once,
    reset_database,
    start_at,
)
from tests.stateful.invariants import check_invariants

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
        same_time=st.booleans(),
        then_sweep=st.booleans(),
    )
    def another_guest_books_while_a_payment_is_late(self, slug, day, slots, same_time, then_sweep):
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
        other_slot = slots[0] if same_time else slots[1]
        outcome, other = self.site.book(next(self.numbers), slug, day, other_slot)
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

    @rule(choice=GUESTS, day=st.sampled_from(DAYS), slot=st.integers(0, 14))
    def moved_in_one_tab_and_cancelled_in_another_at_once(self, choice, day, slot):
        """Whichever lands first, the other sees it: a cancelled booking is not moved, and a
        moved one is cancelled with its new time freed.
        """
        if guest := self._guest(choice, "confirmed"):
            shown = self.site.moves_shown(guest)
            start = self._move_target(guest, day, slot)
            outcomes = at_once(
                lambda: self.site.move(guest, start, shown),
                lambda: self.site.cancel_as_guest(guest),
            )
            self._note(f"move and cancel: {sorted(outcomes)}")

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

    @rule(
        slug=st.sampled_from(SLUGS[1:]),
        day=st.sampled_from(DAYS),
        slot=st.integers(0, 14),
        lapsed=st.booleans(),
        other=st.sampled_from(["sweep", "expire", "replay", "return"]),
    )
    def paid_while_something_else_happens(self, slug, day, slot, lapsed, other):
        """A guest holds a time; the payment lands (perhaps after the hold lapsed) while the
        sweep runs, the checkout expires, an event is replayed or the guest comes back.
        """
        outcome, guest = self.site.book(next(self.numbers), slug, day, slot)
        if guest is None:
            return
        self.guests.append(guest)
        if lapsed:
            self.clock.advance(minutes=32)
        meanwhile = {
            "sweep": self.site.sweep,
            "expire": lambda: self.site.checkout_expires(guest),
            "replay": lambda: self.site.replay_webhook(guest),
            "return": lambda: self.site.return_page(guest),
        }[other]
        outcomes = at_once(lambda: self.site.pay(guest), meanwhile)
        self._note(f"pay while {other}{' (lapsed)' if lapsed else ''}: {outcomes[0]}")

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
