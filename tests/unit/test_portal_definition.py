"""The assessment definition: the shipped YAML, every validation rule, lookups and band edges."""

import dataclasses
import pathlib
import subprocess
import sys

import pytest

from consult.portal.definition import (
    AssessmentDefinition,
    Band,
    DefinitionError,
    Question,
    load_definition,
    parse_definition,
)

SHIPPED = (
    pathlib.Path(__file__).resolve().parents[2]
    / "content"
    / "assessments"
    / "partnership-readiness.yaml"
)
BLOG_TAGS = {
    "Listening",
    "Leadership",
    "Chronic illness",
    "Partnership",
    "Providers",
    "Measuring what matters",
}
DIMENSIONS = [f"d{i}" for i in range(6)]
BANDS = [("low", 0), ("mid", 50), ("high", 75)]


def minimal() -> dict:
    """The smallest definition that passes every rule: 6 dimensions, 32 questions, 3 bands."""

    def scale(d, n, reverse=False):
        return {
            "key": f"{d}-q{n}",
            "kind": "scale",
            "dimension": d,
            "text": f"Statement {n} about {d}.",
            "reverse": reverse,
        }

    sections = [
        {
            "key": f"s-{d}",
            "title": f"Section {d}",
            "intro": "About this.",
            "questions": [
                scale(d, 1, reverse=i < 3),
                scale(d, 2),
                scale(d, 3),
                scale(d, 4),
                {
                    "key": f"{d}-importance",
                    "kind": "importance",
                    "dimension": d,
                    "text": "How important now?",
                },
            ],
        }
        for i, d in enumerate(DIMENSIONS)
    ]
    sections.append(
        {
            "key": "words",
            "title": "In your words",
            "intro": "Optional.",
            "questions": [
                {"key": "words-1", "kind": "text", "text": "One change?"},
                {"key": "words-2", "kind": "text", "text": "Anything else?"},
            ],
        }
    )
    return {
        "key": "mini",
        "version": 1,
        "title": "Mini",
        "intro": "Answer alone.",
        "scale_labels": ["SD", "D", "N", "A", "SA"],
        "importance_labels": ["0", "1", "2", "3", "4"],
        "role_groups": [
            {"key": "leaders", "name": "Leaders", "kind": "leadership"},
            {"key": "staff", "name": "Staff", "kind": "front_line"},
        ],
        "dimensions": [
            {"key": d, "name": d.upper(), "description": f"About {d}."} for d in DIMENSIONS
        ],
        "sections": sections,
        "bands": [
            {"key": key, "name": key.title(), "min_score": score, "description": "."}
            for key, score in BANDS
        ],
        "recommendations": [
            {
                "key": f"{d}-{band}",
                "dimension": d,
                "bands": [band],
                "title": "Do a thing",
                "why": "Because.",
                "steps": ["First.", "Second."],
                "horizon_days": 30,
                "effort": "low",
                "impact": "high",
                "blog_tags": ["Listening"],
                "consultation_type": "working-session",
            }
            for d in DIMENSIONS
            for band, _ in BANDS
        ],
    }


def problems_of(data) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    return caught.value.problems


def broken(change) -> list[str]:
    data = minimal()
    change(data)
    return problems_of(data)


def question(data, section, index):
    return data["sections"][section]["questions"][index]


@pytest.fixture(scope="module")
def shipped() -> AssessmentDefinition:
    return load_definition(SHIPPED)


def test_the_shipped_definition_parses_and_meets_the_counts(shipped):
    assert (
        shipped.key == "partnership-readiness"
        and shipped.version == 1
        and shipped.min_group_size == 3
    )
    assert len(shipped.dimensions) == 8 and all(d.weight == 1.0 for d in shipped.dimensions)
    assert 42 <= len(shipped.questions) <= 43
    assert len(shipped.scale_labels) == 5 and len(shipped.importance_labels) == 5
    assert {g.kind for g in shipped.role_groups} == {"leadership", "front_line"} and len(
        shipped.role_groups
    ) == 5
    for dimension in shipped.dimensions:
        assert len(shipped.scale_questions(dimension.key)) == 4
        assert shipped.importance_question(dimension.key).kind == "importance"
    assert sum(q.reverse for q in shipped.questions) >= 3
    assert 2 <= sum(q.kind == "text" for q in shipped.questions) <= 3
    expected_bands = [("emerging", 0), ("developing", 40), ("established", 60), ("leading", 80)]
    assert [(b.key, b.min_score) for b in shipped.bands] == expected_bands
    assert len(shipped.recommendations) >= 32
    for dimension in shipped.dimensions:
        for band in shipped.bands:
            assert shipped.recommendations_for(dimension.key, band.key)
    for recommendation in shipped.recommendations:
        assert 2 <= len(recommendation.steps) <= 4 and set(recommendation.blog_tags) <= BLOG_TAGS
        assert recommendation.consultation_type in {
            "discovery-call",
            "leadership-strategy-session",
            "working-session",
        }
    assert isinstance(shipped.sections, tuple) and isinstance(
        shipped.recommendations[0].steps, tuple
    )


