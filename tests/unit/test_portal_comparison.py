"""Rounds compared, and organisations benchmarked against their peers without exposing any."""

from consult.portal.comparison import benchmark, compare_rounds
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
