"""One rounding rule: figures shown half up, and everything derived from them agrees with them."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consult.portal.comparison import benchmark, compare_rounds, peer_figures
from consult.portal.figures import (
    change_words,
    difference,
    score_text,
    signed,
    tenths,
    urgency_text,
    whole,
)
from consult.portal.respondent_scoring import band_key
from consult.portal.scoring import Respondent, score_round
from tests.unit.portal_fixtures import answers_at, make_definition

DEFINITION = make_definition()
scores = st.floats(0, 100, allow_nan=False)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(68.5, 69), (67.5, 68), (0.5, 1), (99.5, 100), (68.49, 68), (68.4999999999999, 69)],
)
def test_scores_are_shown_whole_halves_up_and_float_noise_settled(value, shown):
    # Python's round() and "%.0f" round halves to even (68.5 -> 68): not here.
    assert whole(value) == shown and score_text(value) == str(shown)


def test_urgency_is_shown_to_a_tenth_halves_up():
    assert (tenths(3.25), urgency_text(3.25), urgency_text(3.35), urgency_text(1.0)) == (
        3.3,
        "3.3",
        "3.4",
        "1.0",
    )


@pytest.mark.parametrize("missing", [None, math.nan, math.inf])
def test_a_missing_figure_is_a_dash(missing):
    assert whole(missing) is None and tenths(missing) is None
    assert score_text(missing) == urgency_text(missing) == "–"
    assert difference(missing, 50.0) is None and difference(50.0, missing) is None


def test_a_change_is_the_difference_of_the_figures_shown():
    # 69.4 and 56.4 are shown as 69 and 56; the unrounded difference is 13.0, shown: 13.
    assert difference(69.4, 56.4) == 13
    # 68.6 and 56.4 are shown as 69 and 56: the change reads 13, never 12 (68.6 - 56.4 = 12.2).
    assert difference(68.6, 56.4) == 13
    assert (change_words(13), change_words(-2), change_words(0), change_words(None)) == (
        "up 13",
        "down 2",
        "no change",
        "–",
    )
    assert (signed(13), signed(-2), signed(0), signed(None)) == ("+13", "−2", "0", "–")


@given(scores, scores)
def test_any_difference_agrees_with_the_two_figures_shown(later, earlier):
    assert difference(later, earlier) == int(score_text(later)) - int(score_text(earlier))


def _round_of(points):
    return score_round(
        DEFINITION,
        [
            Respondent(f"r{index}", "nurses", answers_at({"trust": point}))
            for index, point in enumerate(points)
        ],
    )


def test_the_change_since_the_previous_round_is_worked_out_from_the_shown_figures():
    # trust means: (75 + 50 + 50 + 50 + 50 + 75) / 6 = 58.33 -> 58; then 68.75 -> 69.
    earlier, later = _round_of((4, 3, 3, 3, 3, 4)), _round_of((5, 3, 4, 3))
    assert whole(earlier.dimension("trust").mean) == 58
    assert whole(later.dimension("trust").mean) == 69
    assert later.dimension("trust").mean - earlier.dimension("trust").mean == pytest.approx(
        10.4166, abs=1e-3
    )
    assert compare_rounds(earlier, later)["trust"] == 11


def test_a_median_comparison_is_between_the_shown_figures():
    others = [{"trust": value} for value in (40.4, 40.4, 40.4, 40.4)]
    assert benchmark({"trust": 50.6}, peer_figures(others)) == {"trust": (40.4, 11)}


def test_a_band_follows_the_score_as_shown():
    # Bands: developing from 40. 39.5 is shown as 40, so it reads "developing", never "starting".
    assert band_key(DEFINITION, 39.5) == "developing"
    assert band_key(DEFINITION, 39.49) == "starting"
    assert band_key(DEFINITION, None) is None


@pytest.mark.parametrize(
    ("points", "shown", "low"), [((2, 3, 4), 59, True), ((1, 1, 1, 2, 3), 60, False)]
)
def test_low_agreement_is_judged_on_the_agreement_as_shown(points, shown, low):
    trust = _round_of(points).dimension("trust")
    assert (whole(trust.agreement), trust.low_agreement) == (shown, low)
