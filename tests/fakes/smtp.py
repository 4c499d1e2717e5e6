"""A real SMTP server on loopback (aiosmtpd) keeping what it receives; it can stop and restart,
and misbehave on cue: refuse a recipient, answer slowly, hang up on a message, or go down.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Delivery:
    """One accepted message with its envelope, as the server saw them."""

    mail_from: str
    recipients: tuple[str, ...]
    message: EmailMessage


class _Handler:
    def __init__(self, server: LoopbackSmtpServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.server.refusals.get(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        fake = self.server
        if fake.delay_seconds:
            await asyncio.sleep(fake.delay_seconds)
        for recipient in envelope.rcpt_tos:
            if fake.hang_ups.get(recipient, 0) > 0:
                fake.hang_ups[recipient] -= 1
                if recipient in fake.go_down_on:
                    fake.listening.close()  # no new connections from now on
                server.transport.close()  # the answer below is never sent
                return "421 gone"
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with fake.lock:
            fake.deliveries.append(Delivery(envelope.mail_from, tuple(envelope.rcpt_tos), message))
            fake.messages.append(message)
        return "250 Message accepted for delivery"


class LoopbackSmtpServer:
    """`smtputf8` decides whether the server offers SMTPUTF8 (addresses with non-ASCII local
    parts); `delay_seconds` slows every answer to DATA; with `login` (user, password) the
    server only takes mail after that login.
    """

    def __init__(
        self,
        *,
        smtputf8: bool = False,
        delay_seconds: float = 0.0,
        login: tuple[str, str] | None = None,
    ):
        self.port = free_port()
        self.smtputf8 = smtputf8
        self.delay_seconds = delay_seconds
        self.login = login
        self.lock = threading.Lock()
        self.messages: list[EmailMessage] = []
        self.deliveries: list[Delivery] = []
        self.refusals: dict[str, str] = {}
        self.hang_ups: dict[str, int] = {}
        self.go_down_on: set[str] = set()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def listening(self) -> asyncio.AbstractServer:
        assert self._controller is not None
        return self._controller.server

    def refuse(self, recipient: str, reply: str = "550 5.1.1 No such user here") -> None:
        """Answer RCPT TO for `recipient` with `reply`, e.g. 450 for a temporary refusal."""
        self.refusals[recipient] = reply

    def hang_up_on(self, recipient: str, *, times: int = 1, then_go_down: bool = False) -> None:
        """Close the connection instead of answering DATA of a message to `recipient` (the
        message is not kept); with `then_go_down`, also stop taking connections until restarted.
        """
        self.hang_ups[recipient] = times
        if then_go_down:
            self.go_down_on.add(recipient)

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        given = (auth_data.login.decode(), auth_data.password.decode())
        return AuthResult(success=given == self.login, handled=False)

    def start(self) -> None:
        login_options = (
            {"authenticator": self._authenticate, "auth_required": True, "auth_require_tls": False}
            if self.login
            else {}
        )
        self._controller = Controller(
            _Handler(self),
            hostname="127.0.0.1",
            port=self.port,
            enable_SMTPUTF8=self.smtputf8,
            **login_options,
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
