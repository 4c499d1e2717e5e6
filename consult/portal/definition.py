"""The assessment definition's schema: the frozen dataclasses an assessment is made of.

No Flask, no database. `definition_loading` builds one from YAML, checking it against the rules
in `definition_rules`; the values a field may take are listed here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

ROLE_KINDS = ("leadership", "front_line")
QUESTION_KINDS = ("scale", "importance", "text")
HORIZONS = (30, 60, 90)
LEVELS = ("low", "medium", "high")
CONSULTATION_TYPES = ("discovery-call", "leadership-strategy-session", "working-session")


class DefinitionError(ValueError):
    """A definition that cannot be used.

    `problems` lists every fault found, each starting with where it is.
    """

    def __init__(self, problems: list[str], source: str = "definition") -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(
            f"{source} has {len(self.problems)} problem(s):\n"
            + "\n".join(f"  - {p}" for p in self.problems)
        )


@dataclass(frozen=True)
class RoleGroup:
    key: str
    name: str
    kind: str  # "leadership" or "front_line"


@dataclass(frozen=True)
class Dimension:
    key: str
    name: str
    description: str
    weight: float


@dataclass(frozen=True)
class Question:
    key: str
    section: str
    dimension: str | None
    text: str
    kind: str  # "scale", "importance" or "text"
    reverse: bool  # scale only: a high answer means less readiness
    allow_not_sure: bool
    required: bool


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Band:
    key: str
    name: str
    min_score: float
    description: str


@dataclass(frozen=True)
class Recommendation:
    key: str
    dimension: str
    bands: tuple[str, ...]
    title: str
    why: str
    steps: tuple[str, ...]
    horizon_days: int
    effort: str
    impact: str
    blog_tags: tuple[str, ...]
    consultation_type: str | None


@dataclass(frozen=True)
class AssessmentDefinition:
    key: str
    version: int
    title: str
    intro: str
    scale_labels: tuple[str, ...]
    importance_labels: tuple[str, ...]
    role_groups: tuple[RoleGroup, ...]
    dimensions: tuple[Dimension, ...]
    sections: tuple[Section, ...]
    bands: tuple[Band, ...]
    recommendations: tuple[Recommendation, ...]
    min_group_size: int = 3

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every question, in the order respondents see them."""
        return tuple(question for section in self.sections for question in section.questions)

    def question(self, key: str) -> Question:
        """The question with this key; KeyError if there is none."""
        return {question.key: question for question in self.questions}[key]

    def first_unanswered_section(self, answered: Collection[str]) -> int | None:
        """The number (from 1) of the first section with a question whose key is not in
        `answered`, where a returning respondent picks up; None when every question is answered.
        """
        return next(
            (
                number
                for number, section in enumerate(self.sections, start=1)
                if any(question.key not in answered for question in section.questions)
            ),
            None,
        )

    def dimension(self, key: str) -> Dimension:
        """The dimension with this key; KeyError if there is none."""
        return {dimension.key: dimension for dimension in self.dimensions}[key]

    def band_for(self, score: float) -> Band:
        """The band a 0-100 score falls in: the last band whose `min_score` is at or below it."""
        if not 0 <= score <= 100:
            raise ValueError(f"score must be between 0 and 100, not {score!r}")
        return [band for band in self.bands if band.min_score <= score][-1]

    def scale_questions(self, dimension_key: str) -> tuple[Question, ...]:
        """The scored agree/disagree questions of one dimension, in order."""
        self.dimension(dimension_key)
        return tuple(
            q for q in self.questions if q.kind == "scale" and q.dimension == dimension_key
        )

    def importance_question(self, dimension_key: str) -> Question:
        """The question asking how urgent improving this dimension is."""
        self.dimension(dimension_key)
        return next(
            q for q in self.questions if q.kind == "importance" and q.dimension == dimension_key
        )

    def recommendations_for(self, dimension_key: str, band_key: str) -> tuple[Recommendation, ...]:
        """The recommendations written for a dimension scoring in a band, in file order."""
        return tuple(
            r for r in self.recommendations if r.dimension == dimension_key and band_key in r.bands
        )
