"""Hostile input to every route, query and form of the site: never a 5xx, and a refused form
changes nothing.

Routes come from `app.url_map`, so a new route is attacked without a change here; each is
requested as the first kind of person (anonymous, member, owner, consultant) it does not turn
away. Values come from a curated list of the classes that broke sites like this one (NUL and
control characters, overlong text, right-to-left and combining marks, markup, SQL, 20-digit
numbers, years 1 and 9999, NaN and 1e309, 300-character and `../` time zones) and from
hypothesis, which adds generated text and numbers in a fixed, repeatable set of examples.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.conftest import csrf_token_from
from tests.web.hostile_input_site import (
    FILES,
    SESSION_ENDING,
    Form,
    Site,
    build_site,
    forms_on,
    names_read_by_hand,
    route_path,
    routes,
)

CURATED = [
    "",
    "\x00",
    "a\x00b",
    "\x07\x1b[2J\x7f\x85",
    "line\r\nBcc: everyone@example.org",
    "x" * 5000,
    "\u202egnp.exe",
    "e" + "\u0301" * 200,
    "<script>alert(1)</script>",
    "' OR '1'='1' --",
    '"; DROP TABLE users; --',
    "%00%27",
    "99999999999999999999",
    "-99999999999999999999",
    "1" * 40,
    "-1",
    "1.5",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e309",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59+00:00",
    "9999-12-31T23:59",
    "Europe/" + "x" * 300,
    "../../../../etc/passwd",
    "America/../../etc/localtime",
    "[]",
    "{}",
]
# One value of each class, for the attacks that multiply (every field of every form, every
# query name of every page): the whole list above goes to each field alone through hypothesis.
EACH_CLASS = [
    "",
    "a\x00b",
    "line\r\nBcc: everyone@example.org",
    "x" * 5000,
    "\u202egnp.exe" + "\u0301" * 50,
    "<script>alert(1)</script>' OR '1'='1' --",
    "99999999999999999999",
    "1e309",
    "0001-01-01",
    "9999-12-31T23:59:59+00:00",
    "Europe/" + "x" * 300,
    "../../../../etc/passwd",
    "[]",
]
# Path arguments are names and numbers looked up, or days: the values that break a lookup.
IN_PATHS = [
    "a\x00b",
    "99999999999999999999",
    "-1",
    "x" * 300,
    "\u202e<script>",
    "' OR '1'='1",
    "9999-12-31",
    "NaN",
    "..",
]
HOSTILE = st.one_of(
    st.sampled_from(CURATED),
    st.text(max_size=60),
    st.integers(min_value=10**19, max_value=10**60).map(str),
    st.integers(min_value=-(10**60), max_value=-(10**19)).map(str),
)
QUICK = settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture
def site(app, clock, consultant) -> Site:
    return build_site(app, clock, consultant)


def token_of(site: Site, person: str) -> str:
    """The CSRF token of that person's session (any form of theirs would carry it)."""
    page = "/accounts/sign-in" if person == "anonymous" else "/"
    return csrf_token_from(site.clients[person].get(page).get_data(as_text=True))


class Findings(list):
    """What went wrong, gathered over a whole attack so one run reports every case."""

    def answered(self, response, what: str) -> int:
        if response.status_code >= 500:
            self.append(f"{response.status_code} from {what}")
        return response.status_code

    def rows_kept(self, site: Site, before: dict[str, int], what: str) -> None:
        after = site.row_counts()
        if after != before:
            changed = {
                name: (before[name], after[name]) for name in after if after[name] != before[name]
            }
            self.append(f"refused {what} changed rows {changed}")


@pytest.fixture
def findings():
    found = Findings()
    yield found
    assert not found, "\n".join(found[:60]) + f"\n({len(found)} in all)"


def html_of(response) -> str:
    """The page's HTML, or nothing when the answer is a PDF, a feed or a download."""
    return response.get_data(as_text=True) if response.mimetype == "text/html" else ""


def each_hostile_value(
    attack: Callable[[str], None], *, curated: Sequence[str], examples: int = 4
) -> None:
    """The curated values, then hypothesis's generated ones (the same ones on every run)."""
    for value in curated:
        attack(value)

    @settings(QUICK, max_examples=examples)
    @given(value=HOSTILE)
    def generated(value: str) -> None:
        attack(value)

    generated()


def attack_path(site, findings, route, argument, token, value):
    values = {name: site.good_value(route.endpoint, name) for name in route.arguments}
    path = route_path(route.rule, {**values, argument: value})
    client = site.clients[route.person]
    if "GET" in route.methods:
        findings.answered(client.get(path), f"GET {path!r}")
    if "POST" in route.methods and route.endpoint not in SESSION_ENDING:
        before = site.row_counts()
        posted = client.post(path, data={"csrf_token": token})
        if findings.answered(posted, f"POST {path!r}") >= 400:
            findings.rows_kept(site, before, f"POST {path!r}")


