"""Every page with an address is in the accessibility gate, or says why not.

A page is in the gate when a path in tests/browser/pages.py reaches its route (the path's
`{fields}` filled with placeholders), or when a browser journey checks it at a step named below.
Everything else a GET route answers is a file, a feed or a redirect, listed with what it is.
"""

import string

from werkzeug.exceptions import HTTPException

from consult.config import PROJECT_ROOT
from tests.browser.pages import (
    CONSULTANT_PAGES,
    CONSULTANT_RECORD_PAGES,
    PORTAL_PAGES,
    PUBLIC_PAGES,
)

BROWSER_TESTS = PROJECT_ROOT / "tests" / "browser"
LISTS = (PUBLIC_PAGES, PORTAL_PAGES, CONSULTANT_PAGES, CONSULTANT_RECORD_PAGES)

# Not pages to read: what each answers instead.
NOT_PAGES = {
    "static": "the site's own CSS, scripts and pictures",
    "blog.media": "a post's pictures",
    "blog.feed": "the Atom feed",
    "blog.tag_feed": "a tag's Atom feed",
    "blog.robots": "robots.txt, for crawlers",
    "booking.booking_invite": "the booking's invitation as an iCalendar file",
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
    "receipts.admin_receipt_pdf": "a receipt as a PDF",
    "admin.subscribers_csv": "the subscribers as a CSV file",
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
    "admin.booking_detail": ("test_journeys.py", '"the booking")'),
    "admin.cancel_booking_as_consultant": ("test_journeys.py", '"confirm cancelling")'),
    "admin.move_booking_as_consultant": ("test_host_journeys.py", '"move")'),
    "two_factor.set_up": ("test_accessibility.py", '"set up")'),
    "two_factor.sign_in_code": ("test_accessibility.py", '"the code after the password")'),
    "two_factor.turn_off": ("test_accessibility.py", '"turn off")'),
}

FIELDS = string.Formatter()


def _filled(path: str) -> str:
    """The path with each {field} replaced by a value any string or number argument takes."""
    fields = {name for _, name, _, _ in FIELDS.parse(path) if name}
    return path.format(**dict.fromkeys(fields, "1"))


def _rules_listed(app) -> set[str]:
    """The routes (as written in the url map) that a path in pages.py reaches."""
    adapter = app.url_map.bind("consult.test")
    listed = set()
    for path in [path for pages in LISTS for path in pages.values()]:
        address, _, query = _filled(path).partition("?")
        try:
            rule, _ = adapter.match(address, method="GET", query_args=query, return_rule=True)
        except HTTPException:  # the error pages' paths, which match no route on purpose
            continue
        listed.add(rule.rule)
    return listed


def _pages(app) -> dict[str, str]:
    """Every GET route: its rule as written, and its endpoint."""
    return {
        rule.rule: rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
    }


def test_every_page_with_an_address_is_in_the_accessibility_gate(app):
    listed = _rules_listed(app)
    unaccounted = {
        rule
        for rule, endpoint in _pages(app).items()
        if rule not in listed and endpoint not in NOT_PAGES and endpoint not in IN_JOURNEYS
    }
    assert unaccounted == set(), "add these to tests/browser/pages.py, or say why not here"


def test_the_reasons_given_are_current(app):
    """No stale entry: each names a route that exists and is not also listed, and each journey
    step named is in that file."""
    listed = _rules_listed(app)
    for endpoint in [*NOT_PAGES, *IN_JOURNEYS]:
        rules = [rule for rule, its in _pages(app).items() if its == endpoint]
        assert rules and not set(rules) & listed, endpoint
    for endpoint, (file_name, step) in IN_JOURNEYS.items():
        assert step in (BROWSER_TESTS / file_name).read_text(), (endpoint, file_name, step)
