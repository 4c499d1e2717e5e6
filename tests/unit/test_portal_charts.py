"""The radar chart's SVG: what it draws, and what it never holds.

Valid XML, accessible names, escaped text, one polygon per series, missing values, and neither
styles nor scripts.
"""

import math
import re
import xml.etree.ElementTree as ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.portal.charts import LABEL_CHARACTERS_PER_LINE, radar_svg, wrap_label

SVG = "{http://www.w3.org/2000/svg}"
AXES = ["Trust", "Voice", "Presence", "Measuring what matters", "Decisions"]
SERIES = [
    ("Leadership", [80.0, 70.0, None, 90.0, 65.0]),
    ("Front line", [45.0, 30.0, 55.0, 20.0, None]),
]


def chart(axes=AXES, series=SERIES, **options):
    options = {
        "title": "Readiness by dimension",
        "description": "Leadership scores higher than front line.",
    } | options
    return radar_svg(axes=axes, series=series, **options)


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314  our own chart, made in the test


def classes(element) -> set[str]:
    return set(element.get("class", "").split())


def series_groups(root, index=None):
    pattern = re.compile(r"radar-series-\d+$" if index is None else rf"radar-series-{index}$")
    return [
        group
        for group in root.iter(f"{SVG}g")
        if any(pattern.match(name) for name in classes(group))
    ]


def points(polygon) -> list[tuple[float, float]]:
    return [
        tuple(float(number) for number in pair.split(",")) for pair in polygon.get("points").split()
    ]


def test_the_chart_is_valid_svg_with_an_accessible_name_and_description():
    root = parse(chart())
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, description = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert (
        title.text == "Readiness by dimension"
        and description.text == "Leadership scores higher than front line."
    )
    assert root.get("aria-labelledby").split() == [title.get("id"), description.get("id")]
    assert list(root)[:2] == [title, description]
    assert root.get("width") == "420" and len(root.get("viewBox").split()) == 4


def test_chart_ids_can_be_chosen_and_default_to_one_stable_per_chart():
    root = parse(chart(chart_id="team-radar"))
    assert (
        root.find(f"{SVG}title").get("id") == "team-radar-title"
        and root.find(f"{SVG}desc").get("id") == "team-radar-desc"
    )
    assert chart() == chart()
    assert parse(chart()).find(f"{SVG}title").get("id") != parse(chart(title="Another")).find(
        f"{SVG}title"
    ).get("id")


def test_every_text_is_escaped():
    svg = chart(
        axes=["<Trust & safety>", "Voice", "Presence"],
        series=[("A <b>&</b> B", [10, 20, 30])],
        title="Scores <script>alert(1)</script> & more",
        description='"Quotes" & <tags>',
    )
    root = parse(svg)
    assert "<script" not in svg and "<b>" not in svg
    assert root.find(f"{SVG}title").text == "Scores <script>alert(1)</script> & more"
    assert root.find(f"{SVG}desc").text == '"Quotes" & <tags>'
    texts = ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]
    assert "<Trust & safety>" in texts and "A <b>&</b> B" in texts


def test_no_style_attributes_no_scripts_no_event_handlers():
    root = parse(chart())
    for element in root.iter():
        assert element.tag not in (f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject")
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)


def test_one_polygon_per_series_and_five_grid_rings():
    root = parse(chart())
    groups = series_groups(root)
    assert len(groups) == 2
    for index, group in enumerate(groups):
        assert classes(group) >= {f"radar-series-{index}"}
        assert len(group.findall(f"{SVG}polygon")) == 1
        assert len(points(group.find(f"{SVG}polygon"))) == len(AXES)
    rings = [polygon for polygon in root.iter(f"{SVG}polygon") if "radar-grid" in classes(polygon)]
    assert len(rings) == 5
    assert [
        text.text for text in root.iter(f"{SVG}text") if "radar-ring-label" in classes(text)
    ] == ["20", "40", "60", "80", "100"]


def test_values_sit_at_their_share_of_the_radius_and_none_at_the_centre_with_a_hollow_marker():
    root = parse(chart(axes=["A", "B", "C", "D"], series=[("S", [100, 50, None, 0])]))
    rim = points(next(p for p in root.iter(f"{SVG}polygon") if "radar-grid-100" in classes(p)))
    radius = math.dist((0, 0), rim[0])
    drawn = points(series_groups(root, 0)[0].find(f"{SVG}polygon"))
    assert [math.dist((0, 0), point) for point in drawn] == pytest.approx(
        [radius, radius / 2, 0, 0], abs=0.01
    )
    assert drawn[0] == pytest.approx((0, -radius), abs=0.01)  # the first axis points up
    markers = [
        element for element in series_groups(root, 0)[0] if "radar-marker" in classes(element)
    ]
    assert len(markers) == 4
    hollow = [marker for marker in markers if "radar-marker-missing" in classes(marker)]
    assert len(hollow) == 1 and hollow[0].get("fill") == "#ffffff"
    assert hollow[0].find(f"{SVG}title").text == "S, C: no score"
    assert all(marker.get("fill") != "#ffffff" for marker in markers if marker not in hollow)


def test_out_of_range_and_nan_values_are_clipped_or_treated_as_missing():
    root = parse(chart(axes=["A", "B", "C"], series=[("S", [150, -20, float("nan")])]))
    group = series_groups(root, 0)[0]
    rim = points(next(p for p in root.iter(f"{SVG}polygon") if "radar-grid-100" in classes(p)))
    drawn = points(group.find(f"{SVG}polygon"))
    assert drawn[0] == pytest.approx(rim[0], abs=0.01) and drawn[1] == (0, 0) and drawn[2] == (0, 0)
    assert len([m for m in group if "radar-marker-missing" in classes(m)]) == 1


