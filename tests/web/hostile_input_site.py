"""The site the hostile-input suite attacks: people of every kind, a booking, a round, a programme
and a feed, every route of `app.url_map` with good values for its path, the right person to reach
it, and the forms its pages hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

from sqlalchemy import text

from consult.db import get_session
from consult.models import metadata
from tests.conftest import Auth
from tests.web.booking_flow import bookings, manage_path, paid_booking
from tests.web.calendar_steps import add as add_feed
from tests.web.portal_fixtures import open_round
from tests.web.programme_steps import calendar, grant, make_people, make_programme, type_id

# Routes whose forms end the session or the account the suite signs in with; their inputs are
# attacked through their path and query like every other route's.
SESSION_ENDING = {"accounts.sign_out", "privacy.delete"}
# Files served from folders: only their paths are attacked.
FILES = {"static", "blog.media"}
# Every name the site's code reads from a query string or a form by hand.
READ_BY_HAND = re.compile(r"request\.(?:args|values|form)\.get\(\s*\"([^\"]+)\"")
CONSULT = Path(__file__).resolve().parents[2] / "consult"


def names_read_by_hand() -> list[str]:
    """Query and form names the code reads without a form class, found in its source."""
    found = {
        name
        for source in CONSULT.rglob("*.py")
        for name in READ_BY_HAND.findall(source.read_text())
    }
    return sorted(found)


@dataclass
class Site:
    """The app, a client per kind of person, and a good value for every path argument."""

    app: object
    clients: dict[str, object]
    good: dict[str, str]
    manage_token: str

    def good_value(self, endpoint: str, argument: str) -> str:
        if argument == "token" and endpoint.startswith(("booking.", "receipts.")):
            return self.manage_token
        if argument == "public_id" and "programme" in endpoint:
            return self.good["purchase"]
        return self.good.get(argument, "1")

    def row_counts(self) -> dict[str, int]:
        """How many rows each table but the audit log holds (refusals of some forms, a failed
        sign-in, are recorded there on purpose).
        """
        with self.app.app_context():
            return dict(get_session().execute(COUNT_ROWS).all())


COUNT_ROWS = text(
    " UNION ALL ".join(
        f"SELECT '{table.name}', COUNT(*) FROM \"{table.name}\""  # noqa: S608  our table names
        for table in metadata.sorted_tables
        if table.name != "audit_log"
    )
)


def build_site(app, clock, consultant) -> Site:
    """Every kind of thing a route can name, and a client signed in as each kind of person."""
    calendar(app)
    programme = make_programme(app, clock)
    organisation, owner, members = make_people(app, clock)
    clients = {"anonymous": app.test_client()}
    for kind, user in (("member", members[0]), ("owner", owner), ("consultant", consultant)):
        clients[kind] = app.test_client()
        assert Auth(clients[kind]).sign_in_all_steps(user.email).status_code == 302
    round_id = open_round(clients["owner"], organisation)
    paid_booking(app, app.test_client())
    booking = bookings(app)[-1]
    purchase = grant(app, clock, programme, organisation, consultant)
    good = {
        "organisation_id": organisation.public_id,
        "round_id": round_id,
        "number": "1",
        "slug": "working-session",
        "public_id": booking.public_id,
        "purchase": purchase.public_id,
        "kind": "booking",
        "type_id": str(type_id(app, "working-session")),
        "programme_id": str(programme.id),
        "feed_id": str(add_feed(app, clock, "http://127.0.0.1:9/work.ics")),
        "day": "2026-12-01",
        "session_id": booking.checkout_session_id or "none",
        "tag": "Leadership",
        "series": "Leadership",
        "filename": "css/site.css",
    }
    token = urlsplit(manage_path(app)).path.split("/")[3]
    return Site(app=app, clients=clients, good=good, manage_token=token)


ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def route_path(rule, values: dict[str, str]) -> str:
    """The rule's path with each argument filled from `values` (quoted, slashes too)."""
    return ARGUMENT.sub(lambda match: quote(values[match.group(1)], safe=""), rule.rule)


@dataclass
class Route:
    endpoint: str
    rule: object
    methods: set[str]
    arguments: list[str]
    good_path: str
    person: str


def routes(site: Site) -> list[Route]:
    """Every rule of the app, with its good path and the first kind of person it answers."""
    found = []
    for rule in site.app.url_map.iter_rules():
        arguments = ARGUMENT.findall(rule.rule)
        values = {name: site.good_value(rule.endpoint, name) for name in arguments}
        path = route_path(rule, values)
        methods = set(rule.methods) - {"HEAD", "OPTIONS"}
        found.append(
            Route(rule.endpoint, rule, methods, arguments, path, reaching_person(site, path))
        )
    return found


def reaching_person(site: Site, path: str) -> str:
    """The first of anonymous, member, owner and consultant that the path does not turn away."""
    for kind in ("anonymous", "member", "owner", "consultant"):
        response = site.clients[kind].get(path)
        turned_away = response.status_code in (401, 403, 404, 405) or (
            response.status_code in (302, 303)
            and "/accounts/sign-in" in response.headers.get("Location", "")
        )
        if not turned_away:
            return kind
    return "consultant"


@dataclass
class Form:
    """A form on a page: where it posts, its fields and their values as the page drew them."""

    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(
                Form(attributes.get("action", ""), attributes.get("method", "get").lower())
            )
        elif not self.forms or "name" not in attributes:
            if tag == "option" and self._select and self.forms:
                self.forms[-1].fields.setdefault(self._select, attributes.get("value", ""))
            return
        elif tag == "select":
            self._select = attributes["name"]
        elif tag in ("input", "textarea", "button"):
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio") and attributes["name"] in self.forms[-1].fields:
                return
            self.forms[-1].fields.setdefault(attributes["name"], attributes.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms_on(html: str, page: str) -> list[Form]:
    """The forms of a page, each action a local path and query (an empty action is the page)."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        action = urlsplit(form.action or page)
        form.action = action.path + (f"?{action.query}" if action.query else "")
    return parser.forms
