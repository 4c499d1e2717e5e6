"""The results page in Chromium: the table first, and a radar whose text stays legible at 320 px.

The radar's labels used to be drawn about 6 px high on a phone. Each text of the visible chart is
measured as rendered: its font size in the SVG times the scale the SVG is drawn at.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser

RENDERED_FONT_SIZES = """
svg => {
  const scale = svg.getScreenCTM().a;
  return [...svg.querySelectorAll('text')].map(
    text => [text.textContent, parseFloat(text.getAttribute('font-size')) * scale]);
}
"""


def open_demo_results(page, live_site):
    sign_in(page, live_site)
    page.goto("/admin/organisations/")
    page.get_by_role("link", name="closed, results and plan").first.click()
    expect(page.get_by_role("heading", level=2, name="Scores by dimension")).to_be_visible()


@pytest.mark.parametrize(
    ("width", "chart"), [(320, ".chart-compact"), (660, ".chart-wide"), (1280, ".chart-wide")]
)
def test_the_visible_radar_letters_everything_at_12_px_or_more(browser, live_site, width, chart):
    context = browser.new_context(base_url=live_site.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    open_demo_results(page, live_site)
    visible = page.locator(f"{chart} svg")
    expect(visible).to_be_visible()
    other = ".chart-wide" if chart == ".chart-compact" else ".chart-compact"
    expect(page.locator(f"{other} svg")).to_be_hidden()
    sizes = visible.evaluate(RENDERED_FONT_SIZES)
    assert sizes and all(size >= 12 for _, size in sizes), sizes
    # The table comes before the chart, and nothing scrolls sideways.
    table = page.get_by_role("table", name=re.compile("Scores out of 100"))
    assert table.bounding_box()["y"] < visible.bounding_box()["y"]
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    if chart == ".chart-compact":
        key = page.locator(".chart-key li")
        expect(key.first).to_be_visible()
        names = page.locator("table.data-table").first.locator("tbody th").all_inner_texts()
        assert key.all_inner_texts() == names
    context.close()
