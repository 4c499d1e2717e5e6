"""Feed addresses: only http(s) is fetched, webcal is its alias, and pages never show the secret."""

import pytest

from consult.calendars.addresses import FeedAddressError, mask_feed_url, normalise_feed_url

GOOGLE = (
    "https://calendar.google.com/calendar/ical/ms.irons%40gmail.com/private-4f1c9e2ab77d/basic.ics"
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"  {GOOGLE}  ", GOOGLE),
        (
            "webcal://p42-caldav.icloud.com/published/2/SECRET",
            "https://p42-caldav.icloud.com/published/2/SECRET",
        ),
        ("WEBCALS://example.org/cal.ics", "https://example.org/cal.ics"),
        (
            "http://127.0.0.1:8080/feed.ics?token=abc#part",
            "http://127.0.0.1:8080/feed.ics?token=abc",
        ),
        ("https://example.org", "https://example.org/"),
    ],
)
def test_usable_addresses_are_normalised(raw, expected):
    assert normalise_feed_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "Paste"),
        ("file:///etc/passwd", "Only http"),
        ("ftp://example.org/cal.ics", "Only http"),
        ("javascript:alert(1)", "Only http"),
        ("calendar.example.org/feed.ics", "Only http"),
        ("https:///feed.ics", "no host"),
        ("https://exa mple.org/feed.ics", "spaces"),
        ("https://example.org/\x00feed", "invisible"),
        ("https://example.org:port/feed", "not a web address"),
        ("https://example.org/" + "a" * 2000, "longer than"),
    ],
)
def test_unusable_addresses_are_refused_in_plain_words(raw, reason):
    with pytest.raises(FeedAddressError, match=reason):
        normalise_feed_url(raw)


def test_a_masked_address_shows_the_host_and_a_short_tail_only():
    masked = mask_feed_url(GOOGLE)
    assert masked == "https://calendar.google.com/….ics"
    assert "private-" not in masked and "irons" not in masked
    secret_tail = mask_feed_url("https://p42-caldav.icloud.com/published/2/MTIzNDU2Nzg5MGFiY2RlZg")
    assert secret_tail == "https://p42-caldav.icloud.com/…RlZg"
    assert mask_feed_url("https://user:password@example.org:8443/c") == "https://example.org:8443/…"
