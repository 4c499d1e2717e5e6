"""Account rules that need no app: redirects, passwords, e-mail form, tokens."""

import pytest

from consult.accounts.policy import (
    hash_token,
    is_safe_redirect_path,
    new_token,
    normalise_email,
    password_problem,
)


@pytest.mark.parametrize(
    "target", ["/", "/admin/", "/blog/some-post/?page=2#notes", "/accounts/password"]
)
def test_paths_on_this_site_are_safe(target):
    assert is_safe_redirect_path(target)


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.example",
        "///evil.example",
        "\\\\evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "https://evil.example",
        "https:evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "%2F%2Fevil.example",
        "/%2F%2Fevil.example",
        "/%5Cevil.example",
        "%252F%252Fevil.example",
        "/%09/evil.example",
        "/\t/evil.example",
        "/\r\nLocation: //evil.example",
        "evil.example",
        "admin/",
    ],
)
def test_anything_that_could_lead_off_site_is_refused(target):
    assert not is_safe_redirect_path(target)


def test_password_policy():
    assert password_problem("short") == "Use at least 8 characters."
    assert "at most" in password_problem("x" * 129)
    assert password_problem("y" * 64 + "Z1") is None  # long passphrases are welcome
    assert "common" in password_problem("password1")
    assert "common" in password_problem("Qwertyuiop")
    assert "common" in password_problem("zzzzzzzzzz")
    assert "name or e-mail" in password_problem(
        "jordan.lee@example.org", email="Jordan.Lee@example.org"
    )
    assert "name or e-mail" in password_problem("jordan lee", name="Jordan Lee")
    assert password_problem("listen before you lead") is None


SITE_WORDS = ("Irons Consulting Group", "Ms. Irons", "partner.example.org", "partner", "example")


@pytest.mark.parametrize(
    "password",
    ["Irons Consulting Group", "ironsconsultinggroup2026", "Partner.Example.org", "Partner!2026"],
)
def test_the_sites_own_words_are_refused(password):
    assert "this site" in password_problem(password, site_words=SITE_WORDS)


def test_a_password_that_only_mentions_the_site_is_fine():
    assert password_problem("my irons consulting notes", site_words=SITE_WORDS) is None
    assert password_problem("Irons Consulting Group") is None  # no site words given


def test_emails_compare_in_lower_case():
    assert normalise_email("  Ms.Irons@Example.ORG ") == "ms.irons@example.org"


def test_tokens_are_long_random_and_stored_only_as_a_hash():
    token, stored = new_token()
    other, _ = new_token()
    assert len(token) >= 43 and token != other
    assert stored == hash_token(token) and token not in stored and len(stored) == 64
