"""Delivering the outbox in a background thread after a request queued mail (local use)."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from consult.mail.service import deliver_outbox

log = logging.getLogger(__name__)


class BackgroundDelivery:
    """Runs delivery passes for one app in a thread of its own, one pass at a time.

    A request only asks for a pass, so it never waits for the mail server or for the outbox's
    write lock. Asking while a pass runs makes one more pass follow it (the mail queued meanwhile
    may have missed the running one); the thread ends when nothing more was asked for.
    """

    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Lock()
        self._asked = False
        self._running = False

    def ask_for_pass(self) -> None:
        """Have the queued mail delivered soon, without waiting for it."""
        with self._lock:
            self._asked = True
            if self._running:
                return
            self._running = True
        threading.Thread(target=self._run, name="consult-mail-delivery", daemon=True).start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._asked:
                    self._running = False
                    return
                self._asked = False
            self._deliver_quietly()

    def _deliver_quietly(self) -> None:
        with self.app.app_context():
            try:
                deliver_outbox(now=self.app.config["CLOCK"]())
            except Exception:  # the queued mail stays queued for `flask mail send`
                log.exception("delivering mail after a request failed")
