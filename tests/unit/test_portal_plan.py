"""The action plan: ranking by shortfall, importance and gap; ties; the band's advice; phases."""

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.portal.plan import (
    ActionPlan,
    PlannedAction,
    RankedDimension,
    build_action_plan,
    phases,
    rank_dimensions,
)
from consult.portal.scoring import DimensionResult, Gap, RoundResult, score_round
from tests.unit.portal_fixtures import SCALE_QUESTIONS, make_definition, people

DEFINITION = make_definition()
EVEN = make_definition(weights={"voice": 1.0})  # every dimension weighs 1
DIMENSIONS = tuple(SCALE_QUESTIONS)


def round_result(definition=EVEN, **dimensions) -> RoundResult:
    """A RoundResult from dimension=(mean, importance, gap) triples; one left out has no mean."""
    results, gaps = [], []
    for key in DIMENSIONS:
        mean, importance, gap = dimensions.get(key, (None, None, None))
        band = None if mean is None else definition.band_for(mean).key
        results.append(DimensionResult(key, mean, None, 3, None, False, importance, band))
        gaps.append(Gap(key, None, None, gap, gap is not None and abs(gap) >= 15))
    return RoundResult(9, tuple(results), (), tuple(gaps), None, None, 3)


def order(plan_or_ranked) -> list[str]:
    ranked = (
        plan_or_ranked.ranked_dimensions
        if isinstance(plan_or_ranked, ActionPlan)
        else plan_or_ranked
    )
    return [dimension.key for dimension in ranked]


def test_the_largest_shortfall_comes_first():
    ranked = rank_dimensions(
        EVEN,
        round_result(
            trust=(30.0, None, None), voice=(60.0, None, None), presence=(90.0, None, None)
        ),
    )
    assert order(ranked) == ["trust", "voice", "presence"]
    assert [item.shortfall for item in ranked] == pytest.approx([1.0, 40 / 70, 10 / 70])
    assert [item.priority for item in ranked] == pytest.approx([0.5, 0.5 * 40 / 70, 0.5 * 10 / 70])
    assert all(item.importance == 0.0 and item.gap == 0.0 for item in ranked)


def test_weight_multiplies_the_shortfall():
    ranked = rank_dimensions(
        DEFINITION, round_result(DEFINITION, trust=(30.0, None, None), voice=(60.0, None, None))
    )
    assert order(ranked) == ["voice", "trust"]  # 40 × 2 = 80 outweighs 70 × 1
    assert [item.shortfall for item in ranked] == pytest.approx([1.0, 70 / 80])


def test_importance_ranks_equal_scores():
    ranked = rank_dimensions(
        EVEN,
        round_result(trust=(50.0, 2.0, None), voice=(50.0, 5.0, None), presence=(50.0, None, None)),
    )
    assert order(ranked) == ["voice", "trust", "presence"]
    assert [item.importance for item in ranked] == [1.0, 0.25, 0.0]
    assert [item.priority for item in ranked] == pytest.approx([0.8, 0.575, 0.5])


def test_the_size_of_the_gap_ranks_equal_scores_whatever_its_sign():
    ranked = rank_dimensions(
        EVEN,
        round_result(
            trust=(50.0, None, 10.0), voice=(50.0, None, -40.0), presence=(50.0, None, None)
        ),
    )
    assert order(ranked) == ["voice", "trust", "presence"]
    assert [item.gap for item in ranked] == pytest.approx([0.4, 0.1, 0.0])
    assert [item.priority for item in ranked] == pytest.approx([0.58, 0.52, 0.5])


def test_priority_is_half_shortfall_three_tenths_importance_one_fifth_gap():
    ranked = rank_dimensions(
        EVEN,
        round_result(trust=(20.0, 4.0, 30.0), voice=(60.0, 1.0, None), presence=(0.0, None, -5.0)),
    )
    expected = {
        "trust": 0.5 * 0.8 + 0.3 * 0.75 + 0.2 * 0.3,
        "voice": 0.5 * 0.4,
        "presence": 0.5 + 0.2 * 0.05,
    }
    assert {item.key: item.priority for item in ranked} == pytest.approx(expected)
    assert order(ranked) == ["trust", "presence", "voice"]  # 0.685, 0.51, 0.2


def test_equal_priorities_keep_the_definition_order():
    same = dict(trust=(40.0, 3.0, 5.0), voice=(40.0, 3.0, -5.0), presence=(40.0, 3.0, 5.0))
    assert order(rank_dimensions(EVEN, round_result(**same))) == ["trust", "voice", "presence"]
    # Equal priorities made of different components: 0.5 × 0.7 + 0.3 × 0.5 = 0.5 × 1.0.
    assert order(
        rank_dimensions(EVEN, round_result(trust=(30.0, 3.0, None), voice=(0.0, None, None)))
    ) == ["trust", "voice"]
    assert order(
        rank_dimensions(EVEN, round_result(trust=(0.0, None, None), voice=(30.0, 3.0, None)))
    ) == ["trust", "voice"]


