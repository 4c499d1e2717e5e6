"""The accessibility gate over every page that has an address: axe-core finds nothing.

Journeys check the pages reached by filling forms (test_journeys.py, test_portal_journeys.py,
test_keyboard.py); this file checks every page reached by its address alone. A new page is one
more line in a list in pages.py.
"""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import check_page
from tests.browser.pages import (
    CONSULTANT_PAGES,
    CONSULTANT_RECORD_PAGES,
    PORTAL_PAGES,
    PUBLIC_PAGES,
    expect_the_form_failed,
    sign_in,
)
from tests.browser.portal_organisation import prepare_portal_organisation
from tests.browser.portal_round import prepare_portal_round, sign_in_as

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_every_public_page_passes_the_accessibility_gate(page, name):
    page.goto(PUBLIC_PAGES[name])
    check_page(page, "public pages", name)


def test_every_consultant_page_passes_the_accessibility_gate(page, live_site):
    sign_in(page, live_site)
    for name, path in CONSULTANT_PAGES.items():
        page.goto(path)
        check_page(page, "consultant pages", name)

    for path, button in [
        ("/admin/types/new", "Save"),
        ("/admin/organisations/", "Create and invite the owner"),
        ("/admin/availability", "Save this day"),
    ]:
        page.goto(path)
        page.get_by_role("button", name=button).click()  # nothing filled in
        expect_the_form_failed(page)
        check_page(page, "consultant pages", f"{path}: {button}, answers missing")

    page.goto("/admin/types/")
    page.get_by_role("link", name=re.compile("Discovery call")).first.click()
    expect(page).to_have_url(re.compile(r"/admin/types/\d+/$"))
    check_page(page, "consultant pages", "edit a consultation type")

    page.goto("/admin/organisations/")
    page.get_by_role("link", name=re.compile("closed, results and plan")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("results and plan")
    check_page(page, "consultant pages", "results and plan")
    page.get_by_role("link", name=re.compile("Individual answers")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("individual answers")
    check_page(page, "consultant pages", "individual answers")
    page.goto("/admin/organisations/")
    page.locator("td[data-label=Organisation] a").first.click()
    expect(page.get_by_role("heading", name="Notes")).to_be_visible()
    check_page(page, "consultant pages", "client view")
    page.get_by_role("link", name="Their portal page").click()
    expect(page.get_by_role("link", name="Members")).to_be_visible()
    check_page(page, "consultant pages", "organisation")
    page.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    check_page(page, "consultant pages", "members")


def test_the_error_page_for_a_forbidden_page_passes_the_accessibility_gate(browser, live_site):
    prepare_portal_round(live_site, "rowan.example", "Rowan House")
    context = browser.new_context(base_url=live_site.url)
    page = context.new_page()
    sign_in_as(page, "owner@rowan.example")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.goto("/admin/").status == 403
    check_page(page, "public pages", "error: forbidden")
    context.close()


def test_every_portal_page_passes_the_accessibility_gate(browser, live_site):
    fields = prepare_portal_organisation(live_site, "larch.example", "Larch Trust")
    context = browser.new_context(base_url=live_site.url)
    page = context.new_page()
    sign_in_as(page, "owner@larch.example")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    for name, path in PORTAL_PAGES.items():
        response = page.goto(path.format(**fields))
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        check_page(page, "portal pages", name)

    page.goto(PORTAL_PAGES["programmes, and buying one"].format(**fields))
    buy = re.compile("^Buy for .*: Partnership programme for Larch Trust")
    page.get_by_role("button", name=buy).click()
    expect(page.get_by_text("Test payment.")).to_be_visible()
    check_page(page, "portal pages", "paying for a programme")
    context.close()

    consultant = browser.new_context(base_url=live_site.url)
    page = consultant.new_page()
    sign_in(page, live_site)
    for name, path in CONSULTANT_RECORD_PAGES.items():
        response = page.goto(path.format(**fields))
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        check_page(page, "consultant pages: one record", name)
    consultant.close()


def test_two_step_sign_in_and_deleting_an_account_pass_the_accessibility_gate(browser, live_site):
    journey = "portal pages: two-step sign-in and your data"
    prepare_portal_round(live_site, "rowan-two.example", "Rowan Two")
    context = browser.new_context(base_url=live_site.url)
    page = context.new_page()
    sign_in_as(page, "early2@rowan-two.example")
    page.goto("/accounts/data")
    page.get_by_role("button", name="Delete my account").click()  # nothing filled in
    expect_the_form_failed(page)
    check_page(page, journey, "delete my account, answers missing")

    page.goto("/accounts/two-step/")
    page.get_by_role("button", name="Set up two-step sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    check_page(page, journey, "set up")
    secret = page.locator("code.secret-key").inner_text().replace(" ", "")
    page.get_by_role("button", name="Turn on two-step sign-in").click()  # no code yet
    expect_the_form_failed(page)
    check_page(page, journey, "set up, code missing")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("link", name="I have kept them")).to_be_visible()
    check_page(page, journey, "recovery codes")
    page.goto("/accounts/two-step/turn-off")
    check_page(page, journey, "turn off")
    page.get_by_role("button", name="Turn it off").click()  # nothing filled in
    expect_the_form_failed(page)
    check_page(page, journey, "turn off, answers missing")

    page.get_by_role("button", name="Sign out").click()
    sign_in_as(page, "early2@rowan-two.example")
    expect(page).to_have_url(re.compile("/accounts/two-step/sign-in"))
    check_page(page, journey, "the code after the password")
    page.get_by_role("button", name="Sign in").click()  # no code
    expect_the_form_failed(page)
    check_page(page, journey, "the code after the password, code missing")
    context.close()
