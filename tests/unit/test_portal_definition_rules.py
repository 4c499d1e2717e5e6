"""The assessment definition's rules: each one broken reports a clear problem, all at once."""

import pytest

from consult.portal.definition import DefinitionError
from tests.unit.definition_fixtures import broken, problems_of, question


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
        "sections[1].questions[0].key: duplicate question key 'd0-q1' "
        "(first used at sections[0].questions[0])",
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
