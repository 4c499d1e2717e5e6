"""The assessment definition: the shipped YAML, defaults, lookups, band edges and reading files."""

import dataclasses
import pathlib
import subprocess
import sys

import pytest

from consult.portal.definition import AssessmentDefinition, Band, DefinitionError, Question
from consult.portal.definition_loading import load_definition, parse_definition
from tests.unit.definition_fixtures import minimal, question

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


def test_importing_the_modules_loads_neither_flask_nor_the_database_layer():
    code = (
        "import sys\nimport consult.portal.definition, consult.portal.definition_loading\n"
        "print(','.join(sorted(m for m in ('flask', 'sqlmodel', 'sqlalchemy')"
        " if m in sys.modules)))\n"
    )
    result = subprocess.run(  # noqa: S603  this very Python, on the fixed snippet above
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
