"""The one rounding rule for every figure the portal shows: page, PDF, CSV and e-mails alike.

Scores, agreement and medians (0–100) are shown as whole numbers and urgency (1–5) with one
decimal, rounded half up (68.5 → 69, 3.25 → 3.3), never half to even as `round()` and "%.0f" do.
Whatever is derived from shown figures is derived from them as shown, not from the unrounded
values behind them: the change since the previous round, the leaders' lead over the front line,
the band a score falls in and whether a threshold is crossed. So a reader who sees "69" beside
"56" reads "up 13", never "up 12", and a score shown as 60 never sits in the band below 60.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

NO_FIGURE = "–"
# Means are sums of floats: 68.5 may arrive as 68.49999999999999. Settle such noise at this many
# decimals before rounding half up, as the plan settles ties.
NOISE_PLACES = 9


def _half_up(value: float, places: int) -> Decimal:
    settled = Decimal(repr(round(value, NOISE_PLACES)))
    return settled.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def whole(value: float | None) -> int | None:
    """A 0–100 figure as shown: the nearest whole number, halves up; None (or NaN) stays None."""
    if value is None or not math.isfinite(value):
        return None
    return int(_half_up(value, 0))


def tenths(value: float | None) -> float | None:
    """An urgency (1–5) as shown: one decimal, halves up; None (or NaN) stays None."""
    if value is None or not math.isfinite(value):
        return None
    return float(_half_up(value, 1))


def score_text(value: float | None) -> str:
    """A 0–100 figure as printed: "69", or a dash when there is none."""
    shown = whole(value)
    return NO_FIGURE if shown is None else str(shown)


def urgency_text(value: float | None) -> str:
    """An urgency as printed: "3.3", or a dash when there is none."""
    shown = tenths(value)
    return NO_FIGURE if shown is None else f"{shown:.1f}"


def difference(later: float | None, earlier: float | None) -> int | None:
    """`later` − `earlier` as the reader would work it out from the two shown figures."""
    shown_later, shown_earlier = whole(later), whole(earlier)
    if shown_later is None or shown_earlier is None:
        return None
    return shown_later - shown_earlier


def change_words(change: int | None) -> str:
    """A change in words: "up 13", "down 2", "no change", or a dash when there is none."""
    if change is None:
        return NO_FIGURE
    if change == 0:
        return "no change"
    return f"up {change}" if change > 0 else f"down {-change}"


def signed(change: int | None) -> str:
    """A difference with its sign: "+13", "−2" (a true minus sign), "0", or a dash."""
    if change is None:
        return NO_FIGURE
    return f"+{change}" if change > 0 else ("0" if change == 0 else f"−{-change}")
