"""Absolute links (e-mails, feeds, payment returns): SITE_URL, or locally where the site is served.

In production SITE_URL is required and every absolute link starts with it. Locally, without
SITE_URL, links follow the address the site is actually served on, so `flask --app consult run
--port 5077` sends the test payment back to :5077 and e-mails links to :5077:
- inside a request, the address that request came to (scheme, host and port as the browser used
  them, so the link also carries the browser's cookies for that host);
- outside a request (a command such as `mail send` or `bookings remind`), the address `flask run`
  was last told to serve on, which it notes at start in `served_at` in the instance folder;
- before the site was ever run, SITE_URL's default, http://127.0.0.1:5000.
The request's address comes from its Host header, which anyone who can reach the server chooses:
that is acceptable for the page that request is answered with on a developer's machine, and is
why production never does it, and why it is never noted for the links commands make (a reminder
must not lead a guest to whatever host someone sent a request with).
"""

from __future__ import annotations

import os
import tempfile
from typing import Any
from urllib.parse import urlsplit

import click
from flask import Flask, current_app, has_request_context, request

from consult.config import Settings
from consult.private_files import make_private_directory

SERVED_AT_FILE = "served_at"
_LAST_NOTED = "consult.served_at"
# A server listening on every interface is reached, on the same machine, at localhost.
WILDCARD_HOSTS = ("", "0.0.0.0", "::")  # noqa: S104  names of wildcards, nothing is bound here


def _settings() -> Settings:
    settings: Settings = current_app.extensions["consult.settings"]
    return settings


def _follows_served_address(settings: Settings) -> bool:
    return not (settings.site_url_is_set or settings.is_production)


def site_root() -> str:
    """The public site's address without a trailing slash, e.g. "http://127.0.0.1:5077"."""
    settings = _settings()
    if not _follows_served_address(settings):
        return settings.site_url
    if has_request_context():
        return request.url_root.rstrip("/")
    served_at = settings.instance_dir / SERVED_AT_FILE
    try:
        noted = served_at.read_text(encoding="utf-8").strip()
    except OSError:  # never served yet
        return settings.site_url
    return noted if _is_site_address(noted) else settings.site_url


def absolute_url(endpoint: str, **values: Any) -> str:
    """The full URL of `endpoint` on the public site, e.g. for a link in an e-mail."""
    site = urlsplit(site_root())
    adapter = current_app.url_map.bind(
        site.netloc, script_name=site.path or "/", url_scheme=site.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def _is_site_address(address: str) -> bool:
    parts = urlsplit(address)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def note_served_address(app: Flask, address: str) -> None:
    """Keep `address` as the one `flask run` serves on, for links made outside a request.

    Written only when it changes, atomically, so concurrent workers never leave half a file.
    """
    address = address.rstrip("/")
    if app.extensions.get(_LAST_NOTED) == address or not _is_site_address(address):
        return
    settings: Settings = app.extensions["consult.settings"]
    make_private_directory(settings.instance_dir)
    handle, temporary = tempfile.mkstemp(dir=settings.instance_dir, prefix=".served_at.")
    with os.fdopen(handle, "w", encoding="utf-8") as output:
        output.write(address + "\n")
    os.replace(temporary, settings.instance_dir / SERVED_AT_FILE)
    app.extensions[_LAST_NOTED] = address


def address_of_run_command() -> str | None:
    """The address `flask run` was told to serve on; None when another command loaded the app."""
    context = click.get_current_context(silent=True)
    if context is None or context.command.name != "run":
        return None
    host = str(context.params.get("host") or "127.0.0.1")
    host = "localhost" if host in WILDCARD_HOSTS else host
    if ":" in host:  # an IPv6 address is written in brackets in a URL
        host = f"[{host}]"
    scheme = "https" if context.params.get("cert") else "http"
    return f"{scheme}://{host}:{context.params.get('port') or 5000}"


def init_app(app: Flask) -> None:
    """Locally without SITE_URL: note the address `flask run` serves on, from its own options."""
    if not _follows_served_address(app.extensions["consult.settings"]):
        return
    run_address = address_of_run_command()
    if run_address is not None:
        note_served_address(app, run_address)
