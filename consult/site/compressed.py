"""Compressed copies of finished public pages, for the visitors who accept them.

Every browser and feed reader sends `Accept-Encoding: gzip`. A kept page is compressed once,
when it is kept, rather than by a proxy on every request: a sitemap or feed of some 130 kB goes
out as a tenth of that. The copy carries the page's ETag as a weak one (RFC 9110 8.8.3: the
same content, another encoding), so revalidation matches either copy, and every public page
says it varies by Accept-Encoding, so that a shared cache keeps the two apart.
"""

from __future__ import annotations

import functools
import gzip
from typing import TYPE_CHECKING

from werkzeug.http import parse_accept_header

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

COMPRESSIBLE_TYPES = (
    "text/",
    "application/xml",
    "application/atom+xml",
    "application/json",
    "image/svg+xml",
)
MIN_BYTES = 1024  # below this, the headers outweigh what compressing saves
GZIP_LEVEL = 6

Headers = list[tuple[str, str]]


def accepts_gzip(environ: WSGIEnvironment) -> bool:
    return _accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", ""))


@functools.lru_cache(maxsize=256)  # browsers send a few distinct values: parse each once
def _accepts_gzip(accept_encoding: str) -> bool:
    return "gzip" in accept_encoding and parse_accept_header(accept_encoding).quality("gzip") > 0


def compressed(body: bytes, content_type: str) -> bytes | None:
    """`body` compressed with gzip, or None when that would not be worth sending."""
    if len(body) < MIN_BYTES or not content_type.startswith(COMPRESSIBLE_TYPES):
        return None
    smaller = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    return smaller if len(smaller) < len(body) else None


def gzip_copy(headers: Headers, body: bytes) -> tuple[Headers, bytes] | None:
    """The compressed copy of a finished answer, or None when it would not be worth sending."""
    names = {name.lower(): value for name, value in headers}
    if "content-encoding" in names:
        return None
    compressed_body = compressed(body, names.get("content-type", ""))
    if compressed_body is None:
        return None
    copied = [
        (name, value)
        for name, value in headers
        if name.lower() not in ("content-length", "etag", "content-encoding")
    ]
    copied.append(("Content-Encoding", "gzip"))
    copied.append(("Content-Length", str(len(compressed_body))))
    if "etag" in names:
        copied.append(("ETag", f"W/{names['etag'].removeprefix('W/')}"))
    return copied, compressed_body
