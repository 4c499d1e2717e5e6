"""Reading an assessment definition from YAML into its schema, with every problem reported at once.

No Flask, no database. Fields are read by `FieldReader` (bad ones noted, the reading going on),
then the rules between parts come from `definition_rules`.
"""

from __future__ import annotations

import math
import pathlib
from dataclasses import fields

from consult.frontmatter import ContentFileError, read_text_file, read_yaml
from consult.portal.definition import (
    CONSULTATION_TYPES,
    HORIZONS,
    LEVELS,
    QUESTION_KINDS,
    ROLE_KINDS,
    AssessmentDefinition,
    Band,
    DefinitionError,
    Dimension,
    Question,
    Recommendation,
    RoleGroup,
    Section,
)
from consult.portal.definition_fields import (
    REQUIRED,
    FieldReader,
    Raw,
    is_bool,
    is_key,
    is_number,
    is_positive_number,
    is_text,
    whole_number_from,
)
from consult.portal.definition_rules import definition_problems, field_path

LABEL_COUNT = 5
FIELDS = {
    "definition": {f.name for f in fields(AssessmentDefinition)},
    "role_group": {f.name for f in fields(RoleGroup)},
    "dimension": {f.name for f in fields(Dimension)},
    "section": {f.name for f in fields(Section)},
    "question": {f.name for f in fields(Question)} - {"section"},
    "band": {f.name for f in fields(Band)},
    "recommendation": {f.name for f in fields(Recommendation)},
}


def _key(r: FieldReader, d: Raw, w: str) -> str:
    return r.get(d, w, "key", "lowercase letters and digits joined by - or _", is_key) or ""


def _role_group(r: FieldReader, d: Raw, w: str) -> RoleGroup:
    return RoleGroup(_key(r, d, w), r.text(d, w, "name"), r.choice(d, w, "kind", ROLE_KINDS) or "")


def _dimension(r: FieldReader, d: Raw, w: str) -> Dimension:
    weight = r.get(d, w, "weight", "a number greater than 0", is_positive_number, 1.0)
    return Dimension(
        _key(r, d, w), r.text(d, w, "name"), r.text(d, w, "description"), float(weight or 0)
    )


def _band(r: FieldReader, d: Raw, w: str) -> Band:
    given = r.get(d, w, "min_score", "a number", is_number)
    min_score = math.nan if given is None else float(given)  # NaN once reported: checks skip it
    return Band(_key(r, d, w), r.text(d, w, "name"), min_score, r.text(d, w, "description"))


def _recommendation(r: FieldReader, d: Raw, w: str) -> Recommendation:
    return Recommendation(
        key=_key(r, d, w),
        dimension=r.text(d, w, "dimension"),
        bands=r.texts(d, w, "bands", minimum=1),
        title=r.text(d, w, "title"),
        why=r.text(d, w, "why"),
        steps=r.texts(d, w, "steps", minimum=1),
        horizon_days=r.choice(d, w, "horizon_days", HORIZONS) or 0,
        effort=r.choice(d, w, "effort", LEVELS) or "",
        impact=r.choice(d, w, "impact", LEVELS) or "",
        blog_tags=r.texts(d, w, "blog_tags"),
        consultation_type=r.choice(d, w, "consultation_type", CONSULTATION_TYPES, default=None),
    )


def _question(r: FieldReader, d: Raw, w: str, section: str) -> Question:
    kind = r.choice(d, w, "kind", QUESTION_KINDS) or ""
    scored = kind in ("scale", "importance")
    dimension = r.get(d, w, "dimension", "non-empty text", is_text, REQUIRED if scored else None)

    def flag(name: str, default: bool) -> bool | None:
        return r.get(d, w, name, "true or false", is_bool, default)

    reverse, allow_not_sure, required = (
        flag("reverse", False),
        flag("allow_not_sure", scored),
        flag("required", scored),
    )
    if reverse and kind != "scale":
        r.add(field_path(w, "reverse"), "only scale questions can be reverse-scored")
    if allow_not_sure and kind == "text":
        r.add(field_path(w, "allow_not_sure"), "text questions cannot offer 'Not sure'")
    return Question(
        _key(r, d, w),
        section,
        dimension.strip() if dimension else dimension,
        r.text(d, w, "text"),
        kind,
        bool(reverse),
        bool(allow_not_sure),
        bool(required),
    )


def _section(r: FieldReader, d: Raw, w: str) -> tuple[Section, list[tuple[str, Question]]]:
    key = _key(r, d, w)

    def question(reader: FieldReader, raw: Raw, at: str) -> Question:
        return _question(reader, raw, at, key)

    located = r.each(d, w, "questions", "question", question)
    section = Section(
        key, r.text(d, w, "title"), r.text(d, w, "intro"), tuple(q for _, q in located)
    )
    return section, located


def parse_definition(data: object, *, source: str = "definition") -> AssessmentDefinition:
    """Build an assessment definition from plain data (as loaded from YAML).

    DefinitionError lists every problem found.
    """
    r = FieldReader(FIELDS)
    if not r.mapping(data, "", "definition"):
        raise DefinitionError(r.problems, source)
    key = _key(r, data, "")
    title = r.text(data, "", "title")
    intro = r.text(data, "", "intro")
    version = r.get(data, "", "version", "a whole number of at least 1", whole_number_from(1))
    min_group_size = r.get(
        data, "", "min_group_size", "a whole number of at least 2", whole_number_from(2), 3
    )
    scale_labels = r.texts(data, "", "scale_labels", exactly=LABEL_COUNT)
    importance_labels = r.texts(data, "", "importance_labels", exactly=LABEL_COUNT)
    role_groups = r.each(data, "", "role_groups", "role_group", _role_group)
    dimensions = r.each(data, "", "dimensions", "dimension", _dimension)
    built_sections = r.each(data, "", "sections", "section", _section)
    sections = [(where, section) for where, (section, _) in built_sections]
    questions = [pair for _, (_, located) in built_sections for pair in located]
    bands = r.each(data, "", "bands", "band", _band)
    recommendations = r.each(data, "", "recommendations", "recommendation", _recommendation)
    r.problems += definition_problems(
        role_groups=role_groups,
        dimensions=dimensions,
        sections=sections,
        questions=questions,
        bands=bands,
        recommendations=recommendations,
    )
    if r.problems:
        raise DefinitionError(r.problems, source)
    return AssessmentDefinition(
        key=key,
        version=version or 0,
        title=title,
        intro=intro,
        scale_labels=scale_labels,
        importance_labels=importance_labels,
        role_groups=tuple(g for _, g in role_groups),
        dimensions=tuple(d for _, d in dimensions),
        sections=tuple(s for _, s in sections),
        bands=tuple(b for _, b in bands),
        recommendations=tuple(rec for _, rec in recommendations),
        min_group_size=min_group_size or 0,
    )


def load_definition(path: pathlib.Path) -> AssessmentDefinition:
    """Read and check a definition file.

    Unreadable files and YAML that cannot be read become DefinitionError too.
    """
    path = pathlib.Path(path)
    try:
        text = read_text_file(path)
    except ContentFileError as error:
        raise DefinitionError([f"{path}: {error}"], str(path)) from None
    try:
        data = read_yaml(text)
    except ContentFileError as error:
        where = f"{path}, line {error.line}" if error.line else str(path)
        raise DefinitionError([f"{where}: not valid YAML ({error})"], str(path)) from None
    return parse_definition(data, source=str(path))
