"""Keyboard only: a booking and a whole assessment with Tab, Shift+Tab, Enter, Space and arrows.

At every key press the focus must be on something and visibly so (a non-zero outline or box
shadow); on every page Tab must reach the last stop and Shift+Tab come back, so the focus is
never trapped. Each page also passes the accessibility gate.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import check_page, press, tab_to, walk_the_tab_order
from tests.browser.portal_round import PASSWORD, prepare_portal_round

pytestmark = pytest.mark.browser


def type_into(page, field, text: str) -> None:
    tab_to(page, field)
    page.keyboard.type(text)


def test_a_guest_books_a_consultation_with_the_keyboard_alone(browser, live_site):
    journey = "keyboard: booking"
    context = browser.new_context(base_url=live_site.url, timezone_id="Europe/London")
    page = context.new_page()
    page.goto("/book/")
    walk_the_tab_order(page)
    page.goto("/book/")
    tab_to(page, page.get_by_role("link", name="Choose a time for Discovery call"))
    page.keyboard.press("Enter")

    zone = page.get_by_label("Show times in this time zone")
    expect(page).to_have_url(re.compile("tz=Europe%2FLondon"))  # detected, and shown again
    page.wait_for_load_state()
    expect(zone).to_have_value("Europe/London")
    check_page(page, journey, "choose a time")
    walk_the_tab_order(page)
    page.reload()
    tab_to(page, zone)
    press(page, "ArrowDown")  # a list changes with the arrow keys...
    expect(zone).not_to_have_value("Europe/London")
    press(page, "ArrowUp")  # ...and back
    expect(zone).to_have_value("Europe/London")
    tab_to(page, page.get_by_role("button", name="Show times"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    first_time = page.get_by_role("region", name=re.compile("Free times on")).get_by_role("link")
    tab_to(page, first_time.first)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    walk_the_tab_order(page)
    page.reload()
    type_into(page, page.get_by_label("Your name", exact=True), "Kit Keyboard")
    type_into(page, page.get_by_label("E-mail address", exact=True), "kit@keyboard.example")
    type_into(page, page.get_by_label("Organisation", exact=True), "Tab Street Clinic")
    type_into(page, page.get_by_label("Your role", exact=True), "Practice manager")
    type_into(
        page,
        page.get_by_label("What matters most to your organisation right now?"),
        "Being heard.",
    )
    policy = page.get_by_label("I have read the cancellation policy and accept it")
    tab_to(page, policy)
    press(page, "Space")
    expect(policy).to_be_checked()
    press(page, "Shift+Tab")  # back to the field before, then on again
    expect(policy).not_to_be_focused()
    press(page, "Tab")
    expect(policy).to_be_focused()
    tab_to(page, page.get_by_role("button", name="Book", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    check_page(page, journey, "booked")
    walk_the_tab_order(page)
    context.close()


def answer_section_by_keyboard(page) -> None:
    """Each question: Tab into it, then Space and the arrow keys choose; text is typed."""
    for question in page.locator("main form .field").all():
        radios = question.locator("input[type=radio]")
        if radios.count():
            tab_to(page, radios.first)  # a group is one stop; its first answer takes the focus
            press(page, "Space")
            for _ in range(3):
                press(page, "ArrowDown")
            expect(radios.nth(3)).to_be_checked()
        else:
            type_into(page, question.locator("textarea"), "Said with the keyboard.")


def test_a_member_answers_the_whole_assessment_with_the_keyboard_alone(browser, live_site):
    journey = "keyboard: assessment"
    sections = prepare_portal_round(live_site, "birch.example", "Birch Surgery")["sections"]
    context = browser.new_context(base_url=live_site.url)
    page = context.new_page()
    page.goto("/accounts/sign-in")
    type_into(page, page.get_by_label("E-mail address", exact=True), "answerer@birch.example")
    type_into(page, page.get_by_label("Password", exact=True), PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto("/portal/")
    tab_to(page, page.get_by_role("link", name="Birch Surgery"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Take the assessment"))
    page.keyboard.press("Enter")

    for number in range(1, sections + 1):
        expect(page.get_by_text(f"Part {number} of {sections}")).to_be_visible()
        if number == 1:
            walk_the_tab_order(page)
            page.reload()
        answer_section_by_keyboard(page)
        button = "Save and continue" if number < sections else "Save and review"
        tab_to(page, page.get_by_role("button", name=button))
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Review your answers")
    check_page(page, journey, "review")
    walk_the_tab_order(page)
    page.reload()
    tab_to(page, page.get_by_role("button", name="Submit my answers"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your answers are submitted")).to_be_visible()
    check_page(page, journey, "submitted")
    context.close()
