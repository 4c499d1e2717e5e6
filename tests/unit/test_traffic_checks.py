"""The traffic run's checks on hand-made rows: each finds the fault it is for, and only that."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bench.traffic.checks import (
    BookingRow,
    CheckoutRow,
    EmailRow,
    calendar_uid,
    confirmation_problems,
    days_over_maximum,
    live_holds_over_caps,
    overlapping_bookings,
    payment_problems,
)
from bench.traffic.tally import NO_ANSWER, failed_answers, limits_that_did_not_fire
from bench.traffic.verdicts import verdicts

CHICAGO = ZoneInfo("America/Chicago")
NOON = datetime(2027, 3, 2, 18, tzinfo=UTC)  # 12:00 in Chicago
NOW = datetime(2027, 2, 20, 12, tzinfo=UTC)


def booking(public_id, start=NOON, minutes=60, status="confirmed", **fields):
    return BookingRow(
        public_id=public_id,
        consultation_type=fields.pop("consultation_type", "discovery-call"),
        status=status,
        starts_at=start,
        occupies_from=start,
        occupies_until=start + timedelta(minutes=minutes),
        guest_email=fields.pop("guest_email", f"{public_id}@example.org"),
        confirmed_at=NOW if status == "confirmed" else None,
        **fields,
    )


def confirmation(public_id, message_id=None, to=None):
    return EmailRow(
        message_id=message_id or f"<{public_id}@mail>",
        to_address=to or f"{public_id}@example.org",
        subject="Confirmed: Discovery call",
        calendar_uids=(calendar_uid(public_id),),
    )


def test_live_bookings_that_overlap_are_found_and_touching_or_dead_ones_are_not():
    bookings = [
        booking("first"),
        booking("touching", start=NOON + timedelta(minutes=60)),
        booking("cancelled", start=NOON + timedelta(minutes=30), status="cancelled"),
        booking("expired", start=NOON + timedelta(minutes=30), status="expired"),
    ]
    assert overlapping_bookings(bookings) == []
    held = booking("held", start=NOON + timedelta(minutes=90), status="held")
    assert overlapping_bookings([*bookings, held]) == [
        f"touching and held overlap at {NOON + timedelta(minutes=90)}"
    ]


def test_a_long_booking_overlapping_a_later_one_past_a_short_one_is_found():
    long = booking("long", minutes=240)
    short = booking("short", start=NOON + timedelta(minutes=30), minutes=30)
    later = booking("later", start=NOON + timedelta(minutes=180))
    problems = overlapping_bookings([later, short, long])
    assert len(problems) == 2 and all(problem.startswith("long and") for problem in problems)


def test_the_daily_maximum_counts_live_bookings_per_consultant_local_day():
    evening = datetime(2027, 3, 3, 3, tzinfo=UTC)  # still 2 March in Chicago (21:00)
    bookings = [booking("noon"), booking("evening", start=evening)]
    assert days_over_maximum(bookings, {"discovery-call": 2}, CHICAGO) == []
    assert days_over_maximum(bookings, {"discovery-call": None}, CHICAGO) == []
    assert days_over_maximum(bookings, {"discovery-call": 1}, CHICAGO) == [
        "discovery-call on 2027-03-02: 2 live, at most 1"
    ]
    in_utc = days_over_maximum(bookings, {"discovery-call": 1}, ZoneInfo("UTC"))
    assert in_utc == []  # two days there
    dead = [booking("noon"), booking("evening", start=evening, status="cancelled")]
    assert days_over_maximum(dead, {"discovery-call": 1}, CHICAGO) == []


def test_live_holds_are_capped_per_client_and_per_email_and_lapsed_ones_do_not_count():
    def hold(public_id, address, email, expires=NOW + timedelta(minutes=10)):
        return booking(
            public_id,
            status="held",
            client_address=address,
            guest_email=email,
            hold_expires_at=expires,
        )

    holds = [hold(f"h{n}", "10.0.0.1", f"g{n}@example.org") for n in range(3)]
    holds.append(hold("lapsed", "10.0.0.1", "g9@example.org", expires=NOW))
    assert live_holds_over_caps(holds, now=NOW, per_client=3, per_email=2) == []
    holds += [hold("x", "10.0.0.2", "g0@example.org"), hold("y", "10.0.0.3", "g0@example.org")]
    assert live_holds_over_caps(holds, now=NOW, per_client=2, per_email=2) == [
        "client 10.0.0.1 keeps 3 live holds (at most 2)",
        "g0@example.org keeps 3 live holds (at most 2)",
    ]


def test_each_confirmed_booking_needs_exactly_one_confirmation_delivered_once():
    confirmed = [booking("one"), booking("two"), booking("three"), booking("four")]
    unconfirmed = booking("held", status="held")
    seeded = booking("seeded", made_in_run=False)
    emails = [
        confirmation("one"),
        confirmation("three"),
        confirmation("three", message_id="<again@mail>"),
        confirmation("four"),
        confirmation("held"),
        confirmation("two", to="consultant@example.org"),  # not the guest's: does not count
    ]
    delivered = Counter({"<one@mail>": 1, "<three@mail>": 1, "<again@mail>": 1, "<four@mail>": 2})
    delivered["<held@mail>"] = 1
    assert confirmation_problems([*confirmed, unconfirmed, seeded], emails, delivered) == [
        "two (confirmed): 0 confirmation e-mails",
        "three (confirmed): 2 confirmation e-mails",
        "four: its confirmation was delivered 2 times",
        "held (held): 1 confirmation e-mails",
    ]
    assert confirmation_problems([confirmed[0]], emails[:1], Counter()) == [
        "one: its confirmation was delivered 0 times"
    ]


def paid(public_id, session_id, amount=45000, **fields):
    return booking(
        public_id,
        amount_minor=amount,
        paid_minor=amount,
        payment_state="paid",
        checkout_session_id=session_id,
        **fields,
    )


def checkout(session_id, reference, amount=45000, status="complete", payment_status="paid"):
    return CheckoutRow(session_id, reference, status, payment_status, amount)


def test_payments_match_one_paid_checkout_each():
    bookings = [paid("a", "cs_a"), booking("free")]
    checkouts = [checkout("cs_a", "a"), checkout("cs_open", "free", 0, "open", "unpaid")]
    assert payment_problems(bookings, checkouts) == []


def test_payment_faults_are_each_found():
    bookings = [
        paid("no_checkout", "cs_missing"),
        paid("unpaid_checkout", "cs_unpaid"),
        paid("wrong_amount", "cs_wrong", amount=25000),
        booking("confirmed_unpaid", amount_minor=25000, payment_state="unpaid"),
        booking("charged_twice", amount_minor=25000, payment_state="unpaid", status="held"),
    ]
    checkouts = [
        checkout("cs_unpaid", "unpaid_checkout", payment_status="unpaid"),
        checkout("cs_wrong", "wrong_amount", amount=45000),
        checkout("cs_twice_1", "charged_twice", 25000),
        checkout("cs_twice_2", "charged_twice", 25000),
    ]
    assert payment_problems(bookings, checkouts) == [
        "no_checkout is paid with no paid checkout",
        "unpaid_checkout is paid with no paid checkout",
        "wrong_amount recorded 25000, the checkout took 45000",
        "confirmed_unpaid is unpaid with no paid checkout",
        "charged_twice was charged 2 times",
        "checkout cs_twice_1 was paid, its booking is unpaid",
        "checkout cs_twice_2 was paid, its booking is unpaid",
    ]


def test_failed_answers_are_5xx_and_silence_and_each_abuse_needs_a_429():
    statuses = {
        "read: home": Counter({200: 5, 502: 1}),
        "book: details": Counter({303: 2, 409: 3, NO_ANSWER: 1}),
        "abuse: form": Counter({422: 10, 429: 2}),
        "abuse: sign-in": Counter({422: 12}),
    }
    assert failed_answers(statuses) == 2
    assert limits_that_did_not_fire(statuses, "abuse: ") == ["abuse: sign-in got no 429: {422: 12}"]


def test_a_clean_run_passes_every_verdict_and_one_fault_fails_its_own():
    clean = {
        "bookings": [paid("a", "cs_a", consultation_type="leadership-strategy-session")],
        "emails": [confirmation("a")],
        "deliveries": Counter({"<a@mail>": 1}),
        "checkouts": [checkout("cs_a", "a")],
        "statuses": {"abuse: form": Counter({429: 1}), "read: home": Counter({200: 3})},
    }
    settings = {
        "abuse_prefix": "abuse: ",
        "maxima": {"leadership-strategy-session": 1},
        "zone": CHICAGO,
        "now": NOW,
        "holds_per_client": 3,
        "holds_per_email": 2,
        "logged_errors": [],
        "simulation_errors": [],
    }
    assert all(check.passed for check in verdicts(**clean, **settings))
    lost_mail = verdicts(**{**clean, "deliveries": Counter()}, **settings)
    assert [check.name for check in lost_mail if not check.passed] == [
        "one confirmation e-mail per confirmed booking"
    ]
