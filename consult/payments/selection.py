"""Which payment provider the running app uses: Stripe when a key is set, else (never in
production) the local test provider.
"""

from flask import current_app

from consult.config import Settings
from consult.db import get_session
from consult.payments.provider import PaymentProvider, PaymentProviderUnavailable

GATEWAY_KEY = "consult.stripe_gateway"


def current_provider() -> PaymentProvider:
    """The app's Stripe gateway (one per app, so its connection pool is reused), or the local test
    provider.
    """
    settings: Settings = current_app.extensions["consult.settings"]
    if settings.stripe_secret_key:
        if GATEWAY_KEY not in current_app.extensions:
            from consult.payments.stripe_gateway import StripeGateway

            current_app.extensions[GATEWAY_KEY] = StripeGateway(
                settings.stripe_secret_key, settings.stripe_api_base
            )
        gateway: PaymentProvider = current_app.extensions[GATEWAY_KEY]
        return gateway
    if not settings.uses_test_payments:
        raise PaymentProviderUnavailable("production has no Stripe key: no payment is taken")
    from consult.payments.test_provider import LocalTestProvider

    return LocalTestProvider(get_session())
