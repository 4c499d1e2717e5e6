"""The client portal in a real browser: start an organisation, open a round, answer, act on it.

Every step passes the accessibility gate (`check_page`): start, invitation, each answer page,
review, results, plan, members and the confirmations of what cannot be undone.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import check_page
from tests.browser.outbox import text_of, wait_for_email
from tests.browser.pages import expect_the_form_failed
from tests.browser.portal_round import (
    answer_current_section,
    open_organisation,
    prepare_portal_round,
    sign_in_as,
)

pytestmark = pytest.mark.browser


def test_a_visitor_starts_an_organisation_opens_a_round_and_answers_with_saving_as_they_go(
    browser, live_site
):
    journey = "portal: starting"
    context = browser.new_context(base_url=live_site.url)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessment").click()
    page.get_by_role("button", name="Start the assessment").click()  # nothing filled in
    expect_the_form_failed(page)
    check_page(page, journey, "start, answers missing")
    page.get_by_label("Your organisation's name").fill("Meadow Health Partners")
    page.get_by_label("Which group do you belong to?").select_option(label="Executive leadership")
    page.get_by_label("Your e-mail address", exact=True).first.fill("founder@meadow.example")
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    check_page(page, journey, "check your e-mail")

    invitation = text_of(wait_for_email(live_site, "founder@meadow.example", "You are invited"))
    page.goto(re.search(r"http://127\.0\.0\.1:\d+/accounts/invitation/\S+", invitation).group())
    check_page(page, journey, "invitation")
    page.get_by_label("Your name").fill("Fern Founder")
    page.get_by_label("New password", exact=True).fill("meadows grow slowly")
    page.get_by_label("Type the new password again").fill("meadows grow quickly")
    page.get_by_role("button", name="Create my account").click()
    expect_the_form_failed(page)
    check_page(page, journey, "invitation, passwords differ")
    page.get_by_label("New password", exact=True).fill("meadows grow slowly")
    page.get_by_label("Type the new password again").fill("meadows grow slowly")
    page.get_by_role("button", name="Create my account").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessment").click()
    expect(page.get_by_role("heading", name="Your organisations")).to_be_visible()
    check_page(page, journey, "your organisations")
    page.get_by_role("link", name="Meadow Health Partners").click()
    page.get_by_role("button", name="Open the round").click()  # nothing filled in
    expect_the_form_failed(page)
    check_page(page, journey, "open a round, answers missing")
    page.get_by_label("Name of the round").fill("First round")
    page.get_by_label("Closes on").fill("2099-01-31")
    page.get_by_role("button", name="Open the round").click()
    expect(page.get_by_role("link", name="Take the assessment")).to_be_visible()
    check_page(page, journey, "round open")
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


def test_a_member_answers_half_comes_back_and_submits_then_the_owner_closes_and_acts_on_the_plan(
    browser, live_site
):
    journey = "portal: a round"
    sections = prepare_portal_round(live_site, "pinewood.example", "Pinewood Clinic")["sections"]
    context = browser.new_context(base_url=live_site.url, accept_downloads=True)
    page = context.new_page()
    sign_in_as(page, "answerer@pinewood.example")
    open_organisation(page, "Pinewood Clinic")
    page.get_by_role("link", name="Take the assessment").click()
    for number in range(1, sections // 2 + 1):
        answer_current_section(page, number, sections)
        page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Sign out").click()  # leaves half-way

    sign_in_as(page, "answerer@pinewood.example")
    open_organisation(page, "Pinewood Clinic")
    page.get_by_role("link", name="Continue the assessment").click()
    resumed = sections // 2 + 1  # the first part with a question not yet answered
    expect(page.get_by_text(f"Part {resumed} of {sections}")).to_be_visible()
    first_page = re.sub(r"/answer/\d+", "/answer/1", page.url)
    page.goto(first_page)
    expect(
        page.locator("fieldset").first.locator("input[type=radio]").nth(3)
    ).to_be_checked()  # kept
    page.goto(first_page.replace("/answer/1", "/review"))
    page.get_by_role("button", name="Submit my answers").click()  # half the answers missing
    expect_the_form_failed(page)
    check_page(page, journey, "review, answers missing")
    page.goto(first_page)
    for number in range(1, sections + 1):
        expect(page.get_by_text(f"Part {number} of {sections}")).to_be_visible()
        check_page(page, journey, f"answer page {number}")
        answer_current_section(page, number, sections)
        page.get_by_role("button", name=re.compile("Save and (continue|review)")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review your answers")
    check_page(page, journey, "review")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_text("Your answers are submitted")).to_be_visible()
    check_page(page, journey, "submitted")
    page.get_by_role("button", name="Sign out").click()

    sign_in_as(page, "owner@pinewood.example")
    open_organisation(page, "Pinewood Clinic")
    page.get_by_role("link", name="Who has responded").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("who has responded")
    check_page(page, journey, "who has responded")
    page.go_back()
    page.get_by_role("link", name="Close the round now and see the results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close Spring round now?")
    check_page(page, journey, "confirm closing the round")
    page.get_by_role("link", name="No, keep it open").click()
    expect(page.get_by_role("link", name="Close the round now and see the results")).to_be_visible()
    page.get_by_role("link", name="Close the round now and see the results").click()
    page.get_by_role("button", name="Yes, close the round and see the results").click()
    expect(page.get_by_role("img", name=re.compile("scores by dimension"))).to_be_visible()
    expect(page.get_by_role("heading", name="Your action plan")).to_be_visible()
    check_page(page, journey, "results")
    first_action = page.locator("article.action").first
    first_action.get_by_label("Status").select_option(label="In progress")
    first_action.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.locator("article.action").first.locator(".post-meta")).to_contain_text(
        "In progress"
    )
    check_page(page, journey, "plan updated")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the results and plan as PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    context.close()


def test_an_owner_removes_a_member_and_hands_over_ownership_only_after_confirming(
    browser, live_site
):
    journey = "portal: members"
    prepare_portal_round(live_site, "alder.example", "Alder Practice")
    context = browser.new_context(base_url=live_site.url)
    page = context.new_page()
    sign_in_as(page, "owner@alder.example")
    open_organisation(page, "Alder Practice")
    page.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    check_page(page, journey, "members")

    page.get_by_role("link", name="Remove Early2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove Early2 from Alder Practice?")
    check_page(page, journey, "confirm removing a member")
    page.get_by_role("link", name="No, keep them").click()
    expect(page.get_by_role("cell", name="Early2", exact=True)).to_be_visible()
    page.get_by_role("link", name="Remove Early2").click()
    page.get_by_role("button", name="Yes, remove Early2").click()
    expect(page.get_by_text("Removed from the organisation.")).to_be_visible()
    expect(page.get_by_role("cell", name="Early2", exact=True)).to_have_count(0)

    page.get_by_role("link", name="Make owner instead of me (Early1)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Make Early1 the owner instead of you?"
    )
    check_page(page, journey, "confirm handing over ownership")
    page.get_by_role("button", name="Yes, make Early1 the owner").click()
    expect(page.get_by_text("Ownership handed over. You are now a member.")).to_be_visible()
    check_page(page, journey, "no longer the owner")
    context.close()
