"""The accessibility gate: axe-core on a page, no sideways scrolling, visible focus, screenshots.

axe-core comes from npm (pinned in tests/browser/package.json and its lock file) and is
installed on first use when node_modules is missing: no CDN. Every journey calls
`check_page(page, name)` at each step, which runs axe with the WCAG 2.0/2.1 A and AA rules,
checks that the page does not scroll sideways at 320 px nor at 200 % zoom, and saves
screenshots at 320 px and 1280 px into SCREENSHOTS (named in the README, git-ignored).
"""

from __future__ import annotations

import fcntl
import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
AXE_SOURCE = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = HERE.parent.parent / "test-artifacts" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NARROW, WIDE = 320, 1280
ZOOMED = WIDE // 2  # a 1280 px window at 200 % zoom lays the page out in 640 CSS pixels
WIDTHS_CHECKED = (NARROW, ZOOMED, WIDE)


def install_axe() -> str | None:
    """Install the pinned axe-core with `npm ci` when node_modules lacks it; say why if it can't.

    The suite's parallel workers take turns (a lock file), so one installs and the rest find it.
    """
    with (HERE / ".npm-install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _install_axe_once()


def _install_axe_once() -> str | None:
    if AXE_SOURCE.exists():
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm is missing for the accessibility checks (apt-get install -y npm)"
    installed = subprocess.run(  # noqa: S603  fixed argv: npm installs the locked axe-core
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=HERE,
        capture_output=True,
        text=True,
        check=False,
    )
    if installed.returncode != 0:
        return f"`npm ci` in {HERE} failed:\n{installed.stderr}"
    return None


@cache
def axe_source() -> str:
    """axe-core's source (the browser fixture has installed it)."""
    return AXE_SOURCE.read_text()


def _describe(violations: list[dict], where: str) -> str:
    lines = [f"{len(violations)} accessibility rule(s) fail on {where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


def check_accessibility(page, step: str = "") -> None:
    """Fail with each rule, element and the page when axe finds a WCAG 2.0/2.1 A or AA problem.

    The source is evaluated through the DevTools protocol, so the site's Content-Security-Policy
    (no inline script) stays in force for everything the site itself does.
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: "
        "['violations']}).then(result => JSON.stringify(result.violations))",
        WCAG_TAGS,
    )
    violations = json.loads(result)
    where = f"{page.url}" + (f" ({step})" if step else "")
    assert not violations, _describe(violations, where)


PAST_THE_RIGHT_EDGE = """() => {
  const edge = document.documentElement.clientWidth + 1;
  const describe = element => element.tagName.toLowerCase() +
    (element.id ? '#' + element.id : '') +
    (element.className && typeof element.className === 'string'
      ? '.' + element.className.trim().split(/\\s+/).join('.') : '');
  return [...document.querySelectorAll('body *')]
    .filter(element => element.getBoundingClientRect().right > edge)
    .filter(element => ![...element.children].some(
      child => child.getBoundingClientRect().right > edge))
    .slice(0, 5)
    .map(element => describe(element) + ' ' + (element.textContent || '').trim().slice(0, 40));
}"""


def sideways_overflow(page) -> int:
    """How many pixels the page scrolls sideways (0 when it fits its window)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const describe = element => element.tagName.toLowerCase() +
    (element.id ? '#' + element.id : '') +
    (element.className && typeof element.className === 'string'
      ? '.' + element.className.trim().split(/\\s+/).join('.') : '');
  for (const element of document.querySelectorAll('body *')) {
    const style = getComputedStyle(element);
    // A box that scrolls sideways must be reachable by the keyboard, and say what it holds.
    if (['auto', 'scroll'].includes(style.overflowX) && element.scrollWidth > element.clientWidth) {
      if (element.tabIndex < 0) problems.push(describe(element) + ' scrolls but cannot be focused');
      if (!element.getAttribute('aria-label') && !element.getAttribute('aria-labelledby'))
        problems.push(describe(element) + ' scrolls but has no name');
    }
    // Text the colour of its own background: axe leaves a 1:1 contrast for a person to judge.
    if (element.matches('a, button') && element.textContent.trim() &&
        element.getClientRects().length && style.color === style.backgroundColor)
      problems.push(describe(element) + ' has text the colour of its background');
    // A list laid out as a row or grid (buttons, cards) shows no bullets.
    if (element.tagName === 'LI' && style.display === 'list-item' &&
        style.listStyleType !== 'none' &&
        ['flex', 'inline-flex', 'grid', 'inline-grid'].includes(
          getComputedStyle(element.parentElement).display))
      problems.push(describe(element.parentElement) + ' lays out a list with stray bullets');
  }
  const descriptions = document.querySelectorAll('meta[name=description]').length;
  if (descriptions !== 1) problems.push(descriptions + ' meta descriptions instead of one');
  return [...new Set(problems)];
}"""


def layout_problems(page) -> list[str]:
    """Scrolling boxes the keyboard cannot reach, invisible link or button text, stray bullets,
    and duplicate descriptions."""
    return page.evaluate(LAYOUT_PROBLEMS)


def _file_name(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def check_page(page, journey: str, step: str) -> None:
    """One step of a journey: axe, no sideways scrolling, layout problems, and its screenshots.

    At 320 px (a phone), 640 px (a 1280 px window at 200 % zoom) and 1280 px: the page must not
    scroll sideways and must have no layout problem; axe runs at 320 px and 1280 px, where the
    screenshots are taken. The window is put back as it was, so the journey goes on from there.
    """
    # A step may have just clicked a link or sent a form: measure the page it leads to once its
    # style sheets have loaded, never one still arriving (unstyled, its lists at full width).
    page.wait_for_load_state("load")
    original = page.viewport_size
    folder = SCREENSHOTS / _file_name(journey)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for width in WIDTHS_CHECKED:
            page.set_viewport_size({"width": width, "height": 800})
            overflow = sideways_overflow(page)
            assert overflow <= 0, (
                f"{page.url} ({journey}: {step}) scrolls sideways by {overflow}px at {width}px; "
                f"past the right edge: {page.evaluate(PAST_THE_RIGHT_EDGE)}"
            )
            if width in (NARROW, WIDE):
                check_accessibility(page, f"{journey}: {step}, {width}px wide")
            problems = layout_problems(page)
            assert not problems, f"{page.url} ({journey}: {step}, {width}px): {problems}"
            if width in (NARROW, WIDE):
                page.screenshot(path=folder / f"{_file_name(step)}-{width}.png", full_page=True)
    finally:
        page.set_viewport_size(original)


FOCUS_INDICATOR = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== 'none' && style.boxShadow !== '';
  return {
    // An element out of the tab order (the skip link's target) is focused by a link, not by
    // moving through the page; it needs no ring of its own.
    visible: outline || shadow || element.tabIndex < 0,
    description: element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') +
      (element.name ? '[name=' + element.name + ']' : '') + ' ' +
      (element.textContent || element.value || '').trim().slice(0, 60),
  };
}"""

LAST_STOP = """() => {
  const stops = [...document.querySelectorAll(
    'a[href], button:not([disabled]), input:not([type=hidden]):not([type=radio]):not([disabled]),'
    + ' select:not([disabled]), textarea:not([disabled]), [tabindex="0"]'
  )].filter(element => element.getClientRects().length > 0 && element.tabIndex >= 0);
  return {element: stops[stops.length - 1], count: stops.length};
}"""


def focused(page) -> dict | None:
    """What has the keyboard focus, and whether it shows a non-zero outline or box shadow."""
    return page.evaluate(FOCUS_INDICATOR)


def press(page, key: str) -> dict:
    """Press a key, then check that focus is on something and shows where it is."""
    page.keyboard.press(key)
    now = focused(page)
    assert now is not None, f"{page.url}: after {key}, focus is lost (on the page body)"
    assert now["visible"], f"{page.url}: after {key}, focus on {now['description']} is invisible"
    return now


def tab_to(page, target, *, limit: int = 120, key: str = "Tab") -> None:
    """Press Tab (or `key`) until `target` (a locator) has the focus, checking every stop."""
    element = target.element_handle()
    for _ in range(limit):
        press(page, key)
        if page.evaluate("element => document.activeElement === element", element):
            return
    raise AssertionError(f"{page.url}: {limit} presses of {key} never reached {target}")


def walk_the_tab_order(page) -> None:
    """From where the focus is, Tab reaches the page's last stop, then Shift+Tab goes back.

    Every stop shows its focus; a page that holds the focus in a loop never reaches the end.
    """
    last = page.evaluate_handle(f"({LAST_STOP})().element")
    count = page.evaluate(f"({LAST_STOP})().count")
    for _ in range(count + 5):
        press(page, "Tab")
        if page.evaluate("element => document.activeElement === element", last):
            break
    else:
        raise AssertionError(f"{page.url}: Tab never reached the last stop: the focus is trapped")
    stops = [press(page, "Shift+Tab")["description"] for _ in range(3)]
    assert len(set(stops)) == 3, f"{page.url}: Shift+Tab does not move back: {stops}"
