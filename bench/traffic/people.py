"""Simulated readers, portal members and a few abusers of the site, each a person of their own.

Readers browse the public pages; members sign in, answer their organisation's open round and read
the results and plan of the closed one; abusers exceed one limit each on purpose (their kinds
start with ABUSE) and must be refused with 429, never a 5xx.
"""

from __future__ import annotations

import random
import threading

from bench.blog import WORDS
from bench.traffic.bookers import PAID_TYPES, Traffic, details_path, guest_form, hold, pick_time
from bench.traffic.world import Member
from consult.portal.definition import AssessmentDefinition

ABUSE = "abuse: "
SEARCHES = ("listening trust", "patients", "dignity equity care", "teams")


def read(traffic: Traffic, chooser: random.Random, posts: int) -> None:
    """The home page, the blog, two posts, a tag page, the feed and a search."""
    person = traffic.person()
    person.get("read: home", "/")
    person.get("read: blog", "/blog/")
    for _ in range(2):
        person.get("read: post", f"/blog/post-{chooser.randrange(posts)}/")
    person.get("read: tag page", f"/blog/tag/{chooser.choice(WORDS[:7])}/")
    person.get("read: feed", "/feed.xml")
    query = chooser.choice(SEARCHES).replace(" ", "+")
    person.get("read: search", f"/blog/search?q={query}")


class Members:
    """The members who have not answered yet, handed out one at a time."""

    def __init__(self, members: list[Member], password: str):
        self._members = list(members)
        self._lock = threading.Lock()
        self.password = password

    def next(self) -> Member | None:
        with self._lock:
            return self._members.pop() if self._members else None


def answer_round(
    traffic: Traffic, chooser: random.Random, members: Members, definition: AssessmentDefinition
) -> None:
    """A member signs in, answers every section of the open round, submits, reads the results."""
    member = members.next()
    if member is None:
        return
    person = traffic.person()
    _, token = person.form("portal: sign-in page", "/accounts/sign-in")
    signed_in = person.post(
        "portal: sign in",
        "/accounts/sign-in",
        {"email": member.email, "password": members.password, "csrf_token": token},
    )
    if signed_in.status != 302:
        return
    organisation = f"/portal/o/{member.organisation_id}"
    person.get("portal: organisation page", f"{organisation}/")
    answering = f"{organisation}/r/{member.open_round_id}"
    for number, section in enumerate(definition.sections, start=1):
        _, token = person.form("portal: answer page", f"{answering}/answer/{number}")
        answers = {
            question.key: "We listen when there is time."
            if question.kind == "text"
            else str(chooser.randint(1, 5))
            for question in section.questions
        }
        person.post(
            "portal: answers sent",
            f"{answering}/answer/{number}",
            {**answers, "go": "next", "csrf_token": token},
        )
    _, token = person.form("portal: review page", f"{answering}/review")
    person.post("portal: submit", f"{answering}/review", {"csrf_token": token})
    person.get("portal: results and plan", f"{organisation}/r/{member.closed_round_id}/results")


def abuse(traffic: Traffic, chooser: random.Random) -> None:
    """Each limit exceeded once, by one person (or one e-mail address) doing too much."""
    _flood_booking_form(traffic, chooser)
    _hoard_holds_from_one_address(traffic, chooser)
    _hoard_holds_for_one_email(traffic, chooser)
    _guess_passwords(traffic)


def _flood_booking_form(traffic: Traffic, chooser: random.Random) -> None:
    """The details form sent again and again (without a name) from one address."""
    person = traffic.person()
    picked = pick_time(traffic, person, "discovery-call", chooser)
    if picked is None:
        return
    path = details_path("discovery-call", *picked)
    _, token = person.form("book: details page", path)
    form = {**guest_form(*picked), "name": "", "csrf_token": token}
    for _ in range(12):
        person.post(f"{ABUSE}details form, 10 an hour per client", path, form)


def _hoard_holds_from_one_address(traffic: Traffic, chooser: random.Random) -> None:
    """One address starts checkouts for five times, under five e-mail addresses."""
    person = traffic.person()
    for _ in range(5):
        picked = pick_time(traffic, person, PAID_TYPES[1], chooser)
        if picked is not None:
            hold(person, PAID_TYPES[1], *picked, kind=f"{ABUSE}live holds, 3 per client")


def _hoard_holds_for_one_email(traffic: Traffic, chooser: random.Random) -> None:
    """One e-mail address starts checkouts from three addresses."""
    email = f"hoarder{chooser.randrange(10**6)}@traffic.example"
    for _ in range(3):
        person = traffic.person()
        picked = pick_time(traffic, person, PAID_TYPES[1], chooser)
        if picked is not None:
            hold(
                person, PAID_TYPES[1], *picked, kind=f"{ABUSE}live holds, 2 per e-mail", email=email
            )


def _guess_passwords(traffic: Traffic) -> None:
    """Wrong passwords from one address, faster than ten a minute."""
    person = traffic.person()
    _, token = person.form("portal: sign-in page", "/accounts/sign-in")
    for attempt in range(12):
        person.post(
            f"{ABUSE}sign-in, 10 a minute per client",
            "/accounts/sign-in",
            {"email": f"nobody{attempt}@traffic.example", "password": "guess", "csrf_token": token},
        )
