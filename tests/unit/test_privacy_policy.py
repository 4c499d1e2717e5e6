"""The retention period as a moment: calendar months back from now."""

from datetime import UTC, datetime

import pytest

from consult.privacy.policy import months_before


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 11, 25, 15, tzinfo=UTC), 24, datetime(2024, 11, 25, 15, tzinfo=UTC)),
        (datetime(2026, 3, 31, 8, tzinfo=UTC), 1, datetime(2026, 2, 28, 8, tzinfo=UTC)),
        (datetime(2028, 3, 31, 8, tzinfo=UTC), 1, datetime(2028, 2, 29, 8, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 13, datetime(2024, 12, 15, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 0, datetime(2026, 1, 15, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 1200, datetime(1926, 1, 15, tzinfo=UTC)),
    ],
)
def test_months_before_counts_calendar_months(moment, months, expected):
    assert months_before(moment, months) == expected


def test_months_before_refuses_a_negative_period():
    with pytest.raises(ValueError, match="negative"):
        months_before(datetime(2026, 1, 1, tzinfo=UTC), -1)
