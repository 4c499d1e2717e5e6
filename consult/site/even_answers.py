"""Answers that take the same time whatever they found.

A form that must not tell whether an address is known (a password reset, a subscription) says
the same words either way, but its work differs: an e-mail and a token written for one, nothing
or a rollback for the other. The difference shows in how long the answer takes, so such an
answer is held until a fixed time after the request began, longer than the work takes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

# Well above what the work takes on a busy machine (a few milliseconds), and still quick for a
# person who just pressed a button.
EVEN_ANSWER_SECONDS = 0.2


@contextmanager
def answered_after_the_same_time(seconds: float = EVEN_ANSWER_SECONDS) -> Iterator[None]:
    """Run the block, then wait until `seconds` have passed since it began."""
    started = time.monotonic()
    yield
    time.sleep(max(0.0, started + seconds - time.monotonic()))
