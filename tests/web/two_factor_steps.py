"""Steps of two-step sign-in through the test client, with codes computed by pyotp."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyotp

from tests.conftest import CODE_STEP, Auth, submit_form

SETTINGS = "/accounts/two-step/"
SET_UP = "/accounts/two-step/set-up"
__all__ = ["CODE_STEP", "SETTINGS", "SET_UP", "TwoFactorOn", "sign_in_with_code", "turn_on"]


@dataclass
class TwoFactorOn:
    secret: str
    recovery_codes: list[str]

    def code_at(self, moment) -> str:
        return pyotp.TOTP(self.secret).at(moment)


def secret_shown(html: str) -> str:
    match = re.search(r'class="secret-key">([A-Z2-7 ]+)<', html)
    assert match, html
    return match.group(1).replace(" ", "")


def recovery_codes_shown(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", html)


def turn_on(client, clock) -> TwoFactorOn:
    """Set up two-step sign-in for the signed-in `client` as a person would."""
    started = submit_form(client, f"{SET_UP}/start", {}, page=SETTINGS)
    assert started.status_code == 302 and started.headers["Location"] == SET_UP
    secret = secret_shown(client.get(SET_UP).get_data(as_text=True))
    confirmed = submit_form(client, SET_UP, {"code": pyotp.TOTP(secret).at(clock())})
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    codes = recovery_codes_shown(confirmed.get_data(as_text=True))
    assert len(codes) == 10
    return TwoFactorOn(secret=secret, recovery_codes=codes)


def sign_in_with_code(client, email: str, code: str, **extra):
    """Password, then the code: the answer to the code's form."""
    passed = Auth(client).sign_in(email, **extra)
    assert passed.status_code == 302 and passed.headers["Location"] == CODE_STEP
    return submit_form(client, CODE_STEP, {"code": code})
