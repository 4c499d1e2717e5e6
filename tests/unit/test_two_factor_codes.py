"""The pure rules of two-step sign-in: which codes match which step, recovery codes, the QR code."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from math import log2

import pyotp
import pytest

from consult.accounts.two_factor import (
    RECOVERY_ALPHABET,
    RECOVERY_CODE_BITS,
    RECOVERY_CODE_GROUP_LENGTH,
    RECOVERY_CODE_GROUPS,
    hash_recovery_code,
    looks_like_time_code,
    matching_time_step,
    new_recovery_codes,
    new_secret,
    provisioning_uri,
    qr_code_svg,
    readable_secret,
)

NOW = datetime(2026, 11, 25, 15, 0, 10, tzinfo=UTC)


def code(secret: str, moment: datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


def test_a_code_matches_its_own_step_and_one_either_side():
    secret = new_secret()
    step = pyotp.TOTP(secret).timecode(NOW)
    for offset in (-1, 0, 1):
        typed = code(secret, NOW + timedelta(seconds=30 * offset))
        found = matching_time_step(secret=secret, typed=typed, now=NOW, last_used_step=None)
        assert found == step + offset
    too_old = code(secret, NOW - timedelta(seconds=60))
    assert matching_time_step(secret=secret, typed=too_old, now=NOW, last_used_step=None) is None


def test_a_step_already_used_or_earlier_is_refused():
    secret = new_secret()
    step = pyotp.TOTP(secret).timecode(NOW)
    typed = code(secret, NOW)
    assert matching_time_step(secret=secret, typed=typed, now=NOW, last_used_step=step) is None
    assert matching_time_step(secret=secret, typed=typed, now=NOW, last_used_step=step - 1) == step


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12 34 5x", "１２３４５６"])
def test_anything_but_six_digits_matches_no_step(typed):
    secret = new_secret()
    assert matching_time_step(secret=secret, typed=typed, now=NOW, last_used_step=None) is None


def test_spaces_in_a_typed_code_do_not_matter():
    secret = new_secret()
    typed = code(secret, NOW)
    spaced = f" {typed[:3]} {typed[3:]} "
    assert looks_like_time_code(spaced)
    assert matching_time_step(secret=secret, typed=spaced, now=NOW, last_used_step=None)


def test_recovery_codes_are_distinct_readable_and_hashed_without_case_or_spacing():
    codes = new_recovery_codes()
    assert len(codes) == 10 and len(set(codes)) == 10
    for recovery_code in codes:
        groups = recovery_code.split("-")
        assert [len(group) for group in groups] == [4, 4, 4, 4, 4, 4]
        assert set(recovery_code) <= set(RECOVERY_ALPHABET) | {"-"}
        assert not set(recovery_code) & set("01ilo")
        assert not looks_like_time_code(recovery_code)
    first = codes[0]
    assert hash_recovery_code(first.upper().replace("-", " ")) == hash_recovery_code(first)
    assert hash_recovery_code(first) != hash_recovery_code(codes[1])
    assert first not in hash_recovery_code(first)


def test_a_recovery_code_holds_at_least_112_bits_so_a_plain_hash_is_allowed():
    """ASVS 6.5.2: SHA-256 alone is enough only for secrets of 112 bits or more."""
    symbols = RECOVERY_CODE_GROUPS * RECOVERY_CODE_GROUP_LENGTH
    assert symbols * log2(len(set(RECOVERY_ALPHABET))) == RECOVERY_CODE_BITS >= 112
    assert len(RECOVERY_ALPHABET) == len(set(RECOVERY_ALPHABET)) == 31
    spread = Counter("".join(new_recovery_codes(count=200)).replace("-", ""))
    assert set(spread) == set(RECOVERY_ALPHABET)  # every symbol is drawn, none left out


def test_the_qr_code_is_inline_svg_with_a_title_and_the_key_reads_in_groups():
    secret = new_secret()
    uri = provisioning_uri(secret=secret, account="a@example.org", issuer="Irons Consulting")
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri
    svg = qr_code_svg(uri, title="Scan me")
    assert svg.startswith("<svg") and "<title>Scan me</title>" in svg and "<?xml" not in svg
    assert "style=" not in svg  # the Content-Security-Policy allows no inline styles
    assert readable_secret(secret).replace(" ", "") == secret
    assert all(len(group) == 4 for group in readable_secret(secret).split(" "))