def test_dimensions_without_a_mean_are_not_ranked_and_perfect_scores_do_not_divide_by_zero():
    ranked = rank_dimensions(
        EVEN, round_result(trust=(100.0, None, None), presence=(100.0, 5.0, None))
    )
    assert order(ranked) == ["presence", "trust"]
    assert [item.shortfall for item in ranked] == [0.0, 0.0]
    assert rank_dimensions(EVEN, round_result()) == ()
    assert build_action_plan(EVEN, round_result()) == ActionPlan((), ())


SPREAD_OUT = dict(trust=(20.0, None, None), voice=(50.0, None, None), presence=(80.0, None, None))


def test_actions_are_the_recommendations_of_each_top_dimensions_band_ordered_by_phase_then_rank():
    plan = build_action_plan(EVEN, round_result(**SPREAD_OUT))
    assert order(plan) == ["trust", "voice", "presence"]
    assert [
        (action.phase_days, action.priority_rank, action.recommendation_key)
        for action in plan.actions
    ] == [
        (30, 1, "trust-starting-0"),
        (30, 2, "voice-developing-1"),
        (60, 1, "trust-starting-1"),
        (60, 2, "voice-developing-0"),
        (90, 1, "trust-starting-2"),
        (90, 3, "presence-established-0"),
    ]


def test_top_limits_the_dimensions_that_get_actions():
    plan = build_action_plan(EVEN, round_result(**SPREAD_OUT), top=1)
    assert {action.dimension for action in plan.actions} == {"trust"} and len(
        plan.ranked_dimensions
    ) == 3
    assert [action.phase_days for action in plan.actions] == [30, 60, 90]
    assert build_action_plan(EVEN, round_result(**SPREAD_OUT), top=0).actions == ()


def test_a_planned_action_carries_the_recommendation():
    recommendation = next(item for item in EVEN.recommendations if item.key == "trust-starting-0")
    action = build_action_plan(EVEN, round_result(**SPREAD_OUT)).actions[0]
    assert action == PlannedAction(
        recommendation_key="trust-starting-0",
        dimension="trust",
        phase_days=30,
        title=recommendation.title,
        why=recommendation.why,
        steps=recommendation.steps,
        effort="low",
        impact="high",
        blog_tags=("trust",),
        consultation_type="working-session",
        priority_rank=1,
    )


def test_phases_group_actions_by_30_60_90_in_plan_order():
    plan = build_action_plan(EVEN, round_result(**SPREAD_OUT))
    grouped = phases(plan)
    assert list(grouped) == [30, 60, 90]
    assert [action.recommendation_key for action in grouped[60]] == [
        "trust-starting-1",
        "voice-developing-0",
    ]
    assert sum(len(actions) for actions in grouped.values()) == len(plan.actions)
    only_late = build_action_plan(EVEN, round_result(presence=(90.0, None, None)))
    assert phases(only_late) == {30: (), 60: (), 90: only_late.actions}


def test_a_plan_from_a_scored_round_follows_its_bands():
    respondents = people(
        "executives", 3, {"trust": 5, "voice": 4, "presence": 2}, {"presence": 5}
    ) + people("nurses", 3, {"trust": 2, "voice": 3, "presence": 2}, {"trust": 4})
    result = score_round(DEFINITION, respondents)
    plan = build_action_plan(DEFINITION, result)
    assert order(plan) == [
        "presence",
        "trust",
        "voice",
    ]  # 0.5 + 0.3; 0.25 + 0.225 + 0.15; 0.5 + 0.05
    for action in plan.actions:
        band = result.dimension(action.dimension).band
        assert action.recommendation_key in {
            item.key for item in DEFINITION.recommendations_for(action.dimension, band)
        }


means = st.one_of(st.none(), st.floats(0, 100))
importances = st.one_of(st.none(), st.floats(1, 5))
gaps = st.one_of(st.none(), st.floats(-100, 100))


@settings(max_examples=300)
@given(
    st.fixed_dictionaries({key: st.tuples(means, importances, gaps) for key in DIMENSIONS}),
    st.integers(0, 4),
)
def test_plan_invariants(dimensions, top):
    result = round_result(DEFINITION, **dimensions)
    plan = build_action_plan(DEFINITION, result, top=top)
    assert set(order(plan)) == {key for key, (mean, _, _) in dimensions.items() if mean is not None}
    priorities = [item.priority for item in plan.ranked_dimensions]
    assert all(earlier >= later - 1e-9 for earlier, later in pairwise(priorities))
    for item in plan.ranked_dimensions:
        assert isinstance(item, RankedDimension)
        assert all(
            0.0 <= value <= 1.0
            for value in (item.shortfall, item.importance, item.gap, item.priority)
        )
    assert [(action.phase_days, action.priority_rank) for action in plan.actions] == sorted(
        (action.phase_days, action.priority_rank) for action in plan.actions
    )
    top_keys = order(plan)[:top]
    assert {action.dimension for action in plan.actions} == set(top_keys)
    for action in plan.actions:
        assert top_keys[action.priority_rank - 1] == action.dimension
        band = result.dimension(action.dimension).band
        assert action.recommendation_key in {
            item.key for item in DEFINITION.recommendations_for(action.dimension, band)
        }
