"""Every public and portal page with an address is in the accessibility gate, or says why not.

A page is in the gate when a path in tests/browser/pages.py reaches it (its `{fields}` filled
with placeholders), or when a browser journey checks it at a step named below. Everything
else a GET route answers is a file or a redirect, and is listed with what it is. Admin pages have
their own check in test_accessibility_markup.py.
"""

import string

from werkzeug.exceptions import HTTPException

from consult.config import PROJECT_ROOT
from tests.browser.pages import CONSULTANT_PAGES, PORTAL_PAGES, PUBLIC_PAGES

BROWSER_TESTS = PROJECT_ROOT / "tests" / "browser"

# Not pages to read: what each answers instead.
NOT_PAGES = {
    "static": "the site's own CSS, scripts and pictures",
    "blog.media": "a post's pictures",
    "blog.feed": "the Atom feed",
    "blog.tag_feed": "a tag's Atom feed",
    "blog.robots": "robots.txt, for crawlers",
    "blog.sitemap": "the XML sitemap, for crawlers",
    "blog.subscribe_token": "JSON: a token the subscribe form's script fetches",
    "site.health": "JSON for the monitor",
    "booking.slots_json": "JSON: the free times the month view's script draws",
    "booking.payment_return": "a redirect to the booking's page once the payment is read",
    "engagements.payment_return": "a redirect to the programmes page once the payment is read",
    "calendars.bookings_feed": "the consultant's iCalendar feed",
    "privacy.download": "a JSON file of the person's data",
    "portal.plan_csv": "the plan as a CSV file",
    "portal.report_pdf": "the results and plan as a PDF",
    "receipts.guest_receipt_pdf": "a receipt as a PDF",
    "receipts.portal_receipt_pdf": "a receipt as a PDF",
}

# Pages reached only by filling a form or with a live booking: the file whose journey checks
# them, and the end of that `check_page` call (the step's name) as its source spells it.
IN_JOURNEYS = {
    "booking.details": ("test_journeys.py", 'step(f"details missing: {type_name}")'),
    "payments.test_checkout": ("test_journeys.py", '"test payment")'),
    "booking.payment_cancelled": ("test_journeys.py", '"payment not completed")'),
    "booking.booking_status": ("test_journeys.py", '"booked")'),
    "booking.cancel": ("test_journeys.py", '"confirm cancelling")'),
    "booking.move": ("test_journeys.py", '"move to another time")'),
    "receipts.guest_receipt": ("test_journeys.py", '"receipt")'),
    "two_factor.set_up": ("test_accessibility.py", '"set up")'),
    "two_factor.sign_in_code": ("test_accessibility.py", '"the code after the password")'),
    "two_factor.turn_off": ("test_accessibility.py", '"turn off")'),
    "portal.individual_responses": (
        "test_accessibility.py",
        'check_page(page, "consultant pages", "individual answers")',
    ),
}

PLACEHOLDERS = string.Formatter()


def _filled(path: str) -> str:
    """The path with each {field} replaced by a value any string argument takes."""
    fields = {name for _, name, _, _ in PLACEHOLDERS.parse(path) if name}
    return path.format(**dict.fromkeys(fields, "placeholder"))


def _endpoints_listed(app) -> set[str]:
    adapter = app.url_map.bind("consult.test")
    listed = set()
    for path in [*PUBLIC_PAGES.values(), *PORTAL_PAGES.values(), *CONSULTANT_PAGES.values()]:
        address, _, query = _filled(path).partition("?")
        try:
            endpoint, _ = adapter.match(address, method="GET", query_args=query)
        except HTTPException:  # the error pages' paths, which match no route on purpose
            continue
        listed.add(endpoint)
    return listed


def _public_and_portal_endpoints(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.rule.startswith("/admin/")
    }


def test_every_public_and_portal_page_is_in_the_accessibility_gate(app):
    unaccounted = (
        _public_and_portal_endpoints(app)
        - _endpoints_listed(app)
        - set(NOT_PAGES)
        - set(IN_JOURNEYS)
    )
    assert unaccounted == set(), "add these to tests/browser/pages.py, or say why not here"


def test_the_reasons_given_are_current(app):
    """No stale entry: each names a route that exists, is not also listed, and each journey
    step named is checked in that file."""
    endpoints = _public_and_portal_endpoints(app)
    listed = _endpoints_listed(app)
    for endpoint in [*NOT_PAGES, *IN_JOURNEYS]:
        assert endpoint in endpoints and endpoint not in listed, endpoint
    for endpoint, (file_name, step) in IN_JOURNEYS.items():
        source = (BROWSER_TESTS / file_name).read_text()
        assert step in source, (endpoint, file_name, step)
