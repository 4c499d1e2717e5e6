"""Booking rules that need no database: refund policy, status transitions, calendar invitations."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consult.booking.invites import Invite, build_ics
from consult.booking.policy import RefundTier, refund_for_cancellation, tier_problems
from consult.booking.status import TransitionNotAllowed, check_transition

START = datetime(2027, 1, 5, 15, 0, tzinfo=UTC)
TIERS = (RefundTier(48, 100), RefundTier(24, 50), RefundTier(0, 0))


@pytest.mark.parametrize(
    ("hours_before", "expected"),
    [
        (100, (45000, 100)),
        (48, (45000, 100)),
        (47.99, (22500, 50)),
        (24, (22500, 50)),
        (23, (0, 0)),
        (-1, (0, 0)),
    ],
)
def test_the_refund_follows_the_tier_the_notice_reaches(hours_before, expected):
    assert (
        refund_for_cancellation(
            paid_minor=45000,
            starts_at=START,
            now=START - timedelta(hours=hours_before),
            tiers=TIERS,
        )
        == expected
    )


@given(
    paid=st.integers(0, 10_000_000),
    hours=st.floats(-100, 1000),
    percents=st.lists(st.integers(0, 100), min_size=1, max_size=4),
)
def test_a_refund_is_never_more_than_was_paid(paid, hours, percents):
    tiers = tuple(RefundTier(index * 24, percent) for index, percent in enumerate(percents))
    amount, _ = refund_for_cancellation(
        paid_minor=paid, starts_at=START, now=START - timedelta(hours=hours), tiers=tiers
    )
    assert 0 <= amount <= paid


def test_tier_problems_are_named():
    assert tier_problems([{"notice_hours": 48, "refund_percent": 100}]) == []
    assert "refund_percent" in tier_problems([{"notice_hours": 48, "refund_percent": 150}])[0]
    assert (
        "two tiers"
        in tier_problems(
            [{"notice_hours": 4, "refund_percent": 1}, {"notice_hours": 4, "refund_percent": 2}]
        )[0]
    )
    assert "exactly" in tier_problems([{"hours": 4}])[0]


def test_status_transitions_are_guarded():
    check_transition("held", "confirmed")
    check_transition("expired", "confirmed")
    for current, new in [
        ("cancelled", "confirmed"),
        ("confirmed", "held"),
        ("completed", "cancelled"),
        ("held", "completed"),
    ]:
        with pytest.raises(TransitionNotAllowed):
            check_transition(current, new)


def test_the_invitation_is_in_the_guests_zone_and_a_cancellation_cancels_it():
    invite = Invite(
        uid="b1@consult",
        sequence=0,
        title="Discovery call with Ms. Irons",
        description="d",
        location="Video call: https://meet.example/x",
        url="https://meet.example/x",
        starts_at=START,
        ends_at=START + timedelta(minutes=30),
        time_zone="Asia/Kolkata",
        organizer_name="Ms. Irons",
        organizer_email="hello@consult.example",
        attendee_name="Ana",
        attendee_email="ana@example.org",
        created_at=START,
    )
    ics = build_ics(invite)
    assert (
        "METHOD:REQUEST" in ics
        and "DTSTART;TZID=Asia/Kolkata:20270105T203000" in ics
        and "BEGIN:VTIMEZONE" in ics
    )
    assert "LOCATION:Video call: https://meet.example/x" in ics and "mailto:ana@example.org" in ics
    assert "URL:https://meet.example/x" in ics
    from dataclasses import replace

    cancelled = build_ics(replace(invite, cancelled=True, sequence=1))
    assert (
        "METHOD:CANCEL" in cancelled
        and "STATUS:CANCELLED" in cancelled
        and "SEQUENCE:1" in cancelled
    )
