"""Portal benchmark: score a round of 1,000 seeded random respondents, then build its action plan.

The round is answered on the real assessment (content/assessments/).

Run: python -m bench.portal [--respondents 1000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import random

from bench.timing import timed
from consult.config import PROJECT_ROOT
from consult.portal.charts import radar_svg
from consult.portal.definition import AssessmentDefinition
from consult.portal.definition_loading import load_definition
from consult.portal.plan import build_action_plan
from consult.portal.scoring import Respondent, score_round

DEFINITION_PATH = PROJECT_ROOT / "content" / "assessments" / "partnership-readiness.yaml"


def random_respondents(
    definition: AssessmentDefinition, count: int, seed: int = 11
) -> list[Respondent]:
    """`count` respondents spread over every role group.

    1 answer in 20 is skipped, and about 1 in 12 is "not sure".
    """
    generator = random.Random(seed)
    groups = definition.role_groups
    respondents = []
    for number in range(count):
        group = groups[number % len(groups)]
        # Leaders lean a little higher than the front line, so that some gaps show.
        leaning = generator.choice((0, 1) if group.kind == "leadership" else (-1, 0))
        answers: dict[str, int | None | str] = {}
        for question in definition.questions:
            draw = generator.random()
            if draw < 0.05:
                continue
            if question.kind == "text":
                answers[question.key] = "We listen when there is time, which is rarely."
            elif question.allow_not_sure and draw < 0.13:
                answers[question.key] = None
            else:
                lean = -leaning if question.reverse else leaning
                answers[question.key] = min(5, max(1, generator.randint(1, 5) + lean))
        respondents.append(Respondent(f"respondent-{number}", group.key, answers))
    return respondents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--respondents", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    arguments = parser.parse_args()

    definition = load_definition(DEFINITION_PATH)
    respondents = random_respondents(definition, arguments.respondents)
    result = score_round(definition, respondents)
    plan = build_action_plan(definition, result)
    print(
        f"{len(respondents)} respondents, {len(definition.questions)} questions, "
        f"{len(definition.dimensions)} dimensions: "
        f"overall {result.overall:.1f} ({result.band}), {len(plan.actions)} actions, "
        f"{sum(gap.flagged for gap in result.gaps)} flagged gaps"
    )

    axes = [definition.dimension(dimension.key).name for dimension in result.dimensions]
    series = [("Whole round", [dimension.mean for dimension in result.dimensions])]
    names = {group.key: group.name for group in definition.role_groups}
    series += [
        (
            names[group.key],
            [group.dimension_means[dimension.key] for dimension in result.dimensions],
        )
        for group in result.groups
        if group.shown
    ]

    timed("score_round", lambda: score_round(definition, respondents), arguments.repeat)
    timed("build_action_plan", lambda: build_action_plan(definition, result), arguments.repeat)
    timed(
        "score_round + build_action_plan",
        lambda: build_action_plan(definition, score_round(definition, respondents)),
        arguments.repeat,
    )
    timed(
        f"radar_svg ({len(series)} series)",
        lambda: radar_svg(axes=axes, series=series, title="Readiness", description="By dimension"),
        arguments.repeat,
    )


if __name__ == "__main__":
    main()