def test_a_minimal_definition_parses_with_defaults():
    definition = parse_definition(minimal())
    assert len(definition.questions) == 32 and definition.min_group_size == 3
    first = definition.question("d0-q1")
    assert first == Question(
        "d0-q1", "s-d0", "d0", "Statement 1 about d0.", "scale", True, True, True
    )  # "Not sure" offered by default
    assert (
        definition.question("words-1").required is False
        and definition.question("words-1").dimension is None
    )
    assert definition.dimension("d3").weight == 1.0
    assert [q.key for q in definition.scale_questions("d1")] == ["d1-q1", "d1-q2", "d1-q3", "d1-q4"]
    assert definition.importance_question("d1").key == "d1-importance"
    assert [r.key for r in definition.recommendations_for("d2", "mid")] == ["d2-mid"]
    assert definition.recommendations_for("d2", "nope") == ()


def test_optional_fields_are_read_when_given():
    data = minimal()
    data["min_group_size"] = 5
    data["dimensions"][0]["weight"] = 2.5
    question(data, 6, 0)["required"] = True
    question(data, 0, 1)["allow_not_sure"] = False
    del data["recommendations"][0]["consultation_type"]
    definition = parse_definition(data)
    assert definition.min_group_size == 5 and definition.dimension("d0").weight == 2.5
    assert (
        definition.question("words-1").required and not definition.question("d0-q2").allow_not_sure
    )
    assert definition.recommendations[0].consultation_type is None


def test_lookups_of_unknown_keys_raise_key_error():
    definition = parse_definition(minimal())
    for lookup in (
        definition.question,
        definition.dimension,
        definition.scale_questions,
        definition.importance_question,
    ):
        with pytest.raises(KeyError):
            lookup("missing")


def test_the_definition_is_frozen():
    definition = parse_definition(minimal())
    with pytest.raises(dataclasses.FrozenInstanceError):
        definition.version = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        definition.bands[0].min_score = 5  # type: ignore[misc]


def _drop_dimension(data):
    data["dimensions"].pop()
    data["sections"].pop(5)
    data["recommendations"] = [r for r in data["recommendations"] if r["dimension"] != "d5"]


def _extra_text_questions(data, count):
    data["sections"][6]["questions"] += [
        {"key": f"extra-{n}", "kind": "text", "text": "More?"} for n in range(count)
    ]


