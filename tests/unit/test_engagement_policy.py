"""The programme rules: term, when credits count, when they come back, and the refund policy."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consult.booking.policy import RefundTier
from consult.engagements.policy import (
    RoundAllowance,
    credit_back_notice_hours,
    credit_given_back,
    credit_usable,
    programme_ends_at,
    programme_refund_quote,
    rounds_used,
)
from consult.engagements.status import PurchaseTransitionNotAllowed, check_purchase_transition

START = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
END = programme_ends_at(START, 90)
TIERS = (RefundTier(48, 100), RefundTier(24, 50), RefundTier(0, 0))


def quote(now, *, paid=120000, refunded=0, included=3, used=0, full_refund_days=14):
    return programme_refund_quote(
        paid_minor=paid,
        refunded_minor=refunded,
        sessions_included=included,
        sessions_used=used,
        starts_at=START,
        ends_at=END,
        full_refund_days=full_refund_days,
        now=now,
    )


def test_a_programme_ends_its_number_of_days_after_it_starts():
    assert datetime(2027, 2, 23, 15, 0, tzinfo=UTC) == END


@pytest.mark.parametrize(
    ("status", "session_start", "usable"),
    [
        ("active", END - timedelta(minutes=1), True),
        ("active", END, False),
        ("active", END + timedelta(days=1), False),
        ("cancelled", START + timedelta(days=1), False),
        ("pending", START + timedelta(days=1), False),
        ("abandoned", START + timedelta(days=1), False),
    ],
)
def test_credits_count_only_in_a_running_programme_before_its_end(status, session_start, usable):
    assert credit_usable(status=status, ends_at=END, session_starts_at=session_start) is usable
    assert credit_usable(status=status, ends_at=None, session_starts_at=session_start) is False


@pytest.mark.parametrize(
    ("notice_hours", "back"), [(72, True), (48, True), (47.9, False), (30, False), (1, False)]
)
def test_a_credit_comes_back_with_the_notice_of_a_full_refund(notice_hours, back):
    session_start = START + timedelta(days=10)
    now = session_start - timedelta(hours=notice_hours)
    assert credit_given_back(starts_at=session_start, now=now, tiers=TIERS) is back


def test_without_a_full_refund_tier_a_credit_never_comes_back():
    later = START + timedelta(days=10)
    assert not credit_given_back(starts_at=later, now=START, tiers=(RefundTier(0, 50),))
    assert not credit_given_back(starts_at=later, now=START, tiers=())


def test_within_the_first_days_with_nothing_used_everything_is_refunded():
    answer = quote(START + timedelta(days=13, hours=23))
    assert answer.amount_minor == 120000 and "everything paid is refunded" in answer.reason


def test_after_the_first_days_the_smaller_share_is_refunded():
    # 30 of 90 days run: two thirds of the time left, all sessions unused.
    assert quote(START + timedelta(days=30)).amount_minor == 80000
    # One session used on day 2: two thirds of the sessions left, nearly all the time.
    assert quote(START + timedelta(days=2), used=1).amount_minor == 80000
    # Day 60, two sessions used: the smaller share is the sessions' (1/3) vs time's (1/3).
    assert quote(START + timedelta(days=60), used=2).amount_minor == 40000
    # Day 80, no session used: only the days that are left count.
    assert quote(START + timedelta(days=80)).amount_minor == 120000 * 10 // 90


def test_nothing_is_refunded_once_it_ended_or_all_was_refunded():
    assert quote(END).amount_minor == 0
    assert quote(END + timedelta(days=5)).amount_minor == 0
    assert quote(START, refunded=120000).amount_minor == 0


def test_a_programme_without_sessions_refunds_its_remaining_days():
    assert quote(START + timedelta(days=45), included=0).amount_minor == 60000


def test_what_was_refunded_before_is_deducted():
    # Entitled to 80,000 at day 30; 50,000 already went back.
    assert quote(START + timedelta(days=30), refunded=50000).amount_minor == 30000
    assert quote(START + timedelta(days=30), refunded=90000).amount_minor == 0


@given(
    paid=st.integers(0, 10**9),
    refunded=st.integers(0, 10**9),
    included=st.integers(0, 50),
    used=st.integers(0, 60),
    days=st.floats(-5, 200, allow_nan=False),
    full_refund_days=st.integers(0, 365),
)
def test_a_refund_is_never_negative_nor_more_than_is_left(
    paid, refunded, included, used, days, full_refund_days
):
    refunded = min(refunded, paid)
    answer = quote(
        START + timedelta(days=days),
        paid=paid,
        refunded=refunded,
        included=included,
        used=min(used, included),
        full_refund_days=full_refund_days,
    )
    assert 0 <= answer.amount_minor <= paid - refunded
    assert answer.reason


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("pending", "active"),
        ("pending", "abandoned"),
        ("abandoned", "active"),
        ("active", "cancelled"),
    ],
)
def test_the_allowed_purchase_transitions(current, new):
    check_purchase_transition(current, new)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("cancelled", "active"),
        ("active", "pending"),
        ("pending", "cancelled"),
        ("active", "active"),
    ],
)
def test_other_purchase_transitions_are_refused(current, new):
    with pytest.raises(PurchaseTransitionNotAllowed):
        check_purchase_transition(current, new)


@pytest.mark.parametrize(
    ("tiers", "hours"),
    [
        (TIERS, 48),
        ((RefundTier(72, 100), RefundTier(48, 100), RefundTier(0, 0)), 48),
        ((RefundTier(0, 100),), 0),
        ((RefundTier(72, 50), RefundTier(48, 100)), None),  # the most notice gives only half
        ((), None),
    ],
)
def test_the_notice_that_gives_a_credit_back_is_the_policys_full_refund_notice(tiers, hours):
    assert credit_back_notice_hours(tiers) == hours


@given(notice=st.integers(min_value=0, max_value=200))
def test_the_stated_notice_agrees_with_the_rule_that_gives_credits_back(notice):
    hours = credit_back_notice_hours(TIERS)
    session_start = START + timedelta(hours=notice)
    back = credit_given_back(starts_at=session_start, now=START, tiers=TIERS)
    assert back == (hours is not None and notice >= hours)


def test_a_round_counts_against_the_running_programme_that_ends_first_with_one_left():
    first = RoundAllowance(1, START, START + timedelta(days=30), included=1)
    second = RoundAllowance(2, START + timedelta(days=10), END, included=2)
    opened = [
        START - timedelta(days=1),  # before either ran: outside them
        START + timedelta(days=20),  # both run; the first ends first
        START + timedelta(days=25),  # the first has none left: the second's
        START + timedelta(days=40),  # only the second runs
        START + timedelta(days=50),  # none left anywhere: outside them
        END,  # the second has ended
    ]
    assert rounds_used([second, first], opened) == {1: 1, 2: 2}
    assert rounds_used([first, second], []) == {1: 0, 2: 0}


@given(
    allowances=st.lists(
        st.tuples(st.integers(0, 100), st.integers(1, 100), st.integers(0, 3)), max_size=4
    ),
    opened=st.lists(st.integers(-10, 200), max_size=12),
)
def test_included_rounds_are_never_overused_and_each_round_counts_once(allowances, opened):
    shaped = [
        RoundAllowance(
            number, START + timedelta(days=start), START + timedelta(days=start + days), n
        )
        for number, (start, days, n) in enumerate(allowances)
    ]
    used = rounds_used(shaped, [START + timedelta(days=day) for day in opened])
    assert all(0 <= used[allowance.purchase_id] <= allowance.included for allowance in shaped)
    assert sum(used.values()) <= len(opened)