def test_series_differ_by_colour_dash_pattern_and_marker_shape():
    series = [(f"Series {index}", [50.0, 60.0, 70.0]) for index in range(4)]
    root = parse(chart(axes=["A", "B", "C"], series=series))
    groups = series_groups(root)
    polygons = [group.find(f"{SVG}polygon") for group in groups]
    assert len({polygon.get("stroke") for polygon in polygons}) == 4
    assert len({polygon.get("stroke-dasharray") for polygon in polygons}) == 4
    shapes = set()
    for group in groups:
        marker = next(element for element in group if "radar-marker" in classes(element))
        shapes.add(
            next(
                name
                for name in classes(marker)
                if name.startswith("radar-marker-") and name != "radar-marker-missing"
            )
        )
    assert len(shapes) == 4
    legend = [group for group in root.iter(f"{SVG}g") if "radar-legend-item" in classes(group)]
    assert ["".join(group.find(f"{SVG}text").itertext()) for group in legend] == [
        name for name, _ in series
    ]


def test_long_axis_labels_are_wrapped_and_stay_inside_the_view_box():
    long_axes = [
        "Leadership presence on the floor, every single week",
        "Shared decision-making with patients",
        "Measuring what matters to the people we serve",
        "Trust",
        "Supercalifragilisticexpialidociously long",
    ]
    root = parse(chart(axes=long_axes, series=[("S", [10, 20, 30, 40, 50])]))
    left, top, width, height = (float(number) for number in root.get("viewBox").split())
    labels = [text for text in root.iter(f"{SVG}text") if "radar-axis-label" in classes(text)]
    assert len(labels) == 5
    for label in labels:
        lines = label.findall(f"{SVG}tspan")
        assert all(len(line.text) <= LABEL_CHARACTERS_PER_LINE for line in lines)
        anchor, size = label.get("text-anchor"), float(label.get("font-size"))
        for line in lines:
            x, y = float(line.get("x")), float(line.get("y"))
            extent = len(line.text) * size * 0.6
            start = {"start": x, "end": x - extent, "middle": x - extent / 2}[anchor]
            assert left <= start and start + extent <= left + width
            assert top <= y - size and y <= top + height
    assert len(labels[0].findall(f"{SVG}tspan")) > 1


def test_wrap_label():
    assert wrap_label("Trust") == ["Trust"]
    assert wrap_label("") == [""]
    assert wrap_label("Leadership presence on the floor") == [
        "Leadership",
        "presence on the",
        "floor",
    ]
    assert all(len(line) <= 16 for line in wrap_label("x" * 40))


@pytest.mark.parametrize(
    "axes, series, chart_id",
    [
        (["A", "B"], [("S", [1, 2])], None),
        (["A", "B", "C"], [("S", [1, 2])], None),
        (["A", "B", "C"], [("S", [1, 2, 3])], "1-starts-with-a-digit"),
        (["A", "B", "C"], [("S", [1, 2, 3])], 'quote"'),
    ],
)
def test_unusable_input_is_refused(axes, series, chart_id):
    with pytest.raises(ValueError):
        chart(axes=axes, series=series, chart_id=chart_id)


def test_a_chart_without_series_still_draws_its_grid():
    root = parse(chart(series=[]))
    assert series_groups(root) == [] and len(list(root.iter(f"{SVG}polygon"))) == 5


@settings(max_examples=150)
@given(
    st.lists(st.text(max_size=40), min_size=3, max_size=9).flatmap(
        lambda axes: st.tuples(
            st.just(axes),
            st.lists(
                st.tuples(
                    st.text(max_size=20),
                    st.lists(
                        st.one_of(st.none(), st.floats(0, 100)),
                        min_size=len(axes),
                        max_size=len(axes),
                    ),
                ),
                max_size=4,
            ),
        )
    ),
    st.text(max_size=30),
)
def test_any_text_and_values_give_valid_xml(axes_and_series, title):
    axes, series = axes_and_series
    root = parse(chart(axes=axes, series=series, title=title))
    assert len(series_groups(root)) == len(series)
    assert all(len(group.findall(f"{SVG}polygon")) == 1 for group in series_groups(root))


PAGE_SERIES_NAMES = ("Whole organisation", "Leadership", "Front line")


@pytest.mark.parametrize("axis_count", [3, 5, 8, 9])
@pytest.mark.parametrize("series_count", [1, 3])
def test_the_compact_chart_numbers_its_axes_and_stays_legible_at_phone_width(
    axis_count, series_count
):
    axes = [f"Dimension with a long name, number {index}" for index in range(axis_count)]
    series = [(name, [50.0] * axis_count) for name in PAGE_SERIES_NAMES[:series_count]]
    root = parse(chart(axes=axes, series=series, compact=True))
    labels = [text for text in root.iter(f"{SVG}text") if "radar-axis-label" in classes(text)]
    assert ["".join(label.itertext()) for label in labels] == [
        str(number) for number in range(1, axis_count + 1)
    ]
    # Markers still name their axis in full.
    assert any(
        axes[-1] in title.text
        for title in root.iter(f"{SVG}title")
        if title.text and title.text.startswith(series[0][0])
    )
    # About 290 px is what a 320 px wide phone leaves the chart.
    view_width = float(root.get("viewBox").split()[2])
    smallest = min(float(text.get("font-size")) for text in root.iter(f"{SVG}text"))
    assert smallest * 290 / view_width >= 12


def test_the_wide_chart_names_its_axes():
    root = parse(chart())
    labels = [text for text in root.iter(f"{SVG}text") if "radar-axis-label" in classes(text)]
    assert [" ".join(label.itertext()) for label in labels] == AXES
