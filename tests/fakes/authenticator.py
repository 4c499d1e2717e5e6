"""An authenticator app: the six-digit code it shows for an account's key at a moment.

The site accepts a code once, and one 30-second step either side of its own clock. A person who
signs in twice within one step types the app's next code (as a phone a step ahead shows it);
a third time, they wait for the next step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp


class NoUnusedCode(AssertionError):
    """Every code the site would accept now has been used: the clock must move on."""


def unused_code(*, secret: str, last_used_step: int | None, now: datetime) -> tuple[int, str]:
    """(step, code): the app's code now, or the next step's when now's is used already."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current, current + 1):
        if last_used_step is None or step > last_used_step:
            return step, totp.generate_otp(step)
    raise NoUnusedCode(f"the codes of steps {current} and {current + 1} are used: wait 30 s")


@dataclass
class Authenticator:
    """A phone with the app, on the real clock, that remembers the last code it gave."""

    secret: str = ""
    last_step: int | None = None

    def code(self) -> str:
        """A code the site has not seen, waiting for the next step when it must."""
        try:
            step, code = unused_code(
                secret=self.secret, last_used_step=self.last_step, now=datetime.now(UTC)
            )
        except NoUnusedCode:
            time.sleep(30 - time.time() % 30 + 0.1)
            return self.code()
        self.last_step = step
        return code
