"""The accessibility gate over every page that has an address: axe-core finds nothing.

Journeys check the pages reached by filling forms (test_journeys.py, test_portal_journeys.py,
test_keyboard.py); this file checks every page reached by its address alone. A new page is one
more line in a list in pages.py.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import check_page
from tests.browser.pages import CONSULTANT_PAGES, PUBLIC_PAGES, expect_the_form_failed, sign_in
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