BREAKAGES = {
    "duplicate dimension": (
        lambda d: d["dimensions"][1].update(key="d0"),
        "dimensions[1].key: duplicate dimension key 'd0'",
    ),
    "duplicate role group": (
        lambda d: d["role_groups"][1].update(key="leaders"),
        "role_groups[1].key: duplicate role group key 'leaders'",
    ),
    "duplicate section": (
        lambda d: d["sections"][1].update(key="s-d0"),
        "sections[1].key: duplicate section key 's-d0'",
    ),
    "duplicate question across sections": (
        lambda d: question(d, 1, 0).update(key="d0-q1"),
        "sections[1].questions[0].key: duplicate question key 'd0-q1' (first used at sections[0].questions[0])",
    ),
    "duplicate recommendation": (
        lambda d: d["recommendations"][1].update(key="d0-low"),
        "recommendations[1].key: duplicate recommendation key",
    ),
    "duplicate band": (
        lambda d: d["bands"][1].update(key="low"),
        "bands[1].key: duplicate band key 'low'",
    ),
    "badly formed key": (
        lambda d: d["dimensions"][0].update(key="Bad Key"),
        "dimensions[0].key: must be lowercase letters",
    ),
    "unknown question dimension": (
        lambda d: question(d, 0, 1).update(dimension="nope"),
        "sections[0].questions[1].dimension: unknown dimension 'nope'",
    ),
    "scale question without dimension": (
        lambda d: question(d, 0, 1).pop("dimension"),
        "sections[0].questions[1].dimension: is required",
    ),
    "importance question without dimension": (
        lambda d: question(d, 0, 4).pop("dimension"),
        "sections[0].questions[4].dimension: is required",
    ),
    "unknown question kind": (
        lambda d: question(d, 0, 1).update(kind="slider"),
        "sections[0].questions[1].kind: must be one of scale, importance, text",
    ),
    "reverse importance question": (
        lambda d: question(d, 0, 4).update(reverse=True),
        "sections[0].questions[4].reverse: only scale questions",
    ),
    "not sure on text": (
        lambda d: question(d, 6, 0).update(allow_not_sure=True),
        "sections[6].questions[0].allow_not_sure: text questions cannot",
    ),
    "flag not boolean": (
        lambda d: question(d, 0, 1).update(required="yes"),
        "sections[0].questions[1].required: must be true or false",
    ),
    "question text missing": (
        lambda d: question(d, 0, 1).pop("text"),
        "sections[0].questions[1].text: is required",
    ),
    "unknown field": (
        lambda d: question(d, 0, 1).update(revers=True),
        "sections[0].questions[1]: unknown field 'revers'",
    ),
    "too few dimensions": (_drop_dimension, "dimensions: needs at least 6 dimensions, not 5"),
    "too few questions": (
        lambda d: [s["questions"].pop(3) for s in d["sections"][:3]],
        "sections: needs 30 to 50 questions in all, not 29",
    ),
    "too many questions": (
        lambda d: _extra_text_questions(d, 19),
        "sections: needs 30 to 50 questions in all, not 51",
    ),
    "too few scale questions": (
        lambda d: [question(d, 4, n).update(dimension="d0") for n in (0, 1)],
        "dimensions[4]: dimension 'd4' has 2 scale questions; needs at least 3",
    ),
    "no importance question": (
        lambda d: question(d, 2, 4).update(dimension="d1"),
        "dimensions[2]: dimension 'd2' has 0 importance questions",
    ),
    "two importance questions": (
        lambda d: question(d, 2, 4).update(dimension="d1"),
        "dimensions[1]: dimension 'd1' has 2 importance questions; needs exactly 1",
    ),
    "too few reverse questions": (
        lambda d: question(d, 0, 0).update(reverse=False),
        "sections: needs at least 3 reverse-scored scale questions, not 2",
    ),
    "too few text questions": (
        lambda d: d["sections"][6]["questions"].pop(),
        "sections: needs at least 2 text questions, not 1",
    ),
    "four scale labels": (
        lambda d: d["scale_labels"].pop(),
        "scale_labels: must have exactly 5 entries, not 4",
    ),
    "six importance labels": (
        lambda d: d["importance_labels"].append("5"),
        "importance_labels: must have exactly 5 entries, not 6",
    ),
    "labels not texts": (
        lambda d: d.update(scale_labels="SD..SA"),
        "scale_labels: must be a list of non-empty texts",
    ),
    "first band above 0": (
        lambda d: d["bands"][0].update(min_score=10),
        "bands[0].min_score: the first band must start at 0, not 10",
    ),
    "bands not increasing": (
        lambda d: d["bands"][2].update(min_score=50),
        "bands[2].min_score: must be greater than the previous band's 50",
    ),
    "band at 100": (
        lambda d: d["bands"][2].update(min_score=100),
        "bands[2].min_score: must be at least 0 and below 100, not 100",
    ),
    "band score not a number": (
        lambda d: d["bands"][1].update(min_score="fifty"),
        "bands[1].min_score: must be a number",
    ),
    "too few bands": (
        lambda d: d.update(bands=d["bands"][:2]),
        "bands: needs at least 3 bands, not 2",
    ),
    "recommendation unknown dimension": (
        lambda d: d["recommendations"][0].update(dimension="nope"),
        "recommendations[0].dimension: unknown dimension 'nope'",
    ),
    "recommendation unknown band": (
        lambda d: d["recommendations"][0].update(bands=["low", "top"]),
        "recommendations[0].bands: unknown band 'top'",
    ),
    "recommendation no bands": (
        lambda d: d["recommendations"][0].update(bands=[]),
        "recommendations[0].bands: must have at least 1",
    ),
    "horizon not 30/60/90": (
        lambda d: d["recommendations"][0].update(horizon_days=45),
        "recommendations[0].horizon_days: must be one of 30, 60, 90, not 45",
    ),
    "effort unknown": (
        lambda d: d["recommendations"][0].update(effort="huge"),
        "recommendations[0].effort: must be one of low, medium, high",
    ),
    "impact missing": (
        lambda d: d["recommendations"][0].pop("impact"),
        "recommendations[0].impact: is required",
    ),
    "no steps": (
        lambda d: d["recommendations"][0].update(steps=[]),
        "recommendations[0].steps: must have at least 1",
    ),
    "unknown consultation type": (
        lambda d: d["recommendations"][0].update(consultation_type="lunch"),
        "recommendations[0].consultation_type: must be one of",
    ),
    "pair not covered": (
        lambda d: d["recommendations"].pop(1),
        "recommendations: no recommendation for dimension 'd0' in band 'mid'",
    ),
    "weight zero": (
        lambda d: d["dimensions"][0].update(weight=0),
        "dimensions[0].weight: must be a number greater than 0, not 0",
    ),
    "weight negative": (
        lambda d: d["dimensions"][0].update(weight=-1.5),
        "dimensions[0].weight: must be a number greater than 0",
    ),
    "weight not a number": (
        lambda d: d["dimensions"][0].update(weight="heavy"),
        "dimensions[0].weight: must be a number greater than 0",
    ),
    "role kind invalid": (
        lambda d: d["role_groups"][1].update(kind="patients"),
        "role_groups[1].kind: must be one of leadership, front_line",
    ),
    "no front-line group": (
        lambda d: d["role_groups"][1].update(kind="leadership"),
        "role_groups: needs at least one 'front_line' group",
    ),
    "no leadership group": (
        lambda d: d["role_groups"].pop(0),
        "role_groups: needs at least one 'leadership' group",
    ),
    "version zero": (
        lambda d: d.update(version=0),
        "version: must be a whole number of at least 1, not 0",
    ),
    "version text": (
        lambda d: d.update(version="1"),
        "version: must be a whole number of at least 1, not '1'",
    ),
    "version boolean": (lambda d: d.update(version=True), "version: must be a whole number"),
    "version missing": (lambda d: d.pop("version"), "version: is required"),
    "group size one": (
        lambda d: d.update(min_group_size=1),
        "min_group_size: must be a whole number of at least 2, not 1",
    ),
    "sections not a list": (lambda d: d.update(sections={"a": 1}), "sections: must be a list"),
    "section not a mapping": (
        lambda d: d["sections"].append("oops"),
        "sections[7]: must be a mapping",
    ),
}


