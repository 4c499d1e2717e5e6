"""A small assessment definition, built from the real dataclasses, and helpers to answer it.

For the portal's unit tests.

Three dimensions keep the arithmetic checkable by hand:
- trust    (weight 1): t1, t2, t3 and t4 (t4 reverse-scored)
- voice    (weight 2): v1 and v2 (v2 reverse-scored)
- presence (weight 1): p1, p2 and p3
each with one importance question `<dimension>_importance`, plus a free-text question.
Bands: starting from 0, developing from 40, established from 70. Minimum group size 3.
"""

from __future__ import annotations

from hypothesis import strategies as st

from consult.portal.definition import (
    AssessmentDefinition,
    Band,
    Dimension,
    Question,
    Recommendation,
    RoleGroup,
    Section,
)
from consult.portal.scoring import Respondent

SCALE_QUESTIONS = {
    "trust": ("t1", "t2", "t3", "t4"),
    "voice": ("v1", "v2"),
    "presence": ("p1", "p2", "p3"),
}
REVERSED = {"t4", "v2"}
WEIGHTS = {"trust": 1.0, "voice": 2.0, "presence": 1.0}
BANDS = (("starting", 0.0), ("developing", 40.0), ("established", 70.0))
HORIZON_BY_BAND = {"starting": (30, 60, 90), "developing": (60, 30), "established": (90,)}


def _question(
    key: str, section: str, dimension: str | None, kind: str, reverse: bool = False
) -> Question:
    return Question(
        key=key,
        section=section,
        dimension=dimension,
        text=f"Question {key}?",
        kind=kind,
        reverse=reverse,
        allow_not_sure=kind != "text",
        required=kind != "text",
    )


def _recommendations() -> tuple[Recommendation, ...]:
    """For every dimension and band, one recommendation per horizon listed in HORIZON_BY_BAND."""
    made = []
    for dimension in SCALE_QUESTIONS:
        for band, horizons in HORIZON_BY_BAND.items():
            for number, days in enumerate(horizons):
                made.append(
                    Recommendation(
                        key=f"{dimension}-{band}-{number}",
                        dimension=dimension,
                        bands=(band,),
                        title=f"{dimension} {band} {days}",
                        why=f"Because {dimension} is {band}.",
                        steps=("Listen first.", "Then act."),
                        horizon_days=days,
                        effort="low",
                        impact="high",
                        blog_tags=(dimension,),
                        consultation_type="working-session" if number == 0 else None,
                    )
                )
    return tuple(made)


def make_definition(
    *, min_group_size: int = 3, weights: dict[str, float] | None = None
) -> AssessmentDefinition:
    """The small three-dimension definition described in the module docstring."""
    weights = WEIGHTS | (weights or {})
    sections = []
    for dimension, keys in SCALE_QUESTIONS.items():
        questions = [_question(key, dimension, dimension, "scale", key in REVERSED) for key in keys]
        questions.append(_question(f"{dimension}_importance", dimension, dimension, "importance"))
        sections.append(
            Section(key=dimension, title=dimension.title(), intro="", questions=tuple(questions))
        )
    sections.append(
        Section(
            key="open",
            title="In your words",
            intro="",
            questions=(_question("comments", "open", None, "text"),),
        )
    )
    return AssessmentDefinition(
        key="small",
        version=1,
        title="A small assessment",
        intro="For tests.",
        scale_labels=("1", "2", "3", "4", "5"),
        importance_labels=("1", "2", "3", "4", "5"),
        role_groups=(
            RoleGroup("executives", "Executives", "leadership"),
            RoleGroup("managers", "Managers", "leadership"),
            RoleGroup("nurses", "Nurses", "front_line"),
            RoleGroup("staff", "Support staff", "front_line"),
        ),
        dimensions=tuple(
            Dimension(key, key.title(), f"About {key}.", weights[key]) for key in SCALE_QUESTIONS
        ),
        sections=tuple(sections),
        bands=tuple(Band(key, key.title(), minimum, f"{key} band") for key, minimum in BANDS),
        recommendations=_recommendations(),
        min_group_size=min_group_size,
    )


def answers_at(
    points: dict[str, int | None], importance: dict[str, int | None] | None = None
) -> dict:
    """Answers giving every scale question of a dimension the same effective 1..5 point.

    Reverse-scored questions are flipped. A dimension missing from `points` is left unanswered;
    a None point answers "not sure" throughout.
    """
    answers: dict = {"comments": "Free text is never scored."}
    for dimension, point in points.items():
        for key in SCALE_QUESTIONS[dimension]:
            answers[key] = None if point is None else (6 - point if key in REVERSED else point)
    for dimension, value in (importance or {}).items():
        answers[f"{dimension}_importance"] = value
    return answers


def people(
    role_group: str, count: int, points: dict[str, int | None], importance=None, prefix: str = ""
) -> list[Respondent]:
    """`count` respondents of `role_group` who all answer alike."""
    return [
        Respondent(f"{prefix or role_group}-{number}", role_group, answers_at(points, importance))
        for number in range(count)
    ]


# Hypothesis strategies over that definition: answer sheets, and whole rounds of them.
_MISSING = object()
GROUPS = ("executives", "managers", "nurses", "staff")
ANSWERED_KEYS = [
    question.key for question in make_definition().questions if question.kind != "text"
]
answer_sheets = st.fixed_dictionaries(
    {key: st.one_of(st.just(_MISSING), st.none(), st.integers(1, 5)) for key in ANSWERED_KEYS}
).map(lambda sheet: {key: value for key, value in sheet.items() if value is not _MISSING})
respondent_lists = st.lists(
    st.tuples(st.sampled_from(GROUPS + ("retired",)), answer_sheets), max_size=14
).map(
    lambda rows: [
        Respondent(f"r{index}", group, answers) for index, (group, answers) in enumerate(rows)
    ]
)


def in_range(value: float | None) -> bool:
    return value is None or 0.0 <= value <= 100.0
