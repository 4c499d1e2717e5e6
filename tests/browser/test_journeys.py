"""What a person does in a real browser: sign in, find their way by mouse and keyboard, any size."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.outbox import text_of, wait_for_email

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "/",
    "/about/",
    "/accounts/sign-in",
    "/accounts/reset",
    "/no-such-page",
    "/blog/",
    "/blog/archive/",
    "/blog/search?q=listening",
    "/blog/being-believed/",
    "/blog/listening-organisation-part-2-systems/",
    "/blog/subscribe",
    "/book/",
    "/book/leadership-strategy-session/",
    "/portal/",
]


def sign_in(page, live_site):
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail address", exact=True).fill(live_site.consultant_email)
    page.get_by_label("Password", exact=True).fill(live_site.consultant_password)
    page.get_by_role("button", name="Sign in").click()


def test_consultant_signs_in_reaches_the_dashboard_and_signs_out(page, live_site):
    sign_in(page, live_site)
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Admin")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in\?next="))


def test_a_wrong_password_is_explained_next_to_the_field_and_the_address_kept(page, live_site):
    page.goto("/accounts/sign-in")
    page.get_by_label("E-mail address", exact=True).fill(live_site.consultant_email)
    page.get_by_label("Password", exact=True).fill("not the right one")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("do not match an account").first).to_be_visible()
    expect(page.get_by_label("E-mail address", exact=True)).to_have_value(
        live_site.consultant_email
    )
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("aria-invalid", "true")


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
    expect(page).to_have_url(re.compile(r"/admin/$"))


@pytest.mark.parametrize("width", [320, 640])  # 640 px is a 1280 px window at 200 % zoom
def test_no_page_scrolls_sideways_on_a_narrow_screen_or_at_200_percent_zoom(
    browser, live_site, width
):
    context = browser.new_context(base_url=live_site.url, viewport={"width": width, "height": 800})
    page = context.new_page()
    sign_in(page, live_site)
    for path in PUBLIC_PAGES + ["/admin/", "/accounts/password"]:
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
    context.close()


def test_every_field_has_a_label_and_every_page_one_h1_and_landmarks(page):
    for path in PUBLIC_PAGES:
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
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Blog").click()
    page.get_by_role("link", name=re.compile(r"Part 1")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Part 1")
    series_box = page.get_by_role("navigation", name=re.compile("part 1 of 3"))
    series_box.get_by_role("link", name=re.compile(r"Part 2")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Part 2")

    subscribe = page.get_by_role("region", name="Read the next post first")
    subscribe.get_by_label("Your e-mail address").fill("browser.reader@example.org")
    subscribe.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Almost done: check your e-mail")

    confirmation = text_of(
        wait_for_email(live_site, "browser.reader@example.org", "Please confirm")
    )
    confirm_url = re.search(
        r"http://127\.0\.0\.1:\d+/blog/subscribe/confirm/\S+", confirmation
    ).group()
    page.goto(confirm_url)
    page.get_by_role("button", name="Yes, send me new posts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are subscribed")


def manage_link_from(message) -> str:
    body = text_of(message)
    return re.search(r"http://127\.0\.0\.1:\d+/book/manage/\S+", body).group()


def book_first_free_time(page, type_name: str, address: str, button: str):
    page.goto("/book/")
    page.get_by_role("link", name=f"Choose a time for {type_name}").click()
    expect(page.get_by_label("Show times in this time zone")).to_have_value(
        "Europe/London"
    )  # detected from the browser
    page.get_by_role("region", name=re.compile("Free times on")).get_by_role("link").first.click()
    page.get_by_label("Your name", exact=True).fill("Robin Ayodele")
    page.get_by_label("E-mail address", exact=True).fill(address)
    page.get_by_label("Organisation", exact=True).fill("Northside Community Health")
    page.get_by_label("Your role", exact=True).fill("Director of patient experience")
    page.get_by_label("What matters most to your organisation right now?").fill(
        "Trust between our night staff and patients."
    )
    page.get_by_label("I have read the cancellation policy and accept it").check()
    page.get_by_role("button", name=button).click()


def test_a_guest_books_a_free_and_a_paid_consultation_then_cancels_by_the_emailed_link(
    browser, live_site
):
    context = browser.new_context(base_url=live_site.url, timezone_id="Europe/London")
    page = context.new_page()
    book_first_free_time(page, "Discovery call", "free.guest@example.org", "Book")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")

    book_first_free_time(
        page, "Leadership strategy session", "paying.guest@example.org", "Book and pay"
    )
    expect(page.get_by_text("Test payment.")).to_be_visible()
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")

    page.goto(manage_link_from(wait_for_email(live_site, "paying.guest@example.org", "Confirmed")))
    expect(page.get_by_text("back (100%)")).to_be_visible()
    page.get_by_role("button", name="Cancel this booking").click()
    expect(page.get_by_text("This booking is cancelled.")).to_be_visible()
    context.close()
