"""The booking state machine, run on SQLite and on PostgreSQL (see booking_machine.py).

The examples are derandomised, so CI explores the same cases each run and never flakes on
what it happens to draw; the tally afterwards shows the machine really reached every path.
"""

from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.stateful.booking_machine import BookingMachine

EXAMPLES = 30
STEPS = 25


def test_booking_rules_hold_whatever_happens_in_whatever_order(make_app, clock):
    app = make_app(config={"WTF_CSRF_ENABLED": False})
    tally = Counter()
    machine = type("Machine", (BookingMachine,), {"app": app, "clock": clock, "tally": tally})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    print(sorted(tally.items()))  # shown when the test fails, or with -s
    reached = " | ".join(tally)
    for path in (
        "book refused",  # a time or day already taken
        "confirmed, paid",  # paid and fulfilled
        "expired, refunded",  # paid late for a time or day lost meanwhile: refunded
        "'move refused', 'moved'",  # two tabs, one move
        "'cancel refused', 'cancelled'",  # two places, one cancellation
        "booked at once",
    ):
        assert path in reached, f"the machine never reached {path!r}: {sorted(tally.items())}"
