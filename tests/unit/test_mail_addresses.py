"""Addresses as the mail server is given them: IDNA domains, local parts untouched."""

import pytest

from consult.mail.addresses import UnencodableAddress, wire_address


@pytest.mark.parametrize(
    ("address", "on_the_wire"),
    [
        ("reader@example.org", "reader@example.org"),
        ("Reader@Example.ORG", "Reader@Example.ORG"),
        ("leser@bücher.example", "leser@xn--bcher-kva.example"),
        ("leser@BÜCHER.example", "leser@xn--bcher-kva.example"),
        ("jörg@example.org", "jörg@example.org"),
        ("jörg@bücher.example", "jörg@xn--bcher-kva.example"),
        ("info@straße.de", "info@xn--strae-oqa.de"),
        ("用户@例子.广告", "用户@xn--fsqu00a.xn--4rr70v"),
        ('"odd@quoted"@example.org', '"odd@quoted"@example.org'),
    ],
)
def test_only_a_non_ascii_domain_is_rewritten(address, on_the_wire):
    assert wire_address(address) == on_the_wire


@pytest.mark.parametrize(
    "address",
    [
        "no-at-sign.example.org",
        "@example.org",
        "reader@",
        "someone@bad_ü.example",
        "someone@" + "ü" * 70 + ".example",
        "someone@bü..example",
    ],
)
def test_an_address_no_server_could_take_is_refused_with_a_reason(address):
    with pytest.raises(UnencodableAddress):
        wire_address(address)
