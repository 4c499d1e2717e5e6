"""The accessibility gate over every page that has an address: axe-core finds nothing.

Journeys check the pages reached by filling forms (test_journeys.py, test_portal_journeys.py,
test_keyboard.py); this file checks every page reached by its address alone. A new page is one
more line in a list in pages.py.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import check_page
from tests.browser.pages import CONSULTANT_PAGES, PUBLIC_PAGES, sign_in

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

    page.goto("/admin/types/")
    page.get_by_role("link", name=re.compile("Discovery call")).first.click()
    check_page(page, "consultant pages", "edit a consultation type")

    page.goto("/admin/organisations/")
    page.get_by_role("link", name=re.compile("closed, results and plan")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("results and plan")
    check_page(page, "consultant pages", "results and plan")
    page.get_by_role("link", name=re.compile("Individual answers")).click()
    check_page(page, "consultant pages", "individual answers")
    page.goto("/admin/organisations/")
    page.locator("td[data-label=Organisation] a").first.click()
    check_page(page, "consultant pages", "organisation")
    page.get_by_role("link", name="Members").click()
    check_page(page, "consultant pages", "members")
