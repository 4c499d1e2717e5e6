"""Drawn charts kept by what decides them: drawn once per key, the least recently used let go."""

from consult.portal.score_chart import DrawnCharts, ScoreCharts


def test_a_chart_is_drawn_once_per_key_and_the_least_recently_used_is_let_go():
    drawings: list[str] = []

    def drawer(name: str):
        def draw() -> ScoreCharts:
            drawings.append(name)
            return ScoreCharts(wide=f"<svg>{name}</svg>", compact=name, axes=(name,))

        return draw

    drawn = DrawnCharts(size=2)
    first = drawn.get(("round-a", "Riverside"), drawer("a"))
    assert drawn.get(("round-a", "Riverside"), drawer("a again")) is first
    drawn.get(("round-b", "Riverside"), drawer("b"))
    drawn.get(("round-a", "Riverside"), drawer("a again"))  # a is now the most recently used
    drawn.get(("round-c", "Riverside"), drawer("c"))  # lets b go
    drawn.get(("round-a", "Riverside Clinic"), drawer("a renamed"))  # another name: drawn again
    drawn.get(("round-b", "Riverside"), drawer("b again"))
    assert drawings == ["a", "b", "c", "a renamed", "b again"]
