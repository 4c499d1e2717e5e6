"""Production never offers the local test payment page, whatever its settings or database hold."""

import dataclasses
from datetime import timedelta

import pytest
from sqlmodel import select

from consult import create_app
from consult.db import ENGINE_KEY, get_session
from consult.payments.models import TestCheckout
from consult.payments.provider import PaymentProviderUnavailable
from consult.payments.selection import current_provider
from tests.conftest import PRODUCTION_SERVICES, csrf_token_from

SITE = "https://partner.example.org"


def _open_checkout(app, now):
    with app.app_context():
        session = get_session()
        session.add(
            TestCheckout(
                session_id="test_cs_left_over",
                reference="booking:1",
                description="Leadership strategy session",
                amount_minor=45000,
                currency="USD",
                customer_email="ana@clinic.example",
                success_url=f"{SITE}/book/return?session_id={{CHECKOUT_SESSION_ID}}",
                cancel_url=f"{SITE}/book/",
                expires_at=now + timedelta(minutes=30),
            )
        )
        session.commit()


@pytest.mark.parametrize("stripe_key_lost", [False, True])
def test_the_test_payment_page_is_not_found_in_production(make_app, clock, stripe_key_lost):
    built = make_app(CONSULT_ENV="production", SITE_URL=SITE, **PRODUCTION_SERVICES)
    settings = built.extensions["consult.settings"]
    if stripe_key_lost:  # settings made some other way than load_settings, say
        settings = dataclasses.replace(settings, stripe_secret_key=None)
    app = create_app({**built.config, "SETTINGS": settings})
    _open_checkout(app, clock.now)
    client = app.test_client()
    token = csrf_token_from(client.get("/accounts/sign-in", base_url=SITE).get_data(as_text=True))
    assert client.get("/payments/test/test_cs_left_over", base_url=SITE).status_code == 404
    for action in ("pay", "cancel"):
        response = client.post(
            f"/payments/test/test_cs_left_over/{action}",
            data={"csrf_token": token},
            base_url=SITE,
            headers={"Referer": f"{SITE}/accounts/sign-in"},
        )
        assert response.status_code == 404
    with app.app_context():
        [checkout] = get_session().exec(select(TestCheckout)).all()
        assert checkout.payment_status == "unpaid"
        if stripe_key_lost:
            with pytest.raises(PaymentProviderUnavailable):
                current_provider()
    app.extensions[ENGINE_KEY].dispose()


def test_outside_production_the_test_payment_page_stands_in_for_stripe(make_app, clock):
    app = make_app()
    _open_checkout(app, clock.now)
    assert app.test_client().get("/payments/test/test_cs_left_over").status_code == 200
