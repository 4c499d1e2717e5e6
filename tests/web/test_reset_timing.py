"""Asking for a password reset takes as long for an address without an account as for one with
an account, so the time of the answer does not tell which addresses have accounts.
"""

import statistics
import time

from sqlmodel import select

from consult.accounts.models import PasswordResetToken
from consult.db import get_session
from consult.mail.models import OutboxEmail
from tests.conftest import csrf_token_from

REQUESTS = 30
# The medians may differ by this share of the slower one: well under the gap of doing nothing
# for an unknown address, which made it about twice as fast.
TOLERANCE = 0.25


def test_known_and_unknown_addresses_take_the_same_time(app, make_user):
    make_user(email="known@example.org")
    client = app.test_client()
    token = csrf_token_from(client.get("/accounts/reset").get_data(as_text=True))
    durations: dict[str, list[float]] = {"known": [], "unknown": []}
    for _ in range(REQUESTS):  # interleaved, so a slow moment of the machine hits both
        for kind in ("known", "unknown"):
            started = time.perf_counter()
            response = client.post(
                "/accounts/reset", data={"email": f"{kind}@example.org", "csrf_token": token}
            )
            durations[kind].append(time.perf_counter() - started)
            assert response.status_code == 200
    known, unknown = (statistics.median(durations[kind]) for kind in ("known", "unknown"))
    assert abs(known - unknown) <= TOLERANCE * max(known, unknown), (known, unknown)
    with app.app_context():
        session = get_session()
        sent_to = {email.to_address for email in session.exec(select(OutboxEmail))}
        assert sent_to == {"known@example.org"}
        assert len(session.exec(select(PasswordResetToken)).all()) == REQUESTS
