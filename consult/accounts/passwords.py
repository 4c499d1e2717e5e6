"""Password hashing: Argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane).

Hashes made before Argon2id (werkzeug's scrypt) are still checked, and replaced by an Argon2id
hash at the next successful sign-in.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Checked against when no account matches, so both answers take the same time.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Whether `password` is the one behind `stored_hash`; with no hash (no such account), the
    same work is done against a dummy and the answer is False.
    """
    if stored_hash is None:
        _matches_argon2(_DUMMY_HASH, password)
        return False
    if stored_hash.startswith("$argon2"):
        return _matches_argon2(stored_hash, password)
    return check_password_hash(stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    """True for a hash of an older method or weaker parameters than today's."""
    return not stored_hash.startswith("$argon2") or _HASHER.check_needs_rehash(stored_hash)


def _matches_argon2(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
