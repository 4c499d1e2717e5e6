"""What a person does in a real browser: sign in, find their way by mouse and keyboard, any size."""

import email
import email.policy
import re
import time

import pytest
from playwright.sync_api import expect

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


def wait_for_email(live_site, address: str, subject: str = "", timeout: float = 10.0):
    """The local outbox's message to `address` whose subject starts with `subject`.

    Mail is written just after the response, so wait for it.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in (live_site.log.parent / "outbox").glob("*.eml"):
            message = email.message_from_string(path.read_text(), policy=email.policy.default)
            if message["To"] == address and message["Subject"].startswith(subject):
                return message
        time.sleep(0.1)
    raise AssertionError(f"no e-mail to {address} within {timeout} s")


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


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


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


def test_a_visitor_starts_an_organisation_opens_a_round_and_answers_with_saving_as_they_go(
    browser, live_site
):
    context = browser.new_context(base_url=live_site.url)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessment").click()
    page.get_by_label("Your organisation's name").fill("Meadow Health Partners")
    page.get_by_label("Which group do you belong to?").select_option(label="Executive leadership")
    page.get_by_label("Your e-mail address", exact=True).first.fill("founder@meadow.example")
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")

    invitation = text_of(wait_for_email(live_site, "founder@meadow.example", "You are invited"))
    page.goto(re.search(r"http://127\.0\.0\.1:\d+/accounts/invitation/\S+", invitation).group())
    page.get_by_label("Your name").fill("Fern Founder")
    page.get_by_label("New password", exact=True).fill("meadows grow slowly")
    page.get_by_label("Type the new password again").fill("meadows grow slowly")
    page.get_by_role("button", name="Create my account").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessment").click()
    page.get_by_role("link", name="Meadow Health Partners").click()
    page.get_by_label("Name of the round").fill("First round")
    page.get_by_label("Closes on").fill("2099-01-31")
    page.get_by_role("button", name="Open the round").click()
    page.get_by_role("link", name="Take the assessment").click()
    expect(page.get_by_text("Part 1 of")).to_be_visible()
    first_group = page.locator("fieldset").first
    first_group.locator("input[type=radio]").nth(3).check()
    expect(page.get_by_text("Your answers are saved.")).to_be_visible()  # saved while answering
    page.reload()
    expect(page.locator("fieldset").first.locator("input[type=radio]").nth(3)).to_be_checked()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Part 2 of")).to_be_visible()
    context.close()


def _prepare_portal_round(live_site) -> dict:
    """In the live site's own database: an organisation, its owner, three members, an open round.

    Two members' answers are already in, so that the round has enough respondents to show results.
    """
    from consult import create_app
    from consult.accounts.service import create_user
    from consult.clock import utc_now
    from consult.config import load_settings
    from consult.db import get_session
    from consult.portal import service
    from consult.portal.models import Response

    settings = load_settings(
        {"CONSULT_INSTANCE_DIR": str(live_site.log.parent), "SITE_URL": live_site.url}
    )
    app = create_app({"SETTINGS": settings, "PREPARE_DATABASE": False})
    with app.app_context():
        db = get_session()
        assessment = app.extensions["consult.assessments"].current()
        now = utc_now()
        people = {
            name: create_user(
                session=db,
                email=f"{name}@pinewood.example",
                name=name.title(),
                password="pinewood partners",
                role="client",
                now=now,
            )
            for name in ("owner", "answerer", "early1", "early2")
        }
        organisation = service.create_organisation(session=db, name="Pinewood Clinic", now=now)
        for name, person in people.items():
            service.add_member(
                session=db,
                organisation=organisation,
                user=person,
                role="owner" if name == "owner" else "member",
                role_group="staff",
                now=now,
            )
        assessment_round = service.open_round(
            session=db,
            organisation=organisation,
            definition=assessment,
            name="Spring round",
            closes_on=now.date().replace(year=now.year + 1),
            today=now.date(),
            now=now,
        )
        for name in ("early1", "early2"):
            db.add(
                Response(
                    round_id=assessment_round.id,
                    user_id=people[name].id,
                    role_group="staff",
                    started_at=now,
                    updated_at=now,
                    submitted_at=now,
                    answers={
                        question.key: 2
                        for question in assessment.questions
                        if question.kind != "text"
                    },
                )
            )
        db.commit()
        return {"sections": len(assessment.sections)}


def _sign_in_as(page, email):
    page.goto("/accounts/sign-in")
    page.get_by_label("E-mail address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill("pinewood partners")
    page.get_by_role("button", name="Sign in").click()


def _answer_current_section(page):
    for group in page.locator("fieldset").all():
        group.locator("input[type=radio]").nth(3).check()


def test_a_member_answers_half_comes_back_and_submits_then_the_owner_closes_and_acts_on_the_plan(
    browser, live_site
):
    sections = _prepare_portal_round(live_site)["sections"]
    context = browser.new_context(base_url=live_site.url, accept_downloads=True)
    page = context.new_page()
    _sign_in_as(page, "answerer@pinewood.example")
    page.goto("/portal/")
    page.get_by_role("link", name="Pinewood Clinic").click()
    page.get_by_role("link", name="Take the assessment").click()
    for _ in range(sections // 2):
        _answer_current_section(page)
        page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Sign out").click()  # leaves half-way

    _sign_in_as(page, "answerer@pinewood.example")
    page.goto("/portal/")
    page.get_by_role("link", name="Pinewood Clinic").click()
    page.get_by_role("link", name="Continue the assessment").click()
    expect(
        page.locator("fieldset").first.locator("input[type=radio]").nth(3)
    ).to_be_checked()  # kept
    for _ in range(sections):
        _answer_current_section(page)
        page.get_by_role("button", name=re.compile("Save and (continue|review)")).click()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_text("Your answers are submitted")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    _sign_in_as(page, "owner@pinewood.example")
    page.goto("/portal/")
    page.get_by_role("link", name="Pinewood Clinic").click()
    page.get_by_role("button", name="Close the round now and see the results").click()
    expect(page.get_by_role("img", name=re.compile("scores by dimension"))).to_be_visible()
    expect(page.get_by_role("heading", name="Your action plan")).to_be_visible()
    first_action = page.locator("article.action").first
    first_action.get_by_label("Status").select_option(label="In progress")
    first_action.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.locator("article.action").first.locator(".post-meta")).to_contain_text(
        "In progress"
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the results and plan as PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    context.close()
