"""Calendar feed addresses: which are accepted, how one is shown without its secret. No Flask."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

MAX_URL_LENGTH = 2000


class FeedAddressError(ValueError):
    """The address cannot be used as a calendar feed; the message says why, in plain words."""


def normalise_feed_url(raw: str) -> str:
    """A fetchable http(s) address from what the consultant pasted; webcal:// becomes https://.

    Raises FeedAddressError for anything else (file:, ftp:, no host, spaces, too long).
    """
    url = (raw or "").strip()
    if not url:
        raise FeedAddressError("Paste the calendar's address (it starts with https://).")
    if len(url) > MAX_URL_LENGTH:
        raise FeedAddressError(f"The address is longer than {MAX_URL_LENGTH} characters.")
    if any(character.isspace() or ord(character) < 32 for character in url):
        raise FeedAddressError("The address contains spaces or invisible characters.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  raises ValueError for a port that is not a number
    except ValueError:
        raise FeedAddressError("This is not a web address.") from None
    scheme = parts.scheme.lower()
    if scheme in ("webcal", "webcals"):  # calendar apps' name for an http(s) subscription
        scheme = "https"
    if scheme not in ("http", "https"):
        raise FeedAddressError("Only http:// and https:// (or webcal://) addresses can be read.")
    if not parts.hostname:
        raise FeedAddressError("The address has no host name.")
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


def mask_feed_url(url: str) -> str:
    """The host and the last few characters, e.g. `https://calendar.example.org/…c.ics`.

    Private feed addresses are secrets: pages and the CLI never show one in full.
    """
    parts = urlsplit(url)
    host = parts.hostname or "?"
    if parts.port:
        host = f"{host}:{parts.port}"
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    tail = rest[-4:] if len(rest) > 12 else ""
    return f"{parts.scheme}://{host}/…{tail}"
