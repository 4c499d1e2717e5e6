"""The app wired to a fake Stripe API on loopback, and a guest browsing it."""

import pytest

from consult.db import get_session
from consult.demo import add_demo_booking_calendar
from tests.fakes.stripe_server import FakeStripeServer
from tests.web.stripe_booking.stripe_steps import WEBHOOK_SECRET


@pytest.fixture
def stripe_server(clock):
    with FakeStripeServer(now=lambda: clock().timestamp()) as server:
        yield server


@pytest.fixture
def stripe_app(make_app, stripe_server):
    app = make_app(
        STRIPE_SECRET_KEY="sk_test_consult",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=stripe_server.url,
    )
    with app.app_context():
        add_demo_booking_calendar(get_session())
        get_session().commit()
    return app


@pytest.fixture
def guest(stripe_app):
    return stripe_app.test_client()
