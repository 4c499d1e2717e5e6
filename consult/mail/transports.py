"""Where messages go: an SMTP server, or, locally, .eml files in the instance outbox folder."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from consult.config import SmtpSettings

Send = Callable[[EmailMessage], None]


class Transport(Protocol):
    def connect(self) -> AbstractContextManager[Send]:
        """A context yielding a function that sends one message; raises OSError when unreachable."""


class SmtpTransport:
    """Delivers over SMTP, with STARTTLS or implicit TLS and login when the settings ask for it."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    @contextmanager
    def connect(self) -> Iterator[Send]:
        settings = self.settings
        tls_context = ssl.create_default_context()
        client: smtplib.SMTP
        if settings.implicit_tls:
            client = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout_seconds, context=tls_context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
        try:
            if settings.starttls:
                client.starttls(context=tls_context)
            if settings.username:
                client.login(settings.username, settings.password or "")

            def send(message: EmailMessage) -> None:
                client.send_message(message)

            yield send
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()


class OutboxDirectoryTransport:
    """Writes each message as an .eml file a developer can open in any mail program."""

    def __init__(self, directory: Path):
        self.directory = directory

    @contextmanager
    def connect(self) -> Iterator[Send]:
        self.directory.mkdir(parents=True, exist_ok=True)

        def write(message: EmailMessage) -> None:
            name = message["Message-ID"].strip("<>").replace("/", "_").replace("@", "_at_")
            (self.directory / f"{name}.eml").write_bytes(message.as_bytes())

        yield write
