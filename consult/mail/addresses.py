"""How an e-mail address is written for the mail server: non-ASCII domains as IDNA. No Flask, no
database.
"""

from __future__ import annotations

import idna


class UnencodableAddress(ValueError):
    """An address that no mail server could be given, whatever it supports."""


def wire_address(address: str) -> str:
    """`address` as sent in the envelope and headers: a non-ASCII domain in IDNA ("xn--…").

    The local part is kept as it is: a non-ASCII one can only be sent to a server that offers
    SMTPUTF8 (smtplib asks for it when the server does, and refuses the message otherwise).
    """
    local_part, at, domain = address.strip().rpartition("@")
    if not at or not local_part or not domain:
        raise UnencodableAddress(f"{address!r} is not an e-mail address")
    if domain.isascii():
        return f"{local_part}@{domain}"
    try:
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
    except UnicodeError as error:  # idna.IDNAError and its kin are UnicodeErrors
        raise UnencodableAddress(
            f"the domain of {address!r} cannot be written in IDNA: {error}"
        ) from None
    return f"{local_part}@{ascii_domain}"
