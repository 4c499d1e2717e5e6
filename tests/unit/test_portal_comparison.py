"""Rounds compared, and organisations benchmarked against their peers without exposing any."""

import statistics

from hypothesis import given
from hypothesis import strategies as st

from consult.portal.comparison import benchmark, compare_rounds, peer_figures
from consult.portal.figures import difference
from consult.portal.scoring import score_round
from tests.unit.portal_fixtures import make_definition, people

DEFINITION = make_definition()


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
    assert benchmark(this, peer_figures(others)) is None  # 4 organisations
    assert (
        benchmark(this, peer_figures(others + [{"trust": None, "voice": None}])) is None
    )  # the fifth has no results
    assert (
        benchmark({"trust": None}, peer_figures(others + [{"trust": 80.0}])) is None
    )  # this one has none either
    enough = benchmark(this, peer_figures(others + [{"trust": 80.0, "voice": 45.0}]))
    assert enough == {
        "trust": (60.0, 0.0)
    }  # voice: only 3 others scored it, 4 organisations in all
    assert benchmark(this, peer_figures(others), min_organisations=4) == {
        "trust": (50.0, 10.0)
    }  # voice: 3 organisations
    assert benchmark(this, peer_figures(others), min_organisations=3) == {
        "trust": (50.0, 10.0),
        "voice": (40.0, 0.0),
    }


def test_benchmark_median_of_an_even_count_and_of_an_odd_count():
    others = [{"trust": value} for value in (10.0, 20.0, 40.0, 90.0)]
    assert benchmark({"trust": 50.0}, peer_figures(others)) == {"trust": (30.0, 20.0)}
    assert benchmark({"trust": 50.0}, peer_figures(others + [{"trust": 95.0}])) == {
        "trust": (40.0, 10.0)
    }
    assert benchmark({"trust": 50.0}, peer_figures([{"trust": 0.0}]), min_organisations=2) == {
        "trust": (0.0, 50.0)
    }


def _median_of_others(
    this: dict[str, float | None], others: list[dict[str, float | None]], minimum: int
) -> dict[str, tuple[float, int]] | None:
    """The rule in plain words: the median of every other organisation's score, when enough."""
    with_results = [
        scores for scores in (this, *others) if any(v is not None for v in scores.values())
    ]
    if len(with_results) < minimum:
        return None
    comparison = {}
    for key, value in this.items():
        peers = [peer for other in others if (peer := other.get(key)) is not None]
        if value is not None and peers and len(peers) + 1 >= minimum:
            median = float(statistics.median(peers))
            comparison[key] = (median, difference(value, median))
    return comparison


SCORES = st.one_of(st.none(), st.integers(0, 400).map(lambda quarter: quarter / 4))
MEANS = st.fixed_dictionaries({"trust": SCORES, "voice": SCORES})


@given(
    this=MEANS,
    others=st.lists(MEANS, max_size=12),
    earlier=st.one_of(st.none(), MEANS),
    minimum=st.integers(1, 6),
)
def test_stored_figures_give_the_median_of_the_others_less_this_organisations_own(
    this, others, earlier, minimum
):
    """Figures of every organisation, this one counted by its latest round (`earlier`, or the
    round shown), give what the medians of the others' scores give, at any number of them.
    """
    counted = earlier or this
    figures = peer_figures([*others, counted])
    assert benchmark(this, figures, counted=counted, min_organisations=minimum) == (
        _median_of_others(this, others, minimum)
    )
    assert len(figures["dimensions"].get("trust", {}).get("middle", [])) <= 4
