"""The run's verdicts: each check with the figure it found, and the table they are printed in."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bench.traffic.checks import (
    LIVE,
    PAID_STATES,
    BookingRow,
    CheckoutRow,
    EmailRow,
    confirmation_problems,
    days_over_maximum,
    live_holds,
    live_holds_over_caps,
    live_per_day,
    overlapping_bookings,
    payment_problems,
)
from bench.traffic.tally import failed_answers, limits_that_did_not_fire


@dataclass(frozen=True)
class Check:
    """One verdict of the run: a name, the figure found, and the problems behind a failure."""

    name: str
    figure: str
    problems: Sequence[str] = ()

    @property
    def passed(self) -> bool:
        return not self.problems


def checks_table(checks: Sequence[Check]) -> str:
    lines = ["| check | found | |", "|---|---|---|"]
    lines += [
        f"| {check.name} | {check.figure} | {'pass' if check.passed else 'FAIL'} |"
        for check in checks
    ]
    return "\n".join(lines)


def verdicts(
    *,
    bookings: Sequence[BookingRow],
    emails: Sequence[EmailRow],
    deliveries: Counter[str],
    checkouts: Sequence[CheckoutRow],
    statuses: Mapping[str, Counter[int]],
    abuse_prefix: str,
    maxima: Mapping[str, int | None],
    zone: ZoneInfo,
    now: datetime,
    holds_per_client: int,
    holds_per_email: int,
    logged_errors: Sequence[str],
    simulation_errors: Sequence[str],
) -> list[Check]:
    """Every check of the run, in the order the table shows them."""
    failed = failed_answers(statuses)
    live = [booking for booking in bookings if booking.status in LIVE]
    made = [booking for booking in bookings if booking.made_in_run]
    confirmed = [booking for booking in made if booking.confirmed_at is not None]
    paid = [booking for booking in made if booking.payment_state in PAID_STATES]
    paid_checkouts = [checkout for checkout in checkouts if checkout.payment_status == "paid"]
    holds = live_holds(bookings, now)
    most_per_client = max(Counter(hold.client_address for hold in holds).values(), default=0)
    most_per_email = max(Counter(hold.guest_email for hold in holds).values(), default=0)
    days_full = sum(
        count == maxima.get(kind) for (kind, _), count in live_per_day(bookings, zone).items()
    )
    return [
        Check("5xx answers, or no answer", str(failed), [f"{failed} failed"] if failed else []),
        Check("errors the site logged", str(len(logged_errors)), logged_errors),
        Check(
            "double bookings",
            f"{len(live)} live bookings and holds",
            overlapping_bookings(bookings),
        ),
        Check(
            "daily maximum per type",
            f"{days_full} type-days full, none over",
            days_over_maximum(bookings, maxima, zone),
        ),
        Check(
            f"live holds: ≤ {holds_per_client} per client, ≤ {holds_per_email} per e-mail",
            f"{len(holds)} live holds, at most {most_per_client} per client, "
            f"{most_per_email} per e-mail",
            live_holds_over_caps(
                bookings, now=now, per_client=holds_per_client, per_email=holds_per_email
            ),
        ),
        Check(
            "deliberate abuse refused with 429",
            f"{sum(1 for kind in statuses if kind.startswith(abuse_prefix))} limits tried",
            limits_that_did_not_fire(statuses, abuse_prefix),
        ),
        Check(
            "one confirmation e-mail per confirmed booking",
            f"{len(confirmed)} confirmed, {len(emails)} e-mails queued, "
            f"{sum(deliveries.values())} delivered",
            confirmation_problems(bookings, emails, deliveries),
        ),
        Check(
            "payments: each paid once, by its own checkout",
            f"{len(paid)} paid bookings, {len(paid_checkouts)} paid checkouts",
            payment_problems(bookings, checkouts),
        ),
        Check("the simulation itself ran cleanly", str(len(simulation_errors)), simulation_errors),
    ]
