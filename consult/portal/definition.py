"""The assessment definition: reads and checks the YAML that describes an assessment. No Flask, no database."""

from __future__ import annotations

import math
import pathlib
import re
from collections import Counter
from dataclasses import dataclass, fields

import yaml

ROLE_KINDS = ("leadership", "front_line")
QUESTION_KINDS = ("scale", "importance", "text")
HORIZONS = (30, 60, 90)
LEVELS = ("low", "medium", "high")
CONSULTATION_TYPES = ("discovery-call", "leadership-strategy-session", "working-session")
MIN_DIMENSIONS, MIN_QUESTIONS, MAX_QUESTIONS = 6, 30, 50
MIN_SCALE_PER_DIMENSION, MIN_REVERSE, MIN_TEXT, MIN_BANDS, LABEL_COUNT = 3, 3, 2, 3, 5
KEY = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*\Z")
_REQUIRED = object()  # marks a field with no default


class DefinitionError(ValueError):
    """A definition that cannot be used; `problems` lists every fault found, each starting with where it is."""

    def __init__(self, problems: list[str], source: str = "definition"):
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


FIELDS = {
    "definition": {f.name for f in fields(AssessmentDefinition)},
    "role_group": {f.name for f in fields(RoleGroup)},
    "dimension": {f.name for f in fields(Dimension)},
    "section": {f.name for f in fields(Section)},
    "question": {f.name for f in fields(Question)} - {"section"},
    "band": {f.name for f in fields(Band)},
    "recommendation": {f.name for f in fields(Recommendation)},
}


