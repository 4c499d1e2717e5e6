"""Scoring a round: hidden small groups, dimension results, agreement, gaps; their properties."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.portal.figures import whole
from consult.portal.respondent_scoring import (
    agreement_from_spread,
    population_spread,
    score_respondent,
)
from consult.portal.scoring import Respondent, RoundResult, score_round
from tests.unit.portal_fixtures import (
    GROUPS,
    SCALE_QUESTIONS,
    answers_at,
    in_range,
    make_definition,
    people,
    respondent_lists,
)

DEFINITION = make_definition()
DIMENSIONS = tuple(SCALE_QUESTIONS)


def test_a_group_below_the_minimum_shows_nothing():
    respondents = (
        people("executives", 4, {"trust": 4, "voice": 4})
        + people("managers", 3, {"trust": 3}, prefix="m")
        + people("nurses", 2, {"trust": 2, "voice": 2}, prefix="n")
    )
    result = score_round(DEFINITION, respondents)
    assert result.min_group_size == 3
    executives, nurses = result.group("executives"), result.group("nurses")
    assert executives.shown and executives.respondents == 4
    assert executives.dimension_means == {"trust": 75.0, "voice": 75.0, "presence": None}
    assert executives.overall == 75.0
    assert not nurses.shown and nurses.respondents == 2
    assert (
        nurses.dimension_means == {"trust": None, "voice": None, "presence": None}
        and nurses.overall is None
    )
    # the nurses alone (2) could be worked out from the whole round: the smallest shown group is
    # hidden with them
    assert (
        not result.group("managers").shown
        and result.group("managers").dimension_means == nurses.dimension_means
    )
    assert [group.key for group in result.groups] == list(GROUPS)


def test_min_group_size_can_be_overridden_per_call():
    respondents = people("nurses", 2, {"trust": 2})
    assert not score_round(DEFINITION, respondents).group("nurses").shown
    shown = score_round(DEFINITION, respondents, min_group_size=2).group("nurses")
    assert shown.shown and shown.dimension_means["trust"] == 25.0


def test_a_shown_group_hides_a_dimension_too_few_of_its_members_could_score():
    respondents = people("managers", 2, {"trust": 4}) + people(
        "managers", 2, {"trust": 2, "presence": 5}, prefix="m2"
    )
    group = score_round(DEFINITION, respondents).group("managers")
    assert group.shown and group.dimension_means == {"trust": 50.0, "voice": None, "presence": None}


def test_dimension_results_across_the_round():
    respondents = (
        people("executives", 2, {"trust": 5}, {"trust": 5})
        + people("nurses", 2, {"trust": 1}, {"trust": 2})
        + [Respondent("unsure", "nurses", answers_at({"trust": None}, {"trust": None}))]
    )
    result = score_round(DEFINITION, respondents)
    trust = result.dimension("trust")
    assert result.respondent_count == 5
    assert (trust.mean, trust.spread, trust.respondents, trust.agreement, trust.low_agreement) == (
        50.0,
        50.0,
        4,
        0.0,
        True,
    )
    assert trust.importance == 3.5 and trust.band == "developing"
    voice = result.dimension("voice")
    assert (
        voice.mean,
        voice.spread,
        voice.respondents,
        voice.agreement,
        voice.importance,
        voice.band,
    ) == (None, None, 0, None, None, None)
    assert not voice.low_agreement
    assert result.overall == 50.0 and result.band == "developing"


@pytest.mark.parametrize(
    "points, spread, agreement, low",
    [
        ((3, 3, 3), 0.0, 100.0, False),
        ((1, 5), 50.0, 0.0, True),
        ((2, 4), 25.0, 50.0, True),
        ((3, 4), 12.5, 75.0, False),
        ((1, 1, 5, 5), 50.0, 0.0, True),
    ],
)
def test_agreement_is_100_times_one_minus_spread_over_50(points, spread, agreement, low):
    respondents = [
        Respondent(f"r{index}", "nurses", answers_at({"voice": point}))
        for index, point in enumerate(points)
    ]
    voice = score_round(DEFINITION, respondents).dimension("voice")
    assert (voice.spread, voice.agreement, voice.low_agreement) == (spread, agreement, low)


def test_agreement_needs_two_scores_and_is_clipped():
    lonely = score_round(DEFINITION, people("nurses", 1, {"voice": 5})).dimension("voice")
    assert (lonely.mean, lonely.spread, lonely.agreement, lonely.low_agreement) == (
        100.0,
        None,
        None,
        False,
    )
    assert population_spread([7.0]) is None
    assert (
        agreement_from_spread(60.0) == 0.0
        and agreement_from_spread(0.0) == 100.0
        and agreement_from_spread(None) is None
    )
    assert agreement_from_spread(30.0) == 40.0


def test_a_gap_of_exactly_the_threshold_is_flagged():
    respondents = (
        people("executives", 3, {"trust": 4})
        + people("nurses", 3, {"trust": 3})
        + people("staff", 2, {"trust": 4})
    )
    result = score_round(DEFINITION, respondents)
    gap = result.gap("trust")
    assert (gap.leadership_mean, gap.front_line_mean, gap.gap, gap.flagged) == (
        75.0,
        60.0,
        15.0,
        True,
    )
    assert not result.group("staff").shown  # the small group still counts in its side's pool


def test_a_gap_just_below_the_threshold_is_not_flagged():
    respondents = (
        people("managers", 3, {"voice": 4})
        + people("nurses", 3, {"voice": 3})
        + people("staff", 3, {"voice": 4})
    )
    gap = score_round(DEFINITION, respondents).gap("voice")
    # 75 and 62.5 show as 75 and 63: the gap shown, and judged against the threshold, is 12.
    assert (gap.leadership_mean, gap.front_line_mean) == (75.0, 62.5)
    assert (gap.gap, gap.shown_gap, gap.flagged) == (12.5, 12, False)
    assert score_round(DEFINITION, respondents, gap_threshold=12).gap("voice").flagged
    assert not score_round(DEFINITION, respondents, gap_threshold=13).gap("voice").flagged


def test_a_negative_gap_is_flagged_by_its_size():
    respondents = people("executives", 3, {"presence": 2}) + people("staff", 3, {"presence": 5})
    gap = score_round(DEFINITION, respondents).gap("presence")
    assert (gap.gap, gap.flagged) == (-75.0, True)


def test_no_gap_when_a_side_has_too_few_scores():
    respondents = (
        people("executives", 2, {"trust": 5})
        + people("managers", 1, {"voice": 5})
        + people("nurses", 5, {"trust": 1, "voice": 1})
    )
    result = score_round(DEFINITION, respondents)
    for dimension in DIMENSIONS:
        gap = result.gap(dimension)
        assert (gap.leadership_mean, gap.front_line_mean, gap.gap, gap.flagged) == (
            None,
            None,
            None,
            False,
        )
    pooled = score_round(
        DEFINITION, respondents + people("managers", 1, {"trust": 5}, prefix="late")
    )
    assert pooled.gap("trust").gap == 100.0 and pooled.gap("trust").flagged


def test_respondents_of_an_unknown_role_group_count_only_towards_dimensions():
    respondents = people("nurses", 3, {"trust": 5}) + people("retired", 3, {"trust": 1})
    result = score_round(DEFINITION, respondents)
    assert result.dimension("trust").mean == 50.0 and result.respondent_count == 6
    assert [group.key for group in result.groups] == list(GROUPS)
    assert result.group("nurses").dimension_means["trust"] == 100.0
    assert result.gap("trust").gap is None


def test_an_empty_round():
    result = score_round(DEFINITION, [])
    assert result.respondent_count == 0 and result.overall is None and result.band is None
    assert all(not group.shown for group in result.groups)
    with pytest.raises(KeyError):
        result.dimension("nope")


@settings(max_examples=150)
@given(respondent_lists, st.randoms(use_true_random=False))
def test_the_order_of_respondents_never_changes_a_round(respondents, random):
    shuffled = list(respondents)
    random.shuffle(shuffled)
    assert score_round(DEFINITION, shuffled) == score_round(DEFINITION, respondents)


@settings(max_examples=200)
@given(respondent_lists, st.integers(1, 6))
def test_a_group_below_the_minimum_never_exposes_a_number(respondents, minimum):
    result: RoundResult = score_round(DEFINITION, respondents, min_group_size=minimum)
    for group in result.groups:
        members = [respondent for respondent in respondents if respondent.role_group == group.key]
        assert group.respondents == len(members)
        if len(members) < minimum:
            assert not group.shown and group.overall is None
            assert all(value is None for value in group.dimension_means.values())
        for dimension, mean in group.dimension_means.items():
            scored = [
                m
                for m in members
                if score_respondent(DEFINITION, m.answers).dimension_scores[dimension] is not None
            ]
            assert mean is None or len(scored) >= minimum
    for gap in result.gaps:
        assert (gap.gap is None) == (gap.leadership_mean is None) == (gap.front_line_mean is None)
        assert gap.flagged == (gap.shown_gap is not None and abs(gap.shown_gap) >= 15)
        if gap.shown_gap is not None:
            assert gap.shown_gap == whole(gap.leadership_mean) - whole(gap.front_line_mean)
    assert all(
        in_range(dimension.mean) and in_range(dimension.agreement)
        for dimension in result.dimensions
    )
    assert all(
        dimension.spread is None or 0 <= dimension.spread <= 50 + 1e-9
        for dimension in result.dimensions
    )
    assert math.isfinite(result.overall) if result.overall is not None else result.band is None


def test_a_small_hidden_group_cannot_be_worked_out_by_subtraction():
    """A group of 2 hidden hides the smallest shown group too (complementary suppression)."""
    from pathlib import Path

    from consult.portal.definition_loading import load_definition
    from consult.portal.scoring import Respondent, score_round

    definition = load_definition(Path("content/assessments/partnership-readiness.yaml"))
    answers = {question.key: 3 for question in definition.questions if question.kind != "text"}
    respondents = (
        [Respondent(f"l{n}", "executive-leadership", answers) for n in range(3)]
        + [Respondent(f"p{n}", "providers", answers) for n in range(3)]
        + [Respondent(f"s{n}", "staff", answers) for n in range(4)]
        + [Respondent(f"a{n}", "patient-family-advisors", answers) for n in range(2)]
    )
    result = score_round(definition, respondents)
    shown = {group.key: group.shown for group in result.groups}
    # the advisors (front line) are hidden with the smallest other front-line group; leadership is
    # untouched
    assert shown == {
        "executive-leadership": True,
        "clinical-leadership": False,
        "providers": False,
        "staff": True,
        "patient-family-advisors": False,
    }
    assert all(value is None for value in result.group("providers").dimension_means.values())
