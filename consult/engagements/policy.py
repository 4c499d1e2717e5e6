"""The rules of programmes: their term, when a credit may be used or is given back, and how much
of a programme is refunded when it is cancelled. No Flask, no database.

The refund policy, as the portal and the README state it:

- within the programme's `full_refund_days` of its start, with no session used, everything paid
  is refunded;
- after that, or once a session has been used, the smaller of two shares of what was paid is
  refunded: the share of the included sessions not used (a session booked and not yet held
  counts as used), and the share of the programme's days not yet run (rounded down to the
  minor unit);
- once the programme has ended, nothing is refunded.

Every amount is computed from what was actually paid, less what was already refunded, so a
refund never exceeds the payment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from consult.booking.policy import RefundTier, refund_for_cancellation


@dataclass(frozen=True)
class ProgrammeRefundQuote:
    """What cancelling a programme now gives back, and why, in words fit to show the owner."""

    amount_minor: int
    reason: str


def programme_ends_at(starts_at: datetime, duration_days: int) -> datetime:
    """The moment a programme starting at `starts_at` ends: credits are not usable from then on."""
    return starts_at + timedelta(days=duration_days)


def credit_usable(*, status: str, ends_at: datetime | None, session_starts_at: datetime) -> bool:
    """Whether a purchase's credit may pay for a session starting at `session_starts_at`.

    Only an active programme's credits count, and only for sessions that start before it ends.
    """
    return status == "active" and ends_at is not None and session_starts_at < ends_at


def credit_given_back(*, starts_at: datetime, now: datetime, tiers: tuple[RefundTier, ...]) -> bool:
    """Whether a guest cancelling a session paid with a credit gets the credit back.

    `starts_at` is the session's earliest start, the clock a paid booking's refund uses too.
    A credit is given back with the notice that would refund a paid booking in full (the
    cancellation policy's 100% tier); with less notice the session counts as used, as a paid
    one would be (mostly) kept.
    """
    _, percent = refund_for_cancellation(paid_minor=100, starts_at=starts_at, now=now, tiers=tiers)
    return percent == 100


def credit_back_notice_hours(tiers: tuple[RefundTier, ...]) -> int | None:
    """The least notice, in hours, with which a cancelled session paid with a credit gets the
    credit back (as `credit_given_back` decides); None when no notice does.
    """
    hours = None
    for tier in sorted(tiers, key=lambda tier: tier.notice_hours, reverse=True):
        if tier.refund_percent != 100:
            break
        hours = tier.notice_hours
    return hours


def programme_refund_quote(
    *,
    paid_minor: int,
    refunded_minor: int,
    sessions_included: int,
    sessions_used: int,
    starts_at: datetime,
    ends_at: datetime,
    full_refund_days: int,
    now: datetime,
) -> ProgrammeRefundQuote:
    """What cancelling a programme at `now` refunds by the policy above (never below 0, never
    more than what is left of what was paid).
    """
    left = max(0, paid_minor - refunded_minor)
    if left == 0:
        return ProgrammeRefundQuote(0, "Nothing is left to refund.")
    if now >= ends_at:
        return ProgrammeRefundQuote(0, "The programme has ended, so nothing is refunded.")
    if sessions_used == 0 and now < starts_at + timedelta(days=full_refund_days):
        return ProgrammeRefundQuote(
            left,
            f"Cancelled within {full_refund_days} days of the start with no session used: "
            "everything paid is refunded.",
        )
    unused = max(0, sessions_included - sessions_used)
    term = int((ends_at - starts_at).total_seconds())
    remaining = max(0, min(term, int((ends_at - now).total_seconds())))
    by_time = paid_minor * remaining // term if term > 0 else 0
    by_sessions = paid_minor * unused // sessions_included if sessions_included > 0 else by_time
    amount = max(0, min(left, min(by_time, by_sessions) - refunded_minor))
    sessions = (
        f"{unused} of {sessions_included} sessions are not used"
        if sessions_included > 0
        else "it includes no sessions"
    )
    return ProgrammeRefundQuote(
        amount,
        f"{sessions} and {remaining * 100 // term if term > 0 else 0}% of its days are still to "
        "run: the smaller share of what was paid is refunded.",
    )


@dataclass(frozen=True)
class RoundAllowance:
    """The assessment rounds a programme includes, over the time it runs (until it ended or was
    cancelled).
    """

    purchase_id: int
    starts_at: datetime
    ends_at: datetime
    included: int


def rounds_used(allowances: list[RoundAllowance], opened: list[datetime]) -> dict[int, int]:
    """How many of each programme's included rounds are used, by purchase id.

    A round counts against the programme running when it opened that ends first and still has
    one left, as a credit does; a round opened when none has one left is outside them all.
    """
    used = {allowance.purchase_id: 0 for allowance in allowances}
    by_end = sorted(allowances, key=lambda allowance: (allowance.ends_at, allowance.purchase_id))
    for moment in sorted(opened):
        for allowance in by_end:
            running = allowance.starts_at <= moment < allowance.ends_at
            if running and used[allowance.purchase_id] < allowance.included:
                used[allowance.purchase_id] += 1
                break
    return used
