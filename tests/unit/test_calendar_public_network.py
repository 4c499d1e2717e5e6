"""Calendar feeds are read from public internet hosts only: never the server's own services,
the cloud's metadata address or a private network, when saved, fetched or redirected to, and
even when a host name changes what it resolves to (DNS rebinding).
"""

import socket
import urllib.request

import pytest

from consult.calendars.addresses import FeedAddressError
from consult.calendars.fetch import FetchFailed, fetch_calendar
from consult.calendars.public_network import is_public_address, public_addresses, public_handlers
from tests.fakes.calendar_feeds import FeedServer, vcalendar


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


@pytest.mark.parametrize(
    ("address", "public", "with_loopback"),
    [
        ("93.184.216.34", True, True),
        ("2606:2800:220:1:248:1893:25c8:1946", True, True),
        ("127.0.0.1", False, True),
        ("127.8.9.10", False, True),
        ("::1", False, True),
        ("::ffff:127.0.0.1", False, True),
        ("169.254.169.254", False, False),
        ("10.1.2.3", False, False),
        ("172.16.0.9", False, False),
        ("192.168.1.1", False, False),
        ("100.64.0.1", False, False),
        ("0.0.0.0", False, False),  # noqa: S104  an address under test, not one bound
        ("fe80::1%eth0", False, False),
        ("fd00::1", False, False),
        ("::ffff:10.0.0.1", False, False),
    ],
)
def test_only_global_addresses_are_public(address, public, with_loopback):
    assert is_public_address(address, allow_loopback=False) is public
    assert is_public_address(address, allow_loopback=True) is with_loopback


def resolving_to(monkeypatch, *addresses):
    """Make every host name resolve to `addresses`, as a DNS server under someone's control can."""

    def getaddrinfo(host, port, *args, **kwargs):
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, port),
            )
            for address in addresses
        ]

    monkeypatch.setattr("consult.calendars.public_network.socket.getaddrinfo", getaddrinfo)


def test_a_host_is_refused_when_any_of_its_addresses_is_not_public(monkeypatch):
    resolving_to(monkeypatch, "93.184.216.34")
    assert public_addresses("calendar.example.org", 443, allow_loopback=False)
    resolving_to(monkeypatch, "93.184.216.34", "10.0.0.7")
    with pytest.raises(FeedAddressError, match=r"private or local network \(10\.0\.0\.7\)"):
        public_addresses("calendar.example.org", 443, allow_loopback=False)


def test_plain_http_is_read_only_from_this_machine(monkeypatch):
    """ASVS 12.3.1: a feed over http:// would cross the internet unencrypted."""
    resolving_to(monkeypatch, "93.184.216.34")
    with pytest.raises(FeedAddressError, match=r"not encrypted: use the calendar's https://"):
        public_addresses("calendar.example.org", 80, allow_loopback=True, encrypted=False)
    assert public_addresses("calendar.example.org", 443, allow_loopback=False, encrypted=True)
    resolving_to(monkeypatch, "127.0.0.1")
    assert public_addresses("localhost", 80, allow_loopback=True, encrypted=False)
    with pytest.raises(FeedAddressError, match="private or local network"):
        public_addresses("localhost", 80, allow_loopback=False, encrypted=False)


def test_a_plain_http_connection_off_this_machine_is_never_opened(monkeypatch):
    """Redirects included: the check is made by the http:// connection itself."""
    resolving_to(monkeypatch, "93.184.216.34")
    opener = urllib.request.build_opener(*public_handlers(allow_loopback=True))
    with pytest.raises(FeedAddressError, match="not encrypted"):
        opener.open("http://calendar.example.org/feed.ics", timeout=1)


def test_an_unknown_host_is_named():
    with pytest.raises(FeedAddressError, match="could not be found"):
        public_addresses("no-such-host.invalid", 443, allow_loopback=False)


def test_a_loopback_feed_is_refused_unless_allowed_and_never_connected_to(server):
    url = server.serve("/cal.ics", vcalendar())
    with pytest.raises(FetchFailed, match="private or local network"):
        fetch_calendar(url, etag=None, last_modified=None)
    assert server.seen("/cal.ics") == []
    assert fetch_calendar(url, etag=None, last_modified=None, allow_loopback=True).text


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/cal.ics",
        "https://[fd00::1]/cal.ics",
    ],
)
def test_a_redirect_to_a_private_address_is_refused(server, target):
    url = server.serve("/moved.ics", status=302, location=target)
    with pytest.raises(FetchFailed, match="private or local network"):
        fetch_calendar(url, etag=None, last_modified=None, allow_loopback=True)


def test_a_host_that_turns_private_after_it_was_saved_is_refused_at_fetch_time(monkeypatch):
    resolving_to(monkeypatch, "93.184.216.34")  # what the address resolved to when saved
    assert public_addresses("calendar.example.org", 443, allow_loopback=False)
    resolving_to(monkeypatch, "127.0.0.1")  # and what it resolves to at the next sync
    with pytest.raises(FetchFailed, match=r"private or local network \(127\.0\.0\.1\)"):
        fetch_calendar("https://calendar.example.org/cal.ics", etag=None, last_modified=None)