@pytest.mark.parametrize("change, expected", BREAKAGES.values(), ids=BREAKAGES.keys())
def test_each_rule_reports_a_clear_problem(change, expected):
    problems = broken(change)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_every_problem_is_reported_at_once():
    def change(data):
        data["version"] = 0
        question(data, 0, 1)["dimension"] = "nope"
        data["bands"][0]["min_score"] = 5
        data["recommendations"][3]["horizon_days"] = 7

    problems = broken(change)
    assert len(problems) >= 4
    wheres = (
        "version:",
        "sections[0].questions[1].dimension:",
        "bands[0].min_score:",
        "recommendations[3].horizon_days:",
    )
    for where in wheres:
        assert any(problem.startswith(where) for problem in problems), where
    error = DefinitionError(problems, source="demo.yaml")
    assert str(error).startswith(
        f"demo.yaml has {len(problems)} problem(s):"
    ) and "unknown dimension 'nope'" in str(error)


def test_a_root_that_is_not_a_mapping_is_one_problem():
    assert problems_of(["not", "a", "mapping"]) == [
        "definition: must be a mapping of `name: value` pairs"
    ]
    assert problems_of(None) == ["definition: must be a mapping of `name: value` pairs"]


@pytest.mark.parametrize(
    "score, band",
    [
        (0, "emerging"),
        (39.99, "emerging"),
        (40, "developing"),
        (59.999, "developing"),
        (60, "established"),
        (79.9, "established"),
        (80, "leading"),
        (100, "leading"),
    ],
)
def test_band_for_edges(shipped, score, band):
    assert shipped.band_for(score).key == band
    assert isinstance(shipped.band_for(score), Band)


@pytest.mark.parametrize("score", [-0.01, 100.01, float("nan")])
def test_band_for_rejects_scores_outside_0_to_100(shipped, score):
    with pytest.raises(ValueError):
        shipped.band_for(score)


def test_broken_yaml_names_the_file_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("key: broken\nversion: 1\ntitle: [unclosed\nintro: hello\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    (problem,) = caught.value.problems
    assert str(path) in problem and "line 4" in problem and "not valid YAML" in problem
    bad_indent = tmp_path / "indent.yaml"
    bad_indent.write_text("key: x\n  version: 1\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="line 2"):
        load_definition(bad_indent)


def test_load_definition_reports_missing_files_and_rule_problems_with_the_path(tmp_path):
    with pytest.raises(DefinitionError, match="cannot be read"):
        load_definition(tmp_path / "absent.yaml")
    path = tmp_path / "small.yaml"
    path.write_text("key: small\nversion: 1\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    assert caught.value.source == str(path) and str(path) in str(caught.value)
    assert "title: is required" in caught.value.problems


def test_importing_the_module_loads_neither_flask_nor_the_database_layer():
    code = (
        "import sys\nimport consult.portal.definition\n"
        "print(','.join(sorted(m for m in ('flask', 'sqlmodel', 'sqlalchemy') if m in sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
