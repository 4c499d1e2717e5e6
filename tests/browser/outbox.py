"""The live site's local outbox: wait for a message to arrive, and read its text."""

import email
import email.policy
import time


def wait_for_email(live_site, address: str, subject: str = "", timeout: float = 30.0):
    """The local outbox's message to `address` whose subject starts with `subject`.

    Mail is written just after the response, so wait for it.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in (live_site.log.parent / "outbox").glob("*.eml"):
            message = email.message_from_string(path.read_text(), policy=email.policy.default)
            if message["To"] == address and message["Subject"].startswith(subject):
                return message
        time.sleep(0.1)
    raise AssertionError(f"no e-mail to {address} within {timeout} s")


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()
