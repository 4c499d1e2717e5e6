"""The cancellation policy as rules: how much is refunded for how much notice. No Flask, no
database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RefundTier:
    """Cancelling at least `notice_hours` before the start refunds `refund_percent` of what was
    paid.
    """

    notice_hours: int
    refund_percent: int


def refund_for_cancellation(
    *, paid_minor: int, starts_at: datetime, now: datetime, tiers: tuple[RefundTier, ...]
) -> tuple[int, int]:
    """(amount to refund in minor units, percent) for a guest cancelling at `now`.

    `starts_at` is the earliest start the booking ever had, not its current one. A fair practice
    lets a guest move a session even at short notice (the meeting still happens; refusing would
    leave only a cancellation with nothing back), but a move must not buy back a refund the
    notice had already lost: booked for tomorrow, moved to next month and then cancelled, it
    refunds what cancelling tomorrow's session would have.

    The tier with the most notice that the guest still gives applies; with no tier, nothing is
    refunded.
    Amounts round down to the minor unit, so a refund never exceeds what was paid.
    """
    notice = starts_at - now
    for tier in sorted(tiers, key=lambda tier: tier.notice_hours, reverse=True):
        if notice >= timedelta(hours=tier.notice_hours):
            return paid_minor * tier.refund_percent // 100, tier.refund_percent
    return 0, 0


def tier_problems(tiers: Sequence[object]) -> list[str]:
    """What is wrong with refund tiers as written in site.yaml."""
    problems = []
    seen: set[object] = set()
    for index, tier in enumerate(tiers):
        if not isinstance(tier, dict) or set(tier) != {"notice_hours", "refund_percent"}:
            problems.append(
                f"cancellation_refunds[{index}] needs exactly notice_hours and refund_percent"
            )
            continue
        hours, percent = tier["notice_hours"], tier["refund_percent"]
        if not isinstance(hours, int) or hours < 0:
            problems.append(
                f"cancellation_refunds[{index}].notice_hours "
                "must be a whole number of hours, 0 or more"
            )
        if not isinstance(percent, int) or not 0 <= percent <= 100:
            problems.append(
                f"cancellation_refunds[{index}].refund_percent must be a whole number from 0 to 100"
            )
        if hours in seen:
            problems.append(f"cancellation_refunds has two tiers for {hours} hours")
        seen.add(hours)
    return problems


def guest_moves_left(*, moves_made: int, max_reschedules: int) -> int:
    """How many more times the guest may move a booking. Every move counts, the consultant's
    too: one count (the invitation's SEQUENCE) for both, so the guest and the admin read the
    same number.
    """
    return max(0, max_reschedules - moves_made)
