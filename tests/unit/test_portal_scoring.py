"""Scoring: reverse questions, "not sure", the half-answered rule, weights, bands, hidden small groups, gaps, agreement."""

import math
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.portal.scoring import (
    Respondent,
    RoundResult,
    agreement_from_spread,
    benchmark,
    compare_rounds,
    population_spread,
    rounded,
    score_respondent,
    score_round,
)
from tests.unit.portal_fixtures import SCALE_QUESTIONS, answers_at, make_definition, people

DEFINITION = make_definition()
DIMENSIONS = tuple(SCALE_QUESTIONS)
GROUPS = ("executives", "managers", "nurses", "staff")
MISSING = object()


def dimension_score(answers, dimension, definition=DEFINITION):
    return score_respondent(definition, answers).dimension_scores[dimension]


# --- one respondent ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("point, expected", [(1, 0.0), (2, 25.0), (3, 50.0), (4, 75.0), (5, 100.0)])
def test_a_point_maps_linearly_onto_0_to_100(point, expected):
    assert dimension_score({"p1": point, "p2": point, "p3": point}, "presence") == expected


def test_a_reverse_question_counts_six_minus_the_answer():
    assert dimension_score({"t3": 5, "t4": 1}, "trust") == 100.0
    assert dimension_score({"t3": 5, "t4": 5}, "trust") == 50.0
    assert dimension_score({"t3": 1, "t4": 5}, "trust") == 0.0
    assert dimension_score({"v1": 2, "v2": 4}, "voice") == 25.0


def test_not_sure_and_unanswered_are_left_out_of_the_mean():
    assert dimension_score({"t1": 5, "t2": None, "t3": 1}, "trust") == 50.0
    assert dimension_score({"t1": 5, "t2": None, "t3": None, "t4": 2}, "trust") == 87.5


def test_exactly_half_answered_is_enough_and_fewer_is_not():
    assert dimension_score({"t1": 4, "t2": 4}, "trust") == 75.0  # 2 of 4
    assert dimension_score({"t1": 4, "t2": None, "t3": None, "t4": None}, "trust") is None  # 1 of 4
    assert dimension_score({"v1": 3}, "voice") == 50.0  # 1 of 2
    assert dimension_score({"p1": 3, "p2": 5}, "presence") == 75.0  # 2 of 3: ceil(3/2) = 2
    assert dimension_score({"p1": 3, "p2": None, "p3": None}, "presence") is None  # 1 of 3


def test_free_text_is_never_scored_and_unknown_keys_are_ignored():
    plain = score_respondent(DEFINITION, answers_at({"trust": 4}))
    assert (
        score_respondent(
            DEFINITION, answers_at({"trust": 4}) | {"comments": "<b>5</b>", "extra": 1}
        )
        == plain
    )


@pytest.mark.parametrize("bad", [0, 6, -1, True, "4", 4.0])
def test_an_answer_outside_1_to_5_is_refused(bad):
    with pytest.raises(ValueError, match="t1"):
        score_respondent(DEFINITION, {"t1": bad})
    with pytest.raises(ValueError, match="voice_importance"):
        score_respondent(DEFINITION, {"voice_importance": bad})


def test_overall_is_the_weighted_mean_renormalised_over_available_dimensions():
    everything = score_respondent(DEFINITION, answers_at({"trust": 5, "voice": 1, "presence": 3}))
    assert everything.dimension_scores == {"trust": 100.0, "voice": 0.0, "presence": 50.0}
    assert everything.overall == (100 * 1 + 0 * 2 + 50 * 1) / 4 == 37.5
    assert everything.band == "starting"
    without_voice = score_respondent(
        DEFINITION, answers_at({"trust": 5, "voice": None, "presence": 3})
    )
    assert without_voice.dimension_scores["voice"] is None
    assert without_voice.overall == 75.0 and without_voice.band == "established"
    heavier_presence = make_definition(weights={"presence": 3.0})
    assert (
        score_respondent(heavier_presence, answers_at({"trust": 5, "presence": 1})).overall == 25.0
    )


def test_nothing_scored_gives_no_overall_and_no_band():
    empty = score_respondent(DEFINITION, {"comments": "hello", "t1": None})
    assert empty.overall is None and empty.band is None
    assert set(empty.dimension_scores.values()) == {None}


@pytest.mark.parametrize(
    "points, overall, band",
    [
        ({"presence": 1}, 0.0, "starting"),
        ({"trust": 3, "voice": 2}, 100 / 3, "starting"),  # (50 + 2 × 25) / 3
        ({"voice": 3}, 50.0, "developing"),
        ({"trust": 5, "voice": 3, "presence": 4}, 68.75, "developing"),  # (100 + 2 × 50 + 75) / 4
        ({"trust": 5, "voice": 4, "presence": 3}, 75.0, "established"),  # (100 + 2 × 75 + 50) / 4
        ({"trust": 5, "voice": 5, "presence": 5}, 100.0, "established"),
    ],
)
def test_the_band_follows_the_overall_score(points, overall, band):
    result = score_respondent(DEFINITION, answers_at(points))
    assert result.overall == pytest.approx(overall) and result.band == band


def test_importance_answers_are_kept_per_dimension_with_not_sure_as_none():
    result = score_respondent(DEFINITION, {"trust_importance": 5, "voice_importance": None})
    assert result.importance == {"trust": 5, "voice": None, "presence": None}


