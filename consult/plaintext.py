"""Which of production's outbound connections would travel unencrypted off this machine.

Production refuses them at start-up: the site's address, the database, the mail relay and the
rate-limit store (each host of a Sentinel or Cluster one) each either stay on the machine
(loopback or a Unix socket) or use TLS.
Pure: it reads the settings' addresses only.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import parse_qs, urlsplit

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def stays_on_this_machine(host: str | None) -> bool:
    """A Unix socket (no host), `localhost`, or a loopback address."""
    if not host:
        return True
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def plaintext_connections(
    *, site_url: str, database_url: str, smtp_url: str, ratelimit_storage_uri: str
) -> list[str]:
    """The settings whose connections would leave the machine without TLS, each with the fix."""
    problems = []
    site = urlsplit(site_url)
    if site.scheme != "https" and not stays_on_this_machine(site.hostname):
        problems.append("SITE_URL must be an https:// address")
    database = urlsplit(database_url)
    if database.scheme.startswith("postgresql") and not stays_on_this_machine(database.hostname):
        mode = parse_qs(database.query).get("sslmode", [""])[-1]
        if mode not in ("require", "verify-ca", "verify-full"):
            problems.append("DATABASE_URL must ask for TLS (sslmode=require or verify-full)")
    mail = urlsplit(smtp_url)
    starttls = parse_qs(mail.query).get("starttls", ["0"])[-1].lower() in ("1", "true", "yes")
    if mail.scheme == "smtp" and not starttls and not stays_on_this_machine(mail.hostname):
        problems.append("SMTP_URL must use smtps:// or ?starttls=1")
    store = urlsplit(ratelimit_storage_uri)
    if store.scheme == "redis" and not stays_on_this_machine(store.hostname):
        problems.append("RATELIMIT_STORAGE_URI must use rediss:// (Redis over TLS)")
    if store.scheme in ("redis+sentinel", "redis+cluster") and not all(
        map(stays_on_this_machine, _hosts(store.netloc))
    ):
        problems.append(
            "RATELIMIT_STORAGE_URI: redis+sentinel:// and redis+cluster:// cannot ask for TLS, so "
            "their hosts must be on this machine; use rediss:// for a store elsewhere"
        )
    return problems


def _hosts(location: str) -> list[str | None]:
    """The host of each `host:port` in an address's location: Sentinel and Cluster list several."""
    places = location.rpartition("@")[2]  # after any user and password
    return [urlsplit(f"//{place}").hostname for place in places.split(",")]
