"""The pages the site benchmark measures, the issue's target for each, and signing in to them."""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pyotp

from bench.dataset import CONSULTANT_EMAIL, OWNER_EMAIL, Dataset, first_bookable_day

ANONYMOUS = "anonymous"
CONSULTANT = "consultant"
OWNER = "owner"


@dataclass(frozen=True)
class Route:
    """One measured page: who asks for it, and the ratio to the minimal app it should reach."""

    label: str
    path: str
    visitor: str = ANONYMOUS
    target: float | None = None


def site_routes(
    dataset: Dataset, post_slug: str, tag_slug: str, today: date | None = None
) -> list[Route]:
    """The issue's list of pages, on this data set (`today` as the site's clock has it)."""
    kind = dataset.consultation_type
    day = first_bookable_day(today or datetime.now(UTC).date()).isoformat()
    organisation = f"/portal/o/{dataset.organisation_id}"
    return [
        Route("/", "/", target=0.80),
        Route("/blog/", "/blog/", target=0.80),
        Route("a post", f"/blog/{post_slug}/", target=0.80),
        Route("a tag page", f"/blog/tag/{tag_slug}/", target=0.80),
        Route("/feed.xml", "/feed.xml", target=0.80),
        Route("/sitemap.xml", "/sitemap.xml", target=0.80),
        Route("search", "/blog/search?q=listening+trust", target=0.30),
        Route("/book/", "/book/"),
        Route("/book/<type>/", f"/book/{kind}/", target=0.50),
        Route("slots.json", f"/book/{kind}/slots.json?date={day}&tz=Europe/London", target=0.50),
        Route("organisation page", f"{organisation}/", OWNER),
        Route("results and plan", f"{organisation}/r/{dataset.round_id}/results", OWNER, 0.40),
        Route("admin dashboard", "/admin/", CONSULTANT),
        Route("admin bookings", "/admin/bookings/", CONSULTANT, 0.30),
        Route("admin organisations", "/admin/organisations/", CONSULTANT, 0.30),
    ]


def visitor_emails() -> dict[str, str]:
    return {CONSULTANT: CONSULTANT_EMAIL, OWNER: OWNER_EMAIL}


def _request(
    base_url: str, method: str, path: str, cookies: SimpleCookie, body: str | None = None
) -> tuple[http.client.HTTPResponse, str]:
    connection = http.client.HTTPConnection(urlsplit(base_url).netloc, timeout=60)
    headers = {"Cookie": "; ".join(f"{key}={morsel.value}" for key, morsel in cookies.items())}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    page = response.read().decode()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    return response, page


def newest_cookie(base_url: str, path: str, cookie_header: str) -> str:
    """The Cookie header a browser sends after one more request for `path`: `cookie_header` with
    what the site set in answer (its session signed again to note the activity).
    """
    cookies: SimpleCookie = SimpleCookie()
    cookies.load(cookie_header)
    _request(base_url, "GET", path, cookies)
    return "; ".join(f"{key}={morsel.value}" for key, morsel in cookies.items())


_used_steps: set[int] = set()
CODE_STEP = "/accounts/two-step/sign-in"


def authenticator_code(key: str) -> str:
    """The code of the consultant's authenticator app: now's, or the next step's when an earlier
    sign-in of this run used now's (the site takes each code once, and one step of drift).
    """
    totp = pyotp.TOTP(key)
    step = totp.timecode(datetime.now(UTC))
    while step in _used_steps:
        step += 1
    _used_steps.add(step)
    return totp.generate_otp(step)


def sign_in(base_url: str, email: str, password: str, key: str | None = None) -> str:
    """Sign in through the site's own form, with the app's code for `key` when asked; returns
    the Cookie header of that session.

    The session's cookies are Secure in production; they are sent back by hand, over http.
    """
    cookies: SimpleCookie = SimpleCookie()
    connection = http.client.HTTPConnection(urlsplit(base_url).netloc, timeout=60)
    connection.request("GET", "/accounts/sign-in")
    page = connection.getresponse()
    html = page.read().decode()
    for header in page.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if token is None:
        raise SystemExit("the sign-in page has no form token")
    form = urlencode({"email": email, "password": password, "csrf_token": token.group(1)})
    answer, _ = _request(base_url, "POST", "/accounts/sign-in", cookies, form)
    if answer.status == 302 and answer.headers["Location"] == CODE_STEP and key is not None:
        _, code_page = _request(base_url, "GET", CODE_STEP, cookies)  # a new session, new token
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', code_page)
        if token is None:
            raise SystemExit("the code page has no form token")
        form = urlencode({"code": authenticator_code(key), "csrf_token": token.group(1)})
        answer, _ = _request(base_url, "POST", CODE_STEP, cookies, form)
    if answer.status != 302:
        raise SystemExit(f"signing in as {email} failed with {answer.status}")
    landing = urlsplit(answer.headers["Location"]).path or "/"
    _request(base_url, "GET", landing, cookies)  # shows, and so clears, the welcome message
    return "; ".join(f"{key}={morsel.value}" for key, morsel in cookies.items())
