"""When personal data has been kept long enough: the retention period as a moment. Pure."""

from __future__ import annotations

import calendar
from datetime import datetime


def months_before(moment: datetime, months: int) -> datetime:
    """`moment` moved back `months` calendar months; a day the earlier month lacks (31 March back
    one month) becomes that month's last day.
    """
    if months < 0:
        raise ValueError("months must not be negative")
    month_index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)