def attack_paths(site, findings, every_route):
    """Each argument of each route's path, alone hostile, by GET and by POST."""
    tokens = {person: token_of(site, person) for person in site.clients}
    for route in every_route:
        for argument in route.arguments:
            token = tokens[route.person]
            attack = partial(attack_path, site, findings, route, argument, token)
            each_hostile_value(attack, curated=IN_PATHS, examples=2)


def attack_query(site, findings, route, names, value):
    query = dict.fromkeys(names, value)
    response = site.clients[route.person].get(route.good_path, query_string=query)
    findings.answered(response, f"GET {route.good_path} {str(query)[:200]}")


def attack_queries(site, findings, every_route):
    """Every name read from a query string, on every page: each curated value in turn (each
    name its own, rotated), a repeated name, then generated values.
    """
    read_by_hand = names_read_by_hand()
    for route in every_route:
        if "GET" not in route.methods or route.endpoint in FILES:
            continue
        client = site.clients[route.person]
        page = html_of(client.get(route.good_path))
        in_forms = [
            name for form in forms_on(page, "/") if form.method == "get" for name in form.fields
        ]
        names = sorted({*read_by_hand, *in_forms})
        for turn in range(len(EACH_CLASS)):
            query = {
                name: EACH_CLASS[(turn + place) % len(EACH_CLASS)]
                for place, name in enumerate(names)
            }
            response = client.get(route.good_path, query_string=query)
            findings.answered(response, f"GET {route.good_path} {str(query)[:300]}")
        repeated = MultiDict([(name, part) for name in names for part in ("2026-12-01", "x")])
        findings.answered(client.get(route.good_path, query_string=repeated), route.good_path)
        attack = partial(attack_query, site, findings, route, names)
        each_hostile_value(attack, curated=(), examples=2)


def posted_forms(site: Site, every_route) -> list[tuple[str, Form]]:
    """Each form that posts, once, with the person who reached the page that holds it."""
    found: dict[tuple[str, tuple[str, ...]], tuple[str, Form]] = {}
    for route in every_route:
        if "GET" not in route.methods or route.endpoint in FILES | SESSION_ENDING:
            continue
        html = html_of(site.clients[route.person].get(route.good_path))
        for form in forms_on(html, route.good_path):
            if form.method == "post" and not form.action.startswith("/accounts/sign-out"):
                found.setdefault((form.action, tuple(sorted(form.fields))), (route.person, form))
    return list(found.values())


def submit(site, findings, person, form, data, **kwargs):
    """Post to the form; when the answer refuses it, no table may have gained or lost a row."""
    before = site.row_counts()
    response = site.clients[person].post(form.action, data=data, **kwargs)
    what = f"POST {form.action} {str(data)[:200]}"
    code = findings.answered(response, what)
    refused = code >= 400 or (
        code == 200 and 'class="field-error"' in response.get_data(as_text=True)
    )
    if refused:
        findings.rows_kept(site, before, what)


def one_hostile_field(site, findings, person, form, name, token, value):
    submit(site, findings, person, form, {**form.fields, name: value, "csrf_token": token})


def every_field_hostile(site, findings, person, form, token, value):
    names = [name for name in form.fields if name != "csrf_token"]
    data = {**form.fields, **dict.fromkeys(names, value), "csrf_token": token}
    submit(site, findings, person, form, data)


def attack_forms(site, findings, every_route):
    """Every form: all fields hostile at once with each curated value, no fields, repeated
    fields, JSON bodies, then each field alone with generated values.
    """
    forms = posted_forms(site, every_route)
    assert len(forms) > 15, "the pages' forms were not found"
    for person, form in forms:
        token = token_of(site, person)
        names = [name for name in form.fields if name != "csrf_token"]
        for value in EACH_CLASS:
            every_field_hostile(site, findings, person, form, token, value)
        submit(site, findings, person, form, {"csrf_token": token})
        repeated = [(name, part) for name in names for part in ("1", "two")]
        submit(site, findings, person, form, MultiDict([*repeated, ("csrf_token", token)]))
        as_json = {"Content-Type": "application/json", "X-CSRFToken": token}
        for body in ({name: ["nested", {"deep": None}] for name in names}, [names], "\ud800"):
            submit(site, findings, person, form, json.dumps(body), headers=as_json)
        for name in names:
            attack = partial(one_hostile_field, site, findings, person, form, name, token)
            each_hostile_value(attack, curated=(), examples=1)


def test_no_hostile_input_is_a_server_error_and_refusals_change_nothing(site, findings):
    every_route = routes(site)
    attack_paths(site, findings, every_route)
    attack_queries(site, findings, every_route)
    attack_forms(site, findings, every_route)
