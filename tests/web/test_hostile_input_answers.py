"""How hostile input is refused: at the field, with the person's other answers kept; a 400 for
a time zone or day the booking pages cannot use; a 400 for a webhook body no database can store.
"""

import pytest
from sqlmodel import select

from consult.db import get_session
from consult.payments.models import ProcessedWebhookEvent
from tests.conftest import submit_form
from tests.fakes.stripe_signing import sign_webhook

WEBHOOK_SECRET = "whsec_hostile"
EVENT = '{"id": "evt_1", "type": "checkout.session.completed", "data": %s}'
BAD_ZONES = ["Europe/" + "x" * 300, "../../etc/passwd", "America/../../etc/localtime", "Mars/Base"]
BAD_DAYS = ["0001-01-01", "9999-12-31", "2026-02-30", "1e309"]


@pytest.mark.parametrize("zone", BAD_ZONES)
def test_the_slots_and_the_booking_page_refuse_a_zone_that_is_not_one(guest, zone):
    query = {"date": "2026-12-01", "tz": zone}
    slots = guest.get("/book/working-session/slots.json", query_string=query)
    assert slots.status_code == 400 and "time zone" in slots.get_json()["error"]
    page = guest.get("/book/working-session/", query_string={"tz": zone})
    assert page.status_code == 400
    assert "That time zone is not one we know" in page.get_data(as_text=True)


@pytest.mark.parametrize("day", BAD_DAYS)
def test_the_slots_and_the_booking_page_refuse_a_day_out_of_range(guest, day):
    query = {"date": day, "tz": "America/Chicago"}
    assert guest.get("/book/working-session/slots.json", query_string=query).status_code == 400
    page = guest.get("/book/working-session/", query_string=query)
    assert page.status_code == 400
    assert "That date could not be read" in page.get_data(as_text=True)


def test_nul_in_the_sign_in_address_is_refused_at_the_field(client, consultant):
    response = submit_form(
        client, "/accounts/sign-in", {"email": "consultant@example.org\x00", "password": "x"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 400, 422)
    assert 'id="email-error"' in html and "control characters" in html


@pytest.mark.parametrize("price", ["NaN", "Infinity", "-Infinity", "1e309", "1" * 40])
def test_a_price_that_is_not_a_finite_amount_is_refused_at_its_field(
    booking_app, consultant_client, price
):
    answers = {"name": "Kept name", "duration_minutes": "60", "price": price, "currency": "usd"}
    response = submit_form(consultant_client, "/admin/types/new", answers)
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 400, 422)
    assert 'id="price-error"' in html and "Use a price from 0 to 100,000" in html
    assert 'value="Kept name"' in html


@pytest.fixture
def webhook_client(make_app):
    app = make_app(STRIPE_SECRET_KEY="sk_test_hostile", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    return app, app.test_client()


@pytest.mark.parametrize(
    "body",
    [
        EVENT % "[]",
        EVENT % '"x"',
        EVENT % '{"object": [1]}',
        EVENT % '{"object": {"id": "\\ud800"}}',
        EVENT % '{"object": {"id": "a\\u0000"}}',
        "[1, 2]",
    ],
)
def test_a_signed_webhook_body_no_database_can_store_is_a_400(webhook_client, body):
    app, client = webhook_client
    payload = body.encode()
    response = client.post(
        "/stripe/webhook",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": sign_webhook(payload, WEBHOOK_SECRET)},
    )
    assert response.status_code == 400
    with app.app_context():
        assert get_session().exec(select(ProcessedWebhookEvent)).all() == []


def test_every_form_of_the_site_is_built_on_the_one_base_form(app):
    """A form outside SiteForm would take JSON bodies and control characters unchecked."""
    from flask_wtf import FlaskForm

    from consult.forms import SiteForm

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    strays = {
        f"{form.__module__}.{form.__qualname__}"
        for form in subclasses(FlaskForm)
        if form.__module__.startswith("consult") and not issubclass(form, SiteForm)
    }
    assert strays == set()
