"""What a person does in a real browser: sign in, read, book, cancel; each step passes the gate.

Every step of a journey calls `check_page` (axe-core, no sideways scrolling at 320 px or at
200 % zoom, screenshots at 320 px and 1280 px).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import check_page
from tests.browser.outbox import text_of, wait_for_email
from tests.browser.pages import (
    PUBLIC_PAGES,
    expect_the_form_failed,
    manage_link_from,
    sign_in,
    without_javascript,
)

pytestmark = pytest.mark.browser


def test_consultant_signs_in_reaches_the_dashboard_and_signs_out(page, live_site):
    sign_in(page, live_site)
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Admin")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    check_page(page, "sign in and out", "signed out")
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in\?next="))


def test_a_wrong_password_is_explained_the_summary_focused_and_the_address_kept(page, live_site):
    page.goto("/accounts/sign-in")
    expect(page).not_to_have_title(re.compile("Error"))
    page.get_by_label("E-mail address", exact=True).fill(live_site.consultant_email)
    page.get_by_label("Password", exact=True).fill("not the right one")
    page.get_by_role("button", name="Sign in").click()
    expect_the_form_failed(page)
    expect(page.get_by_text("do not match an account").first).to_be_visible()
    expect(page.get_by_label("E-mail address", exact=True)).to_have_value(
        live_site.consultant_email
    )
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("aria-invalid", "true")
    check_page(page, "sign in and out", "wrong password")


def test_the_skip_link_is_the_first_stop_for_the_keyboard_and_focus_is_visible(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text(re.compile("Skip to main content"))
    assert focused.evaluate("element => getComputedStyle(element).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_the_consultant_can_sign_in_with_the_keyboard_alone(page, live_site):
    page.goto("/accounts/sign-in")
    page.get_by_label("E-mail address", exact=True).focus()
    page.keyboard.type(live_site.consultant_email)
    page.keyboard.press("Tab")
    page.keyboard.type(live_site.consultant_password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/two-step/sign-in$"))
    page.get_by_label("Code", exact=True).focus()
    page.keyboard.type(live_site.authenticator.code())
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_every_field_has_a_label_and_every_page_one_h1_and_landmarks(page):
    for path in PUBLIC_PAGES.values():
        page.goto(path)
        unlabelled = page.evaluate(
            "[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
            ".filter(field => field.labels.length === 0 && !field.getAttribute('aria-label'))"
            ".map(field => field.name)"
        )
        assert unlabelled == [], f"{path}: unlabelled {unlabelled}"
        assert page.locator("h1").count() == 1, path
        for landmark in ("banner", "main", "contentinfo"):
            expect(page.get_by_role(landmark)).to_have_count(1)
        expect(page.get_by_role("navigation", name="Main")).to_have_count(1)


def test_a_reader_reads_a_post_follows_the_series_and_subscribes(page, live_site):
    journey = "reader"
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Blog").click()
    page.get_by_role("link", name=re.compile(r"Part 1")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Part 1")
    check_page(page, journey, "part 1")
    series_box = page.get_by_role("navigation", name=re.compile("part 1 of 3"))
    series_box.get_by_role("link", name=re.compile(r"Part 2")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Part 2")

    subscribe = page.get_by_role("region", name="Read the next post first")
    subscribe.get_by_label("Your e-mail address").fill("not an address")
    subscribe.get_by_role("button", name="Subscribe").click()
    expect_the_form_failed(page)
    check_page(page, journey, "subscribe with a mistyped address")
    page.get_by_label("Your e-mail address").first.fill("browser.reader@example.org")
    page.get_by_role("button", name="Subscribe").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Almost done: check your e-mail")
    check_page(page, journey, "check your e-mail")

    confirmation = text_of(
        wait_for_email(live_site, "browser.reader@example.org", "Please confirm")
    )
    confirm_url = re.search(
        r"http://127\.0\.0\.1:\d+/blog/subscribe/confirm/\S+", confirmation
    ).group()
    page.goto(confirm_url)
    check_page(page, journey, "confirm the subscription")
    page.get_by_role("button", name="Yes, send me new posts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    check_page(page, journey, "subscribed")


def test_the_about_page_leads_to_booking_and_to_writing(page):
    page.goto("/about/")
    page.get_by_role("main").get_by_role("link", name="Book a consultation").click()
    expect(page).to_have_url(re.compile(r"/book/$"))
    page.go_back()
    write = page.get_by_role("main").get_by_role("link", name=re.compile(r"^Write to "))
    expect(write).to_have_attribute("href", re.compile(r"^mailto:\S+@\S+"))


def book_first_free_time(
    page,
    type_name: str,
    address: str,
    button: str,
    *,
    journey: str = "",
    javascript: bool = True,
    name: str = "Robin Ayodele",
):
    """Choose the first free time of a type and give the details; `journey` checks each step.

    With JavaScript the browser's time zone is detected; without it, the guest picks it.
    """

    def step(name: str) -> None:
        if journey:
            check_page(page, journey, name)

    page.goto("/book/")
    step("consultation types")
    page.get_by_role("link", name=f"Choose a time for {type_name}").click()
    zone = page.get_by_label("Show times in this time zone")
    if not javascript:
        expect(zone).not_to_have_value("Europe/London")  # not detected: the guest chooses
        zone.select_option("Europe/London")
        page.get_by_role("button", name="Show times").click()
    expect(page).to_have_url(re.compile("tz=Europe%2FLondon"))  # shown again in that zone
    page.wait_for_load_state()
    expect(zone).to_have_value("Europe/London")
    step(f"choose a time: {type_name}")
    page.get_by_role("region", name=re.compile("Free times on")).get_by_role("link").first.click()
    if journey:
        page.get_by_role("button", name=button).click()  # nothing filled in yet
        expect_the_form_failed(page)
        step(f"details missing: {type_name}")
    page.get_by_label("Your name", exact=True).fill(name)
    page.get_by_label("E-mail address", exact=True).fill(address)
    page.get_by_label("Organisation", exact=True).fill("Northside Community Health")
    page.get_by_label("Your role", exact=True).fill("Director of patient experience")
    page.get_by_label("What matters most to your organisation right now?").fill(
        "Trust between our night staff and patients."
    )
    page.get_by_label("I have read the cancellation policy and accept it").check()
    step(f"details: {type_name}")
    page.get_by_role("button", name=button).click()


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without"])
def test_a_guest_books_then_cancels_by_the_emailed_link_after_confirming(
    browser, live_site, javascript
):
    journey = f"guest books and cancels, {'with' if javascript else 'without'} JavaScript"
    context = browser.new_context(base_url=live_site.url, timezone_id="Europe/London")
    if not javascript:
        without_javascript(context)
    page = context.new_page()
    prefix = "js" if javascript else "nojs"
    if javascript:
        book_first_free_time(page, "Discovery call", f"{prefix}.free@example.org", "Book")
        expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")

    address = f"{prefix}.paying@example.org"
    book_first_free_time(
        page,
        "Leadership strategy session",
        address,
        "Book and pay",
        journey=journey,
        javascript=javascript,
    )
    expect(page.get_by_text("Test payment.")).to_be_visible()
    check_page(page, journey, "test payment")
    page.get_by_role("button", name="Cancel").click()  # leaves the payment page first
    expect(page.get_by_role("heading", level=1)).to_have_text("Payment not completed")
    expect(page.get_by_text("is free again for anyone to book")).to_be_visible()
    check_page(page, journey, "payment not completed")
    page.get_by_role("link", name="Book this time again").click()
    expect(page.get_by_label("E-mail address", exact=True)).to_have_value(address)
    page.get_by_label("I have read the cancellation policy and accept it").check()
    page.get_by_role("button", name="Book and pay").click()
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    check_page(page, journey, "booked")

    page.goto(manage_link_from(wait_for_email(live_site, address, "Confirmed")))
    expect(page.get_by_text("back (100%)")).to_be_visible()
    check_page(page, journey, "the guest's booking page")
    page.get_by_role("link", name="Receipt", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Receipt")
    check_page(page, journey, "receipt")
    page.go_back()
    page.get_by_role("link", name="Choose another time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Move your "))
    check_page(page, journey, "move to another time")
    page.go_back()
    page.get_by_role("link", name="Cancel this booking").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your booking?")
    expect(page.get_by_text("back (100%)")).to_be_visible()
    check_page(page, journey, "confirm cancelling")
    page.get_by_role("link", name="No, keep my booking").click()  # changed their mind
    expect(page.get_by_text("This booking is cancelled.")).to_have_count(0)
    page.get_by_role("link", name="Cancel this booking").click()
    page.get_by_role("button", name="Yes, cancel this booking").click()
    expect(page.get_by_text("This booking is cancelled.")).to_be_visible()
    check_page(page, journey, "cancelled")
    context.close()


def test_the_consultant_cancels_a_booking_only_after_confirming(browser, live_site):
    journey = "consultant cancels a booking"
    guest = browser.new_context(base_url=live_site.url, timezone_id="Europe/London")
    book_first_free_time(
        guest.new_page(), "Discovery call", "ours@example.org", "Book", name="Sam Okafor"
    )
    guest.close()

    context = browser.new_context(base_url=live_site.url)
    page = context.new_page()
    sign_in(page, live_site)
    page.goto("/admin/bookings/")
    page.get_by_role("row", name=re.compile("Sam Okafor")).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sam Okafor")
    check_page(page, journey, "the booking")
    page.get_by_role("link", name="Cancel without a refund").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancel Sam Okafor")
    check_page(page, journey, "confirm cancelling")
    page.get_by_role("link", name="No, keep the booking").click()
    expect(page.get_by_role("link", name="Cancel without a refund")).to_be_visible()
    page.get_by_role("link", name="Cancel without a refund").click()
    page.get_by_role("button", name="Yes, cancel without a refund").click()
    expect(page.get_by_text(re.compile("^Cancelled;"))).to_be_visible()
    check_page(page, journey, "cancelled")
    context.close()
