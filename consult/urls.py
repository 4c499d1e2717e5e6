"""Absolute links for e-mails and feeds, built from SITE_URL so they work outside a request too."""

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, **values: Any) -> str:
    """The full URL of `endpoint` on the public site, e.g. for a link in an e-mail."""
    site = urlsplit(current_app.extensions["consult.settings"].site_url)
    adapter = current_app.url_map.bind(
        site.netloc, script_name=site.path or "/", url_scheme=site.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
