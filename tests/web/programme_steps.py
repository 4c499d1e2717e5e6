"""Steps of the programme tests: a programme, an organisation with people, buying, booking with a
credit.
"""

import re
from urllib.parse import urlencode, urlsplit

from sqlmodel import select

from consult.accounts.service import create_user
from consult.booking.models import Booking, ConsultationType
from consult.db import get_session
from consult.demo import add_demo_booking_calendar
from consult.engagements.catalogue import ProgrammeTerms, save_programme
from consult.engagements.models import ProgrammeCredit, ProgrammePurchase
from consult.engagements.purchases import grant_programme
from consult.portal import service
from consult.portal.models import Organisation
from tests.conftest import TEST_PASSWORD, csrf_token_from
from tests.web.booking_flow import GUEST

WORKING = "working-session"
STRATEGY = "leadership-strategy-session"


def calendar(app):
    """The demo consultation types and office hours."""
    with app.app_context():
        add_demo_booking_calendar(get_session())
        get_session().commit()


def type_id(app, slug):
    with app.app_context():
        return (
            get_session()
            .exec(select(ConsultationType.id).where(ConsultationType.slug == slug))
            .one()
        )


def make_programme(
    app,
    clock,
    *,
    name="Partnership quarter",
    price_minor=120000,
    sessions=None,
    duration_days=90,
    full_refund_days=14,
    is_active=True,
):
    """A programme including `sessions` ({slug: count}; default 3 working sessions)."""
    sessions = {WORKING: 3} if sessions is None else sessions
    by_type = {type_id(app, slug): count for slug, count in sessions.items()}
    with app.app_context():
        db = get_session()
        programme = save_programme(
            session=db,
            programme=None,
            terms=ProgrammeTerms(
                name=name,
                description="Three working sessions on the plan.",
                price_minor=price_minor,
                currency="usd",
                duration_days=duration_days,
                included_rounds=1,
                full_refund_days=full_refund_days,
                is_active=is_active,
            ),
            sessions_by_type=by_type,
            now=clock(),
        )
        db.commit()
        return programme


def make_people(app, clock, *, name="Riverside Clinic", prefix="riverside", members=2):
    """An organisation with an owner and `members` members; returns (organisation, owner,
    [members]).
    """
    with app.app_context():
        db = get_session()
        organisation = service.create_organisation(session=db, name=name, now=clock())
        people = []
        for number in range(members + 1):
            user = create_user(
                session=db,
                email=f"{prefix}{number}@clinic.example",
                name=f"{prefix.title()} Person {number}",
                password=TEST_PASSWORD,
                role="client",
                now=clock(),
            )
            service.add_member(
                session=db,
                organisation=organisation,
                user=user,
                role="owner" if number == 0 else "member",
                role_group="executive-leadership",
                now=clock(),
            )
            people.append(user)
        db.commit()
        return organisation, people[0], people[1:]


def grant(app, clock, programme, organisation, consultant):
    with app.app_context():
        db = get_session()
        purchase = grant_programme(
            session=db,
            programme=programme,
            organisation=db.get(Organisation, organisation.id),
            consultant=consultant,
            note="Invoice 2026-041",
            now=clock(),
        )
        db.commit()
        return purchase


def buy_with_test_provider(client, organisation, programme):
    """The owner buys through the local test provider: buy, pay, come back."""
    page = f"/portal/o/{organisation.public_id}/programmes/"
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    started = client.post(
        f"/portal/o/{organisation.public_id}/programmes/buy",
        data={"programme": programme.id, "csrf_token": token},
    )
    assert started.status_code == 303, started.get_data(as_text=True)
    checkout = client.get(started.headers["Location"]).get_data(as_text=True)
    action = re.search(r'action="([^"]+/pay)"', checkout).group(1)
    paid = client.post(action, data={"csrf_token": csrf_token_from(checkout)})
    assert paid.status_code == 303
    return client.get(local(paid.headers["Location"]), follow_redirects=True)


def local(url):
    """The path and query of an absolute link to the site (the test client serves localhost)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def purchases(app):
    with app.app_context():
        return list(
            get_session().exec(select(ProgrammePurchase).order_by(ProgrammePurchase.id)).all()
        )


def credits(app):
    with app.app_context():
        return list(get_session().exec(select(ProgrammeCredit).order_by(ProgrammeCredit.id)).all())


def details_path(slug, start, tz="America/Chicago"):
    return f"/book/{slug}/details?" + urlencode({"start": start, "tz": tz})


def book_as(client, slug, start, choice, tz="America/Chicago", **answers):
    """A signed-in member books `start`, choosing `choice` ("credit:<org>", "org:<org>", "self")."""
    path = details_path(slug, start, tz)
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    return client.post(
        path,
        data={**GUEST, **answers, "book_as": choice, "start": start, "tz": tz, "csrf_token": token},
    )


def booking_at(app, start):
    from datetime import datetime

    with app.app_context():
        return (
            get_session()
            .exec(select(Booking).where(Booking.starts_at == datetime.fromisoformat(start)))
            .one()
        )
