"""Where messages go: an SMTP server, or, locally, .eml files in the instance outbox folder.

A transport tells the two kinds of failure apart, so that one bad message never sinks the others:
`MailServerUnavailable` (nothing can be sent now: every message waits) and `MessageNotSent`
(this message alone failed; the next one goes on).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import NoReturn, Protocol

from consult.config import SmtpSettings
from consult.private_files import make_private_directory, write_private_file

log = logging.getLogger(__name__)

Send = Callable[[EmailMessage], None]

SERVER_CLOSING = 421  # "service not available, closing transmission channel"


class MailServerUnavailable(Exception):
    """The server cannot be reached, or refused the connection, TLS or the login: no message
    can be sent now, through no fault of any message.
    """


class MessageNotSent(Exception):
    """This one message was not delivered; `permanent` when sending it again cannot help."""

    def __init__(self, reason: str, *, permanent: bool):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Transport(Protocol):
    def connect(self) -> AbstractContextManager[Send]:
        """A context yielding a function that sends one message.

        Entering raises MailServerUnavailable. The function raises MessageNotSent for a failure of
        that message alone, or MailServerUnavailable once the server can no longer be reached.
        """


def describe(error: BaseException) -> str:
    """A one-line account of an error for the log and the admin dashboard."""
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_reply_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}"


def _reply_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())


class SmtpTransport:
    """Delivers over SMTP, with STARTTLS or implicit TLS and login when the settings ask for it."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    @contextmanager
    def connect(self) -> Iterator[Send]:
        session = _SmtpSession(self.settings)
        session.open()
        try:
            yield session.send
        finally:
            session.close()


class _SmtpSession:
    """One SMTP connection for a pass: it outlives a refused message, and is opened again when the
    server hangs up.
    """

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.client: smtplib.SMTP | None = None

    def open(self) -> smtplib.SMTP:
        settings = self.settings
        tls_context = ssl.create_default_context()
        try:
            if settings.implicit_tls:
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    settings.host,
                    settings.port,
                    timeout=settings.timeout_seconds,
                    context=tls_context,
                )
            else:
                client = smtplib.SMTP(
                    settings.host, settings.port, timeout=settings.timeout_seconds
                )
        except (OSError, smtplib.SMTPException) as error:
            raise MailServerUnavailable(f"cannot connect: {describe(error)}") from error
        try:
            if settings.starttls:
                client.starttls(context=tls_context)
            if settings.username:
                client.login(settings.username, settings.password or "")
        except (OSError, smtplib.SMTPException) as error:
            client.close()
            raise MailServerUnavailable(
                f"cannot start TLS or sign in: {describe(error)}"
            ) from error
        self.client = client
        return client

    def close(self) -> None:
        if self.client is None:
            return
        try:
            self.client.quit()
        except (smtplib.SMTPException, OSError):
            self.client.close()
        self.client = None

    def send(self, message: EmailMessage) -> None:
        client = self.client or self.open()  # none when the server hung up after the last one
        try:
            client.send_message(message)
        # smtplib's errors are OSErrors too: the specific answers come first.
        except smtplib.SMTPRecipientsRefused as error:
            # One recipient per message: its answer is the message's answer.
            code, reply = next(iter(error.recipients.values()))
            self._after_refusal(error, code, reply)
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            self._after_refusal(error, error.smtp_code, error.smtp_error)
        except smtplib.SMTPNotSupportedError as error:
            # Raised before MAIL FROM (a non-ASCII local part, no SMTPUTF8): nothing to undo.
            raise MessageNotSent(f"refused before sending: {error}", permanent=True) from error
        except smtplib.SMTPServerDisconnected as error:
            self._after_hang_up(error)
        except smtplib.SMTPException as error:
            self._after_unexpected(message, error)
        except OSError as error:  # the socket: reset, timed out, broken pipe
            self._after_hang_up(error)
        except Exception as error:  # anything else is this message's problem, not the pass's
            self._after_unexpected(message, error)

    def _after_hang_up(self, error: BaseException) -> NoReturn:
        """The connection broke during this message: the next message needs a new one.

        If the server cannot be reached again, it is down and nobody's fault
        (MailServerUnavailable); if it can, it hung up on this message, which is tried again later.
        """
        if self.client is not None:
            self.client.close()
            self.client = None
        self.open()
        raise MessageNotSent(
            f"the server hung up while this message was sent: {describe(error)}", permanent=False
        ) from error

    def _after_refusal(self, error: BaseException, code: int, reply: bytes | str) -> NoReturn:
        """The server answered this message with an error; smtplib has already sent RSET."""
        if code == SERVER_CLOSING:
            self._after_hang_up(error)
        if self.client is not None and self.client.sock is None:
            self.client = None  # smtplib closed it: open a new one for the next message
        raise MessageNotSent(
            f"refused by the mail server: {code} {_reply_text(reply)}",
            permanent=500 <= code < 600,
        ) from error

    def _after_unexpected(self, message: EmailMessage, error: Exception) -> NoReturn:
        """Anything else that went wrong with this message: RSET (if even that fails, the next
        message gets a new connection), and it alone is retried, or given up if it cannot be
        encoded.
        """
        log.warning("sending message %s failed", message["Message-ID"], exc_info=True)
        if self.client is not None:
            try:
                self.client.rset()
            except (smtplib.SMTPException, OSError):
                self.client.close()
                self.client = None
        raise MessageNotSent(
            f"could not be sent: {describe(error)}", permanent=isinstance(error, UnicodeError)
        ) from error


class OutboxDirectoryTransport:
    """Writes each message as an .eml file a developer can open in any mail program."""

    def __init__(self, directory: Path):
        self.directory = directory

    @contextmanager
    def connect(self) -> Iterator[Send]:
        try:
            make_private_directory(self.directory)
        except OSError as error:
            raise MailServerUnavailable(f"cannot create {self.directory}: {error}") from error

        def write(message: EmailMessage) -> None:
            name = message["Message-ID"].strip("<>").replace("/", "_").replace("@", "_at_")
            try:
                content = message.as_bytes()
            except Exception as error:  # this message cannot be written; the next may
                raise MessageNotSent(
                    f"could not be written: {describe(error)}", permanent=True
                ) from error
            try:
                write_private_file(self.directory / f"{name}.eml", content)
            except OSError as error:
                raise MailServerUnavailable(f"cannot write to {self.directory}: {error}") from error

        yield write