# --- a round ----------------------------------------------------------------------------------------------------


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
    # the nurses alone (2) could be worked out from the whole round: the smallest shown group is hidden with them
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
    assert (gap.gap, gap.flagged) == (12.5, False)
    assert score_round(DEFINITION, respondents, gap_threshold=12.5).gap("voice").flagged
    assert not score_round(DEFINITION, respondents, gap_threshold=12.6).gap("voice").flagged


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


# --- comparing and benchmarking ---------------------------------------------------------------------------------


def test_compare_rounds_gives_current_minus_previous():
    previous = score_round(DEFINITION, people("nurses", 3, {"trust": 2, "voice": 4}))
    current = score_round(DEFINITION, people("nurses", 3, {"trust": 4, "voice": 3, "presence": 5}))
    assert compare_rounds(previous, current) == {"trust": 50.0, "voice": -25.0, "presence": None}
    assert compare_rounds(current, current) == {"trust": 0.0, "voice": 0.0, "presence": 0.0}


def test_benchmark_needs_enough_organisations_with_results():
    this = {"trust": 60.0, "voice": 40.0}
    others = [
        {"trust": 50.0, "voice": 50.0},
        {"trust": 70.0, "voice": 30.0},
        {"trust": 40.0, "voice": None},
    ]
    assert benchmark(this, others) is None  # 4 organisations
    assert (
        benchmark(this, others + [{"trust": None, "voice": None}]) is None
    )  # the fifth has no results
    assert (
        benchmark({"trust": None}, others + [{"trust": 80.0}]) is None
    )  # this one has none either
    enough = benchmark(this, others + [{"trust": 80.0, "voice": 45.0}])
    assert enough == {
        "trust": (60.0, 0.0)
    }  # voice: only 3 others scored it, 4 organisations in all
    assert benchmark(this, others, min_organisations=4) == {
        "trust": (50.0, 10.0)
    }  # voice: 3 organisations
    assert benchmark(this, others, min_organisations=3) == {
        "trust": (50.0, 10.0),
        "voice": (40.0, 0.0),
    }


def test_benchmark_median_of_an_even_count_and_of_an_odd_count():
    others = [{"trust": value} for value in (10.0, 20.0, 40.0, 90.0)]
    assert benchmark({"trust": 50.0}, others) == {"trust": (30.0, 20.0)}
    assert benchmark({"trust": 50.0}, others + [{"trust": 95.0}]) == {"trust": (40.0, 10.0)}
    assert benchmark({"trust": 50.0}, [{"trust": 0.0}], min_organisations=2) == {
        "trust": (0.0, 50.0)
    }


def test_rounded_is_for_display_only():
    assert (
        rounded(None) is None
        and rounded(2 / 3 * 100) == 66.7
        and rounded(0.04) == 0.0
        and rounded(12.344, 2) == 12.34
    )
    presence = score_round(
        DEFINITION, [Respondent("a", "nurses", {"p1": 2, "p2": 2, "p3": 3})]
    ).dimension("presence")
    assert presence.mean == 100 / 3 and rounded(presence.mean) == 33.3


def test_the_scoring_modules_load_neither_flask_nor_the_database_layer():
    code = (
        "import sys\nimport consult.portal.scoring, consult.portal.plan, consult.portal.charts\n"
        "print(','.join(m for m in ('flask', 'sqlmodel', 'sqlalchemy') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


# --- properties -------------------------------------------------------------------------------------------------

ANSWERED_KEYS = [question.key for question in DEFINITION.questions if question.kind != "text"]
answer_sheets = st.fixed_dictionaries(
    {key: st.one_of(st.just(MISSING), st.none(), st.integers(1, 5)) for key in ANSWERED_KEYS}
).map(lambda sheet: {key: value for key, value in sheet.items() if value is not MISSING})
respondent_lists = st.lists(
    st.tuples(st.sampled_from(GROUPS + ("retired",)), answer_sheets), max_size=14
).map(
    lambda rows: [
        Respondent(f"r{index}", group, answers) for index, (group, answers) in enumerate(rows)
    ]
)


def in_range(value):
    return value is None or 0.0 <= value <= 100.0


@settings(max_examples=300)
@given(answer_sheets)
def test_every_score_stays_within_0_and_100(answers):
    result = score_respondent(DEFINITION, answers)
    assert all(in_range(score) for score in result.dimension_scores.values()) and in_range(
        result.overall
    )
    assert (result.band is None) == (result.overall is None)


@settings(max_examples=300)
@given(answer_sheets, st.sampled_from([key for key in ANSWERED_KEYS if "importance" not in key]))
def test_adding_a_not_sure_keeps_scores_in_range_and_equals_leaving_it_unanswered(answers, key):
    unanswered = {name: value for name, value in answers.items() if name != key}
    unsure = unanswered | {key: None}
    assert score_respondent(DEFINITION, unsure) == score_respondent(DEFINITION, unanswered)
    before, after = score_respondent(DEFINITION, answers), score_respondent(DEFINITION, unsure)
    for dimension in DIMENSIONS:
        assert in_range(after.dimension_scores[dimension])
        if before.dimension_scores[dimension] is None:
            assert (
                after.dimension_scores[dimension] is None
            )  # fewer answers never make a score appear


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
        assert gap.flagged <= (gap.gap is not None and abs(gap.gap) >= 15.0)
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
    """With one group of 2 hidden, the smallest shown group is hidden too (complementary suppression)."""
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
    # the advisors (front line) are hidden with the smallest other front-line group; leadership is untouched
    assert shown == {
        "executive-leadership": True,
        "clinical-leadership": False,
        "providers": False,
        "staff": True,
        "patient-family-advisors": False,
    }
    assert all(value is None for value in result.group("providers").dimension_means.values())
