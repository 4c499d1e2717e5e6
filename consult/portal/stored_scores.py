"""A round's scores as JSON, to be kept when it closes and read on every view. No Flask.

Scoring reads every answer of the round; its result does not change once the round is closed,
so it is computed once, stored on the round, and the results pages read it back.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from consult.portal.scoring import DimensionResult, Gap, GroupResult, RoundResult

# Bump when RoundResult's shape changes: older stored scores are then computed again on view.
SCORES_FORMAT = 1


def scores_to_json(result: RoundResult) -> dict[str, Any]:
    """The result as plain JSON values, with the format it was written in."""
    return {"format": SCORES_FORMAT, **dataclasses.asdict(result)}


def scores_from_json(data: dict[str, Any] | None) -> RoundResult | None:
    """The result `scores_to_json` wrote; None when nothing of the current format is stored."""
    if not data or data.get("format") != SCORES_FORMAT:
        return None
    return RoundResult(
        respondent_count=data["respondent_count"],
        dimensions=tuple(DimensionResult(**item) for item in data["dimensions"]),
        groups=tuple(GroupResult(**item) for item in data["groups"]),
        gaps=tuple(Gap(**item) for item in data["gaps"]),
        overall=data["overall"],
        band=data["band"],
        min_group_size=data["min_group_size"],
    )
