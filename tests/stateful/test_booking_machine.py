"""The booking state machine, run on SQLite and on PostgreSQL (see booking_machine.py).

The examples are derandomised, so CI explores the same cases each run and never flakes on
what it happens to draw; the tally afterwards shows the machine reached the main paths, and
steps racing each other.
"""

from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.stateful.booking_machine import BookingMachine

# Each example is a fresh calendar and up to STEPS steps; hypothesis also switches random
# subsets of the rules off per example (swarm testing), so the paths vary from one to the next.
EXAMPLES = 30
STEPS = 25
RACES = ("two moves", "two cancels", "move and cancel", "pay while", "booked at once")


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
        "refused",  # a time or day already taken, a change no longer allowed
        "confirmed, paid",  # paid and fulfilled
        "refunded",  # a cancellation's refund, or a late payment's for a time or day lost
        "moved",
        "cancelled",
    ):
        assert path in reached, f"the machine never reached {path!r}: {sorted(tally.items())}"
    assert sum(race in reached for race in RACES) >= 3, sorted(tally.items())
