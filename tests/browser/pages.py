"""What the browser tests visit: the pages reached by their address, and the steps they share.

A new page is one more line in one of the lists below: the accessibility gate
(test_accessibility.py) and the structure checks (test_journeys.py) pick it up, and
tests/web/test_pages_in_the_gate.py fails while a page with an address is in none of them.
"""

import re

from playwright.sync_api import expect

from tests.browser.outbox import text_of

PUBLIC_PAGES = {
    "home": "/",
    "about": "/about/",
    "sign in": "/accounts/sign-in",
    "password reset": "/accounts/reset",
    "reset link gone": "/accounts/reset/not-a-real-token",
    "invitation link gone": "/accounts/invitation/not-a-real-token",
    "blog": "/blog/",
    "blog archive": "/blog/archive/",
    "blog search": "/blog/search?q=listening",
    "blog search, nothing found": "/blog/search?q=zzzzzz",
    "post with footnotes": "/blog/being-believed/",
    "post in a series": "/blog/listening-organisation-part-2-systems/",
    "series": "/blog/series/building-a-listening-organisation/",
    "tag": "/blog/tag/listening/",
    "subscribe": "/blog/subscribe",
    "subscription link gone": "/blog/subscribe/confirm/not-a-real-token",
    "unsubscribe link gone": "/blog/unsubscribe/not-a-real-token",
    "booking": "/book/",
    "choose a time": "/book/leadership-strategy-session/",
    "portal": "/portal/",
    "error: not found": "/no-such-page",
    "error: method not allowed": "/accounts/sign-out",
    "error: booking link gone": "/book/manage/not-a-real-token",
}

CONSULTANT_PAGES = {
    "admin dashboard": "/admin/",
    "two-step sign-in": "/accounts/two-step/",
    "upcoming bookings": "/admin/bookings/",
    "bookings waiting for payment": "/admin/bookings/?view=held",
    "past bookings": "/admin/bookings/?view=past",
    "cancelled bookings": "/admin/bookings/?view=cancelled",
    "bookings not completed": "/admin/bookings/?view=expired",
    "consultation types": "/admin/types/",
    "new consultation type": "/admin/types/new",
    "availability": "/admin/availability",
    "agenda": "/admin/agenda",
    "time off": "/admin/time-off/",
    "book someone in": "/admin/bookings/new",
    "client organisations": "/admin/organisations/",
    "subscribers": "/admin/subscribers/",
    "calendars": "/admin/calendars/",
    "audit log": "/admin/audit/",
    "programmes": "/admin/programmes/",
    "new programme": "/admin/programmes/new",
    "grant a programme": "/admin/programmes/grant",
    "change password": "/accounts/password",
    "your data": "/accounts/data",
}


# A client organisation's pages, seen by its owner: portal_organisation.py makes one with
# something on each, and fills each {field}.
ORGANISATION = "/portal/o/{organisation}"
PORTAL_PAGES = {
    "your organisations": "/portal/",
    "organisation and its timeline": f"{ORGANISATION}/",
    "activity": f"{ORGANISATION}/activity",
    "members": f"{ORGANISATION}/members",
    "confirm revoking an invitation": (
        f"{ORGANISATION}/invitations/revoke?invitation={{invitation}}"
    ),
    "confirm removing a member": f"{ORGANISATION}/members/remove?membership={{member}}",
    "confirm handing over ownership": (
        f"{ORGANISATION}/members/hand-ownership?membership={{member}}"
    ),
    "answer page": f"{ORGANISATION}/r/{{open_round}}/answer/1",
    "review": f"{ORGANISATION}/r/{{open_round}}/review",
    "who has responded": f"{ORGANISATION}/r/{{open_round}}/progress",
    "confirm closing the round": f"{ORGANISATION}/r/{{open_round}}/close",
    "results and plan": f"{ORGANISATION}/r/{{closed_round}}/results",
    "programmes, and buying one": f"{ORGANISATION}/programmes/",
    "confirm ending a programme": f"{ORGANISATION}/programmes/{{purchase}}/cancel",
    "receipts": f"{ORGANISATION}/receipts/",
    "receipt": f"{ORGANISATION}/receipts/programme/{{purchase}}",
    "your data: download or delete": "/accounts/data",
    "change password": "/accounts/password",
    "two-step sign-in settings": "/accounts/two-step/",
    "stop reminders (the e-mailed link)": "/portal/reminders/stop/{stop_token}",
}


# The consultant's pages of one record, filled from the same preparation.
CONSULTANT_RECORD_PAGES = {
    "client view": "/admin/organisations/{organisation}/",
    "the organisation's portal page": f"{ORGANISATION}/",
    "results and plan": f"{ORGANISATION}/r/{{closed_round}}/results",
    "individual answers": f"{ORGANISATION}/r/{{closed_round}}/responses",
    "edit a consultation type": "/admin/types/{consultation_type}/",
    "edit a programme": "/admin/programmes/{programme}/",
    "a programme bought": "/admin/programmes/purchases/{purchase}/",
    "its receipt": "/admin/receipts/programme/{purchase}",
    "confirm giving time off back": "/admin/time-off/{time_off}/remove",
    "confirm a day off given back": "/admin/availability/overrides/{day_off}/delete",
    "confirm removing a calendar": "/admin/calendars/{feed}/delete",
    "confirm deactivating a member": (
        "/admin/organisations/{organisation}/members/{member}/deactivate"
    ),
    "confirm signing a member out everywhere": (
        "/admin/organisations/{organisation}/members/{member}/sign-out-everywhere"
    ),
}


def sign_in(page, live_site):
    """Sign in as the consultant from the home page's link: her password, then her app's code."""
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail address", exact=True).fill(live_site.consultant_email)
    page.get_by_label("Password", exact=True).fill(live_site.consultant_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.get_by_label("Code", exact=True).fill(live_site.authenticator.code())
    page.get_by_role("button", name="Sign in").click()


def manage_link_from(message) -> str:
    """The guest's private link to their booking, from a booking e-mail."""
    body = text_of(message)
    return re.search(r"http://127\.0\.0\.1:\d+/book/manage/\S+", body).group()


def without_javascript(context) -> None:
    """The site as a browser without JavaScript gets it: none of the site's scripts run.

    axe-core needs JavaScript itself (with it off, its timers never fire), so instead of turning
    JavaScript off, every script file is refused. The Content-Security-Policy forbids inline
    script, so those files are all of the site's JavaScript.
    """
    # Static URLs carry a content hash (`app.js?v=…`): match the path, whatever the query.
    context.route(re.compile(r"\.js(\?.*)?$"), lambda route: route.abort())


def expect_the_form_failed(page):
    """The failed form's error summary has the focus, and the title begins with "Error:"."""
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".error-summary, .flash-error").first).to_be_focused()
