"""One simulated person's browser: an address of its own (passed on as production's proxy does),
its own cookies, forms with their CSRF token, every answer counted in the run's tally.
"""

from __future__ import annotations

import http.client
import itertools
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from bench.traffic.tally import NO_ANSWER, Tally

REQUEST_SECONDS = 120  # a loaded 2-core machine answers slowly; gunicorn's own limit is 300 s
_addresses = itertools.count(1)


def new_address() -> str:
    """A client address no other simulated person has."""
    number = next(_addresses)
    return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    location: str


class Person:
    """A browser at `address` talking to the site at `site_url` (and to any other absolute URL it
    is sent to: the payment page). Redirects are not followed; the caller follows them. The site's
    cookies are Secure in production: they are kept and sent back by hand, over http.

    `public_url` is the site's own address (SITE_URL): links to it are sent to `site_url`.
    """

    def __init__(self, site_url: str, public_url: str, tally: Tally, address: str | None = None):
        self.site_url = site_url
        self.public_url = public_url
        self.tally = tally
        self.address = address or new_address()
        self.cookies: SimpleCookie = SimpleCookie()

    def request(
        self,
        kind: str,
        method: str,
        target: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> Answer:
        """One request to `target` (a path on the site, or an absolute URL), counted as `kind`."""
        if target.startswith(self.public_url):
            target = target.removeprefix(self.public_url) or "/"
        url = urlsplit(target if "://" in target else self.site_url + target)
        on_site = "://" not in target
        sent = {"X-Forwarded-For": self.address, **(headers or {})}
        if on_site and self.cookies:
            sent["Cookie"] = "; ".join(f"{key}={item.value}" for key, item in self.cookies.items())
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        path = url.path + (f"?{url.query}" if url.query else "")
        began = time.perf_counter()
        try:
            connection = http.client.HTTPConnection(url.netloc, timeout=REQUEST_SECONDS)
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            connection.close()
        except OSError:
            self.tally.record(kind, NO_ANSWER, (time.perf_counter() - began) * 1000)
            return Answer(NO_ANSWER, "", "")
        self.tally.record(kind, response.status, (time.perf_counter() - began) * 1000)
        if on_site:
            for header in response.headers.get_all("Set-Cookie") or []:
                self.cookies.load(header)
        return Answer(response.status, text, response.headers.get("Location", ""))

    def get(self, kind: str, target: str) -> Answer:
        return self.request(kind, "GET", target)

    def post(self, kind: str, target: str, form: dict[str, str]) -> Answer:
        return self.request(kind, "POST", target, form)

    def form(self, kind: str, path: str) -> tuple[Answer, str]:
        """GET a page with a form: its answer and the form's CSRF token ("" when it has none)."""
        answer = self.get(kind, path)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', answer.body)
        return answer, token.group(1) if token else ""
