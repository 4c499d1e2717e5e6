"""Steps of the booking flow through the test client, shared by the booking and admin tests."""

import re
from urllib.parse import urlencode

from sqlmodel import select

from consult.booking.models import Booking
from consult.db import get_session
from consult.mail.models import OutboxEmail
from tests.conftest import csrf_token_from

GUEST = {
    "name": "Ana Reyes",
    "email": "ana@clinic.example",
    "organisation": "Riverside Clinic",
    "role": "Chief nursing officer",
    "accept_policy": "y",
    "intake_what_matters": "Hearing our night staff.",
}


def free_slots(client, slug, day, tz="America/Chicago"):
    response = client.get(f"/book/{slug}/slots.json?date={day}&tz={tz}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["slots"]


def book(client, slug, start, tz="America/Chicago", **answers):
    path = f"/book/{slug}/details?" + urlencode({"start": start, "tz": tz})
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    return client.post(
        path, data={**GUEST, **answers, "start": start, "tz": tz, "csrf_token": token}
    )


def pay_with_test_provider(client, response):
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Test payment" in page
    action = re.search(r'action="([^"]+/pay)"', page).group(1)
    return client.post(action, data={"csrf_token": csrf_token_from(page)})


def bookings(app):
    with app.app_context():
        return list(get_session().exec(select(Booking).order_by(Booking.id)).all())


def emails(app):
    with app.app_context():
        return list(get_session().exec(select(OutboxEmail).order_by(OutboxEmail.id)).all())


def manage_path(app, address="ana@clinic.example"):
    confirmation = [
        email
        for email in emails(app)
        if email.to_address == address and email.subject.startswith(("Confirmed", "Moved"))
    ][-1]
    return re.search(r"http://consult\.test(/book/manage/\S+)", confirmation.text_body).group(1)


def paid_booking(app, client, day="2026-11-30"):
    start = free_slots(client, "leadership-strategy-session", day)[0]
    pay_with_test_provider(client, book(client, "leadership-strategy-session", start))
    client.get(f"/book/return?session_id={bookings(app)[-1].checkout_session_id}")
    return start
