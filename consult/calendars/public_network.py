"""Connections to public internet hosts only, for fetching calendar feeds.

A feed address is typed by a person, so it may name the server's own services (127.0.0.1:6379),
the cloud's metadata service (169.254.169.254) or the office network. Every address the host
name resolves to must be a public one, checked when the feed is saved and again on every
connection (redirects included) against the very address connected to, so a name that resolves
to a public address when saved and to a private one later (DNS rebinding) is refused too.

Plain http:// travels unencrypted, so it is read only from this machine (loopback, allowed in
development and tests, never in production): a feed, or a redirect, over http:// to any other
host is refused (ASVS 12.3.1).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from typing import Any

from consult.calendars.addresses import FeedAddressError

PLAIN_HTTP = (
    "The address starts with http://, which is not encrypted: use the calendar's https:// "
    "address (or webcal://)."
)
NOT_PUBLIC = (
    "The address leads to a private or local network ({address}), which calendars are never "
    "read from: use the calendar's public address."
)


def is_public_address(address: str, *, allow_loopback: bool) -> bool:
    """Whether an IP address is on the public internet (or loopback, when allowed)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return ip.is_global or (allow_loopback and ip.is_loopback)


def public_addresses(
    host: str, port: int, *, allow_loopback: bool, encrypted: bool = True
) -> list[tuple[Any, ...]]:
    """The host's resolved socket addresses, or FeedAddressError if any of them is not public
    (or, for an unencrypted connection, not on this machine where that is allowed).

    All must be public, not just one: which one a connection uses is not ours to choose.
    """
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise FeedAddressError(f"The host name {host} could not be found.") from None
    for *_, socket_address in found:
        address = str(socket_address[0])
        if not is_public_address(address, allow_loopback=allow_loopback):
            raise FeedAddressError(NOT_PUBLIC.format(address=address))
        if not encrypted and is_public_address(address, allow_loopback=False):
            raise FeedAddressError(PLAIN_HTTP)  # off this machine, unencrypted
    return [(family, socket_address) for family, *_, socket_address in found]


def _connect_to_public(
    host: str, port: int, timeout: float | None, *, allow_loopback: bool, encrypted: bool
) -> socket.socket:
    """Like socket.create_connection, to an address just checked rather than one resolved again."""
    failure: OSError | None = None
    addresses = public_addresses(host, port, allow_loopback=allow_loopback, encrypted=encrypted)
    for family, socket_address in addresses:
        connection = socket.socket(family, socket.SOCK_STREAM)
        try:
            connection.settimeout(timeout)
            connection.connect(socket_address)
            return connection
        except OSError as error:
            connection.close()
            failure = error
    raise failure or OSError(f"no address for {host}")


def _guarded(connection_class: type[http.client.HTTPConnection], allow_loopback: bool) -> Any:
    """`connection_class` whose sockets go only to checked public addresses (https keeps the
    host name for its certificate check).
    """

    class GuardedConnection(connection_class):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = self._connect

        def _connect(self, address: tuple[str, int], timeout: float | None = None, *_: Any) -> Any:
            return _connect_to_public(
                address[0],
                address[1],
                timeout,
                allow_loopback=allow_loopback,
                encrypted=issubclass(connection_class, http.client.HTTPSConnection),
            )

    return GuardedConnection


def public_handlers(*, allow_loopback: bool) -> list[urllib.request.BaseHandler]:
    """urllib handlers for http and https that connect only to public addresses."""
    http_connection = _guarded(http.client.HTTPConnection, allow_loopback)
    https_connection = _guarded(http.client.HTTPSConnection, allow_loopback)

    class PublicHTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(http_connection, req)

    class PublicHTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(https_connection, req, context=self._context)  # type: ignore[attr-defined]

    return [PublicHTTPHandler(), PublicHTTPSHandler()]
