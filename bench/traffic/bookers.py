"""Simulated guests booking: free types confirmed at once, paid types through the fake Stripe's
hosted page (some abandon there, some never come back after paying), and groups racing for one
time on purpose. Each guest is a person of their own, at an address of their own.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from bench.traffic.client import Answer, Person
from bench.traffic.stripe_side import StripeWebhooks
from bench.traffic.tally import Tally

FREE_TYPES = ("discovery-call",)
PAID_TYPES = ("leadership-strategy-session", "working-session")
ZONES = ("America/Chicago", "America/New_York", "Europe/London")
DAYS_TRIED = 4
RACERS = 3
_guests = itertools.count(1)


@dataclass
class Traffic:
    """What every simulated person shares: where the site is, the tally, Stripe's side."""

    site_url: str
    public_url: str
    tally: Tally
    webhooks: StripeWebhooks
    first_day: date  # the first day every type's minimum notice allows
    days: int  # how many days from it guests choose among

    def person(self, address: str | None = None) -> Person:
        return Person(self.site_url, self.public_url, self.tally, address)


def guest_form(start: str, zone: str, email: str | None = None) -> dict[str, str]:
    number = next(_guests)
    return {
        "start": start,
        "tz": zone,
        "name": f"Guest {number}",
        "email": email or f"guest{number}@traffic.example",
        "organisation": f"Clinic {number}",
        "role": "Director of nursing",
        "accept_policy": "y",
        "intake_what_matters": "Hearing our night staff.",
    }


def details_path(slug: str, start: str, zone: str) -> str:
    return f"/book/{slug}/details?" + urlencode({"start": start, "tz": zone})


def pick_time(
    traffic: Traffic, person: Person, slug: str, chooser: random.Random
) -> tuple[str, str] | None:
    """(start, zone) of a free time on one of a few days tried at random, or None."""
    zone = chooser.choice(ZONES)
    for _ in range(DAYS_TRIED):
        day = traffic.first_day + timedelta(days=chooser.randrange(traffic.days))
        answer = person.get("book: slots.json", f"/book/{slug}/slots.json?date={day}&tz={zone}")
        if answer.status != 200:
            return None
        starts: list[str] = json.loads(answer.body)["slots"]
        if starts:
            return chooser.choice(starts), zone
    return None


def hold(person: Person, slug: str, start: str, zone: str, kind: str, **fields: str) -> Answer:
    """Open the details page, then send it: 303 to pay or to the booking, 409 when taken."""
    path = details_path(slug, start, zone)
    _, token = person.form("book: details page", path)
    return person.post(kind, path, {**guest_form(start, zone, **fields), "csrf_token": token})


def pay(
    traffic: Traffic,
    person: Person,
    pay_page: str,
    chooser: random.Random,
    *,
    abandon: bool,
    come_back: bool,
) -> None:
    """On Stripe's hosted page: pay (and come back, or not) or cancel; Stripe sends its event."""
    session_id = pay_page.rsplit("/", 1)[-1]
    person.get("stripe: pay page", pay_page)
    answer = person.post("stripe: pay page", pay_page, {"action": "cancel" if abandon else "pay"})
    if abandon:
        person.get("book: payment cancelled", answer.location)
        if traffic.webhooks.stripe.sessions[session_id]["status"] == "expired":
            traffic.webhooks.announce("checkout.session.expired", session_id, chooser)
        return
    traffic.webhooks.announce("checkout.session.completed", session_id, chooser)
    if come_back:
        returned = person.get("book: payment return", answer.location)
        if returned.location:
            person.get("book: booking page", returned.location)


def book_free(traffic: Traffic, chooser: random.Random) -> None:
    person = traffic.person()
    slug = chooser.choice(FREE_TYPES)
    person.get("book: type page", f"/book/{slug}/")
    picked = pick_time(traffic, person, slug, chooser)
    if picked is None:
        return
    answer = hold(person, slug, *picked, kind="book: details sent (free)")
    if answer.status == 303:
        person.get("book: booking page", answer.location)


def book_paid(traffic: Traffic, chooser: random.Random) -> None:
    person = traffic.person()
    slug = chooser.choice(PAID_TYPES)
    person.get("book: type page", f"/book/{slug}/")
    picked = pick_time(traffic, person, slug, chooser)
    if picked is None:
        return
    answer = hold(person, slug, *picked, kind="book: details sent (paid)")
    if answer.status == 303:
        draw = chooser.random()
        pay(traffic, person, answer.location, chooser, abandon=draw < 0.2, come_back=draw > 0.35)


def race(traffic: Traffic, chooser: random.Random) -> None:
    """RACERS guests, each from their own address, send the same time at the same moment."""
    slug = chooser.choice(FREE_TYPES + PAID_TYPES)
    picked = pick_time(traffic, traffic.person(), slug, chooser)
    if picked is None:
        return
    start, zone = picked
    racers = [traffic.person() for _ in range(RACERS)]
    path = details_path(slug, start, zone)
    tokens = [racer.form("book: details page", path)[1] for racer in racers]
    barrier = threading.Barrier(RACERS)
    answers: list[Answer] = [Answer(0, "", "")] * RACERS

    def send(number: int) -> None:
        form = {**guest_form(start, zone), "csrf_token": tokens[number]}
        barrier.wait()
        answers[number] = racers[number].post("book: race for one time", path, form)

    threads = [threading.Thread(target=send, args=(number,)) for number in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for racer, answer in zip(racers, answers, strict=True):
        if answer.status == 303 and "/pay/" in answer.location:
            pay(traffic, racer, answer.location, chooser, abandon=False, come_back=True)
        elif answer.status == 303:
            racer.get("book: booking page", answer.location)
