"""The client portal in a real browser: start an organisation, open a round, answer, act on it."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.outbox import text_of, wait_for_email

pytestmark = pytest.mark.browser


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
