"""The choose-a-time page's month calendar in a real browser: the arrow keys after the WAI-ARIA
date grid with JavaScript, plain links without it, a booking made through it, and the booking's
page with its calendar links; each step passes the accessibility gate (axe, 320 px, zoom).
"""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import check_page, press, tab_to
from tests.browser.pages import without_javascript

pytestmark = pytest.mark.browser

JOURNEY = "month calendar"
FREE_DAYS = "table.month-grid a[data-date]"


def free_days(page) -> list[str]:
    return page.locator(FREE_DAYS).evaluate_all("links => links.map(link => link.dataset.date)")


def focused_date(page) -> str:
    return page.evaluate("document.activeElement.dataset.date")


def nearest(days: list[str], target: date, *, forward: bool) -> str:
    """The free day the arrow keys should reach: the first on or after `target` going forward,
    the last on or before it going back (days without times are skipped).
    """
    if forward:
        return next(day for day in days if day >= target.isoformat())
    return [day for day in days if day <= target.isoformat()][-1]


def open_calendar(page) -> None:
    page.goto("/book/")
    page.get_by_role("link", name="Choose a time for Discovery call").click()
    expect(page).to_have_url(re.compile("tz=Europe%2FLondon"))  # the browser's zone, detected
    page.wait_for_load_state()


def test_the_arrow_keys_move_between_free_days_and_enter_chooses_one(browser, live_site):
    context = browser.new_context(base_url=live_site.url, timezone_id="Europe/London")
    page = context.new_page()
    open_calendar(page)
    expect(page.locator("#tz")).to_have_value("Europe/London")
    expect(page.locator("#tz option:checked")).to_have_text(
        re.compile(r"^Greenwich Mean Time — London \(UTC\+0[01]:00\)$")
    )
    expect(page.get_by_text("Use the arrow keys to move between them")).to_be_visible()
    check_page(page, JOURNEY, "choose a day, with JavaScript")
    if len(free_days(page)) < 8:  # late in a month: the next one has more days to move across
        page.locator('nav[aria-label="Other months"] a[rel="next"]').click()
    days = free_days(page)
    assert len(days) >= 8
    # One Tab stop for the month: the chosen day; the other days are reached with the arrows.
    assert page.locator(f'{FREE_DAYS}[tabindex="0"]').count() == 1
    chosen = page.locator(f'{FREE_DAYS}[aria-current="date"]')
    expect(chosen).to_have_attribute("data-date", days[0])
    tab_to(page, chosen)

    press(page, "ArrowRight")
    assert focused_date(page) == days[1]
    press(page, "ArrowLeft")
    assert focused_date(page) == days[0]
    press(page, "End")
    assert focused_date(page) == days[-1]
    press(page, "Home")
    assert focused_date(page) == days[0]
    week_later = date.fromisoformat(days[0]) + timedelta(days=7)
    if week_later.isoformat() <= days[-1]:
        press(page, "ArrowDown")
        below = nearest(days, week_later, forward=True)
        assert focused_date(page) == below
        press(page, "ArrowUp")
        above = date.fromisoformat(below) - timedelta(days=7)
        assert focused_date(page) == nearest(days, above, forward=False)
    assert page.locator(f'{FREE_DAYS}[tabindex="0"]').count() == 1  # the stop moved along

    press(page, "ArrowRight")
    target = focused_date(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(f'{FREE_DAYS}[aria-current="date"]')).to_have_attribute("data-date", target)
    heading = page.get_by_role("heading", name=re.compile("^Free times on "))
    expect(heading).to_contain_text(date.fromisoformat(target).strftime("%-d %B %Y"))
    # Focus returns to the calendar on the chosen day, and Page Down opens the next month.
    tab_to(page, page.locator(f'{FREE_DAYS}[aria-current="date"]'))
    caption = page.locator("table.month-grid caption").inner_text()
    with page.expect_navigation():
        page.keyboard.press("PageDown")
    expect(page.locator("table.month-grid caption")).not_to_have_text(caption)
    check_page(page, JOURNEY, "the next month, with JavaScript")
    context.close()


def test_without_javascript_the_plain_links_lead_to_a_booking_and_its_calendar_links(
    browser, live_site
):
    context = browser.new_context(base_url=live_site.url, timezone_id="Europe/London")
    without_javascript(context)
    page = context.new_page()
    page.goto("/book/discovery-call/")
    expect(page.get_by_text("Use the arrow keys to move between them")).to_be_hidden()
    page.get_by_label("Show times in this time zone").select_option("Europe/London")
    page.get_by_role("button", name="Show times").click()
    expect(page).to_have_url(re.compile("tz=Europe%2FLondon"))
    check_page(page, JOURNEY, "choose a day, without JavaScript")
    # Every free day is its own link in the tab order; days without times are not links.
    assert page.locator(f"{FREE_DAYS}[tabindex]").count() == 0
    caption = page.locator("table.month-grid caption")
    first_month = caption.inner_text()
    page.locator('nav[aria-label="Other months"] a[rel="next"]').click()
    expect(caption).not_to_have_text(first_month)
    day = free_days(page)[1]
    page.locator(f'{FREE_DAYS}[data-date="{day}"]').click()
    times = page.get_by_role("region", name=re.compile("^Free times on "))
    expect(times.get_by_role("heading")).to_contain_text(
        date.fromisoformat(day).strftime("%-d %B %Y")
    )
    expect(times).to_contain_text("Times are in Greenwich Mean Time — London")
    check_page(page, JOURNEY, "a day chosen, without JavaScript")
    times.get_by_role("link").last.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    page.get_by_label("Your name", exact=True).fill("Noor Haddad")
    page.get_by_label("E-mail address", exact=True).fill("noor@harbourview.example")
    page.get_by_label("Organisation", exact=True).fill("Harbourview Care")
    page.get_by_label("Your role", exact=True).fill("Head of nursing")
    page.get_by_label("What matters most to your organisation right now?").fill("Listening.")
    page.get_by_label("I have read the cancellation policy and accept it").check()
    page.get_by_role("button", name="Book").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    check_page(page, JOURNEY, "booked, with the calendar links")
    expect(page.get_by_role("link", name=re.compile("^Add to Google Calendar"))).to_have_attribute(
        "href", re.compile(r"^https://calendar\.google\.com/calendar/render\?action=TEMPLATE&")
    )
    expect(page.get_by_role("link", name=re.compile("^Add to Outlook "))).to_have_attribute(
        "href", re.compile(r"^https://outlook\.office\.com/calendar/action/compose\?")
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the invitation (.ics)").click()
    invitation = Path(download.value.path()).read_text()
    assert "BEGIN:VEVENT" in invitation and "LOCATION:Video call: https://" in invitation
    page.locator('.narrow a[href*="/book/manage/"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your booking")
    expect(page.get_by_text("Noor Haddad, Harbourview Care")).to_be_visible()
    context.close()