def _at(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_number(value: object) -> bool:
    return (
        isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
    )  # rejects NaN


class _Reader:
    """Reads fields off plain mappings, noting a problem for each bad one instead of stopping at the first."""

    def __init__(self):
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def mapping(self, value: object, where: str, kind: str) -> bool:
        if not isinstance(value, dict):
            self.add(where or kind, "must be a mapping of `name: value` pairs")
            return False
        for name in value:
            if name not in FIELDS[kind]:
                self.add(where or kind, f"unknown field {name!r}")
        return True

    def get(self, data: dict, where: str, name: str, expected: str, ok, default=_REQUIRED):
        """The field's value if it passes `ok`; otherwise note a problem and return None."""
        value = data.get(name)
        if value is None:  # absent, or left empty in YAML
            if default is _REQUIRED:
                self.add(_at(where, name), "is required")
                return None
            return default
        if not ok(value):
            self.add(_at(where, name), f"must be {expected}, not {value!r}")
            return None
        return value.strip() if isinstance(value, str) else value

    def text(self, data: dict, where: str, name: str) -> str:
        return self.get(data, where, name, "non-empty text", _is_text) or ""

    def choice(self, data: dict, where: str, name: str, options: tuple, default=_REQUIRED):
        return self.get(
            data,
            where,
            name,
            f"one of {', '.join(map(str, options))}",
            lambda v: v in options,
            default,
        )

    def texts(
        self, data: dict, where: str, name: str, *, minimum: int = 0, exactly: int | None = None
    ) -> tuple[str, ...]:
        ok = lambda v: isinstance(v, list) and all(map(_is_text, v))  # noqa: E731
        value = tuple(
            item.strip()
            for item in self.get(data, where, name, "a list of non-empty texts", ok, []) or []
        )
        if exactly is not None and len(value) != exactly:
            self.add(_at(where, name), f"must have exactly {exactly} entries, not {len(value)}")
        elif len(value) < minimum:
            self.add(_at(where, name), f"must have at least {minimum}")
        return value

    def each(self, data: dict, where: str, name: str, kind: str, build) -> list[tuple[str, object]]:
        """Build each mapping of a list field, returning (where, item) pairs for those that are mappings."""
        items = self.get(data, where, name, "a list", lambda v: isinstance(v, list)) or []
        located = [(f"{_at(where, name)}[{index}]", raw) for index, raw in enumerate(items)]
        return [(at, build(self, raw, at)) for at, raw in located if self.mapping(raw, at, kind)]

    def unique(self, located: list[tuple[str, object]], what: str) -> None:
        first: dict[str, str] = {}
        for where, item in located:
            if item.key in first:
                self.add(
                    _at(where, "key"),
                    f"duplicate {what} key {item.key!r} (first used at {first[item.key]})",
                )
            elif item.key:
                first[item.key] = where


def _key(r: _Reader, d: dict, w: str) -> str:
    expected = "lowercase letters and digits joined by - or _"
    return r.get(d, w, "key", expected, lambda v: isinstance(v, str) and bool(KEY.match(v))) or ""


def _role_group(r: _Reader, d: dict, w: str) -> RoleGroup:
    return RoleGroup(_key(r, d, w), r.text(d, w, "name"), r.choice(d, w, "kind", ROLE_KINDS))


def _dimension(r: _Reader, d: dict, w: str) -> Dimension:
    weight = r.get(
        d, w, "weight", "a number greater than 0", lambda v: _is_number(v) and v > 0, 1.0
    )
    return Dimension(
        _key(r, d, w), r.text(d, w, "name"), r.text(d, w, "description"), float(weight or 0)
    )


def _band(r: _Reader, d: dict, w: str) -> Band:
    min_score = r.get(d, w, "min_score", "a number", _is_number)
    min_score = (
        math.nan if min_score is None else float(min_score)
    )  # NaN once reported, so ordering checks skip it
    return Band(_key(r, d, w), r.text(d, w, "name"), min_score, r.text(d, w, "description"))


def _recommendation(r: _Reader, d: dict, w: str) -> Recommendation:
    return Recommendation(
        key=_key(r, d, w),
        dimension=r.text(d, w, "dimension"),
        bands=r.texts(d, w, "bands", minimum=1),
        title=r.text(d, w, "title"),
        why=r.text(d, w, "why"),
        steps=r.texts(d, w, "steps", minimum=1),
        horizon_days=r.choice(d, w, "horizon_days", HORIZONS),
        effort=r.choice(d, w, "effort", LEVELS),
        impact=r.choice(d, w, "impact", LEVELS),
        blog_tags=r.texts(d, w, "blog_tags"),
        consultation_type=r.choice(d, w, "consultation_type", CONSULTATION_TYPES, default=None),
    )


def _question(r: _Reader, d: dict, w: str, section: str) -> Question:
    kind = r.choice(d, w, "kind", QUESTION_KINDS)
    scored = kind in ("scale", "importance")
    dimension = r.get(d, w, "dimension", "non-empty text", _is_text, _REQUIRED if scored else None)
    flag = lambda name, default: r.get(
        d, w, name, "true or false", lambda v: isinstance(v, bool), default
    )  # noqa: E731
    reverse, allow_not_sure, required = (
        flag("reverse", False),
        flag("allow_not_sure", scored),
        flag("required", scored),
    )
    if reverse and kind != "scale":
        r.add(_at(w, "reverse"), "only scale questions can be reverse-scored")
    if allow_not_sure and kind == "text":
        r.add(_at(w, "allow_not_sure"), "text questions cannot offer 'Not sure'")
    return Question(
        _key(r, d, w),
        section,
        dimension,
        r.text(d, w, "text"),
        kind,
        bool(reverse),
        bool(allow_not_sure),
        bool(required),
    )


def _section(r: _Reader, d: dict, w: str) -> tuple[Section, list[tuple[str, Question]]]:
    key = _key(r, d, w)
    located = r.each(d, w, "questions", "question", lambda r, raw, at: _question(r, raw, at, key))
    return Section(
        key, r.text(d, w, "title"), r.text(d, w, "intro"), tuple(q for _, q in located)
    ), located


def _check_questions(r: _Reader, dimensions, questions) -> None:
    """Rules about which questions exist: counts, dimensions, reverse-scored and free-text questions."""
    known = {dimension.key for _, dimension in dimensions}
    for where, question in questions:
        if question.dimension and question.dimension not in known:
            r.add(_at(where, "dimension"), f"unknown dimension {question.dimension!r}")
    if not MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS:
        r.add(
            "sections",
            f"needs {MIN_QUESTIONS} to {MAX_QUESTIONS} questions in all, not {len(questions)}",
        )
    counts = Counter((q.kind, q.dimension) for _, q in questions)
    for where, dimension in dimensions:
        scale, importance = counts["scale", dimension.key], counts["importance", dimension.key]
        if scale < MIN_SCALE_PER_DIMENSION:
            r.add(
                where,
                f"dimension {dimension.key!r} has {scale} scale questions; needs at least {MIN_SCALE_PER_DIMENSION}",
            )
        if importance != 1:
            r.add(
                where,
                f"dimension {dimension.key!r} has {importance} importance questions; needs exactly 1",
            )
    reverse = sum(1 for _, q in questions if q.kind == "scale" and q.reverse)
    if reverse < MIN_REVERSE:
        r.add(
            "sections",
            f"needs at least {MIN_REVERSE} reverse-scored scale questions, not {reverse}",
        )
    text = sum(1 for _, q in questions if q.kind == "text")
    if text < MIN_TEXT:
        r.add("sections", f"needs at least {MIN_TEXT} text questions, not {text}")


def _check_bands(r: _Reader, bands) -> None:
    """Bands start at 0 and climb strictly, staying below 100."""
    if len(bands) < MIN_BANDS:
        r.add("bands", f"needs at least {MIN_BANDS} bands, not {len(bands)}")
    for index, (where, band) in enumerate(bands):
        if math.isnan(band.min_score):
            continue
        if index == 0 and band.min_score != 0:
            r.add(
                _at(where, "min_score"), f"the first band must start at 0, not {band.min_score:g}"
            )
        elif index and band.min_score <= bands[index - 1][1].min_score:  # False against NaN
            r.add(
                _at(where, "min_score"),
                f"must be greater than the previous band's {bands[index - 1][1].min_score:g}",
            )
        if not 0 <= band.min_score < 100:
            r.add(
                _at(where, "min_score"), f"must be at least 0 and below 100, not {band.min_score:g}"
            )


def _check_recommendations(r: _Reader, dimensions, bands, recommendations) -> None:
    """Each recommendation points at real dimensions and bands, and every pair of them is covered."""
    dimension_keys, band_keys = [d.key for _, d in dimensions], [b.key for _, b in bands]
    for where, recommendation in recommendations:
        if recommendation.dimension and recommendation.dimension not in dimension_keys:
            r.add(_at(where, "dimension"), f"unknown dimension {recommendation.dimension!r}")
        for band in recommendation.bands:
            if band not in band_keys:
                r.add(_at(where, "bands"), f"unknown band {band!r}")
    covered = {(rec.dimension, band) for _, rec in recommendations for band in rec.bands}
    for dimension in filter(None, dimension_keys):
        for band in filter(None, band_keys):
            if (dimension, band) not in covered:
                r.add(
                    "recommendations",
                    f"no recommendation for dimension {dimension!r} in band {band!r}",
                )


def parse_definition(data: object, *, source: str = "definition") -> AssessmentDefinition:
    """Build an assessment definition from plain data (as loaded from YAML); DefinitionError lists every problem."""
    r = _Reader()
    if not r.mapping(data, "", "definition"):
        raise DefinitionError(r.problems, source)
    whole = lambda v: isinstance(v, int) and not isinstance(v, bool)  # noqa: E731
    top = dict(
        key=_key(r, data, ""),
        title=r.text(data, "", "title"),
        intro=r.text(data, "", "intro"),
        version=r.get(
            data, "", "version", "a whole number of at least 1", lambda v: whole(v) and v >= 1
        ),
        min_group_size=r.get(
            data,
            "",
            "min_group_size",
            "a whole number of at least 2",
            lambda v: whole(v) and v >= 2,
            3,
        ),
        scale_labels=r.texts(data, "", "scale_labels", exactly=LABEL_COUNT),
        importance_labels=r.texts(data, "", "importance_labels", exactly=LABEL_COUNT),
    )
    role_groups = r.each(data, "", "role_groups", "role_group", _role_group)
    dimensions = r.each(data, "", "dimensions", "dimension", _dimension)
    built_sections = r.each(data, "", "sections", "section", _section)
    sections = [(where, section) for where, (section, _) in built_sections]
    questions = [pair for _, (_, located) in built_sections for pair in located]
    bands = r.each(data, "", "bands", "band", _band)
    recommendations = r.each(data, "", "recommendations", "recommendation", _recommendation)
    for located, what in (
        (role_groups, "role group"),
        (dimensions, "dimension"),
        (sections, "section"),
        (questions, "question"),
        (bands, "band"),
        (recommendations, "recommendation"),
    ):
        r.unique(located, what)
    for kind in ROLE_KINDS:
        if kind not in {group.kind for _, group in role_groups}:
            r.add("role_groups", f"needs at least one {kind!r} group")
    if len(dimensions) < MIN_DIMENSIONS:
        r.add("dimensions", f"needs at least {MIN_DIMENSIONS} dimensions, not {len(dimensions)}")
    _check_questions(r, dimensions, questions)
    _check_bands(r, bands)
    _check_recommendations(r, dimensions, bands, recommendations)
    definition = AssessmentDefinition(
        **top,
        role_groups=tuple(g for _, g in role_groups),
        dimensions=tuple(d for _, d in dimensions),
        sections=tuple(s for _, s in sections),
        bands=tuple(b for _, b in bands),
        recommendations=tuple(rec for _, rec in recommendations),
    )
    if r.problems:
        raise DefinitionError(r.problems, source)
    return definition


def load_definition(path: pathlib.Path) -> AssessmentDefinition:
    """Read and check a definition file; unreadable files and YAML syntax errors become DefinitionError too."""
    path = pathlib.Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionError([f"{path}: cannot be read ({error})"], str(path)) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}, line {mark.line + 1}" if mark else str(path)
        opened = getattr(error, "context_mark", None)
        detail = (getattr(error, "problem", None) or str(error)) + (
            f"; opened on line {opened.line + 1}" if opened else ""
        )
        raise DefinitionError([f"{where}: not valid YAML ({detail})"], str(path)) from None
    return parse_definition(data, source=str(path))
