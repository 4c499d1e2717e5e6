"""Password hashes: Argon2id with OWASP's parameters; older scrypt hashes still checked."""

from werkzeug.security import generate_password_hash

from consult.accounts.passwords import hash_password, needs_rehash, password_matches


def test_hashes_are_argon2id_with_owasps_parameters_and_salted():
    first, second = hash_password("listen before you lead"), hash_password("listen before you lead")
    assert first.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and first != second
    assert password_matches(first, "listen before you lead")
    assert not password_matches(first, "listen before you lead ")
    assert not needs_rehash(first)


def test_an_older_scrypt_hash_still_matches_and_asks_to_be_replaced():
    older = generate_password_hash("listen before you lead", method="scrypt")
    assert password_matches(older, "listen before you lead")
    assert not password_matches(older, "something else entirely")
    assert needs_rehash(older)


def test_no_hash_or_a_broken_one_never_matches():
    assert not password_matches(None, "anything at all")
    assert not password_matches("$argon2id$not-a-hash", "anything at all")
