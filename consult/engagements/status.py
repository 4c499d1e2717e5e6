"""The life of a programme purchase: which status may follow which, written once. No Flask, no
database.

A purchase is `pending` while its checkout is open, `active` once paid, granted or free (its
credits usable until it ends), `abandoned` when the checkout expired unpaid, and `cancelled`
when the owner or the consultant ends it early. An abandoned checkout that is paid after all
still becomes active: the money has moved, and a programme holds no scarce time.
"""

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"active", "abandoned"}),
    "abandoned": frozenset({"active"}),
    "active": frozenset({"cancelled"}),
    "cancelled": frozenset(),
}


class PurchaseTransitionNotAllowed(ValueError):
    """A status change a purchase's life does not allow."""


def check_purchase_transition(current: str, new: str) -> None:
    """Raise PurchaseTransitionNotAllowed unless a purchase may go from `current` to `new`."""
    if new not in ALLOWED_TRANSITIONS.get(current, frozenset()):
        raise PurchaseTransitionNotAllowed(f"a {current} programme cannot become {new}")
