"""A receipt as plain data: who was paid, by whom, for what, how much, and what was refunded.
No Flask, no database.

One Receipt feeds both the page and the PDF, so they can never disagree. Its figures are
read from the payment's ledger each time (what was paid after promotion codes, what refunds
were asked and confirmed): a refund made later appears on the receipt downloaded after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


def money(amount_minor: int, currency: str) -> str:
    """`45000, "usd"` → `USD 450.00` (every currency the practice uses has two decimals)."""
    sign = "-" if amount_minor < 0 else ""
    amount = abs(amount_minor)
    return f"{sign}{currency.upper()} {amount // 100:,}.{amount % 100:02d}"


@dataclass(frozen=True)
class PracticeDetails:
    """The practice as site.yaml describes it, printed at the top of every receipt."""

    name: str
    consultant_name: str
    email: str
    phone: str | None
    address: str | None
    tax_id: str | None
    site_url: str


@dataclass(frozen=True)
class Receipt:
    """One payment's receipt. Amounts are in minor units of `currency`.

    `list_price_minor` is the price asked; `paid_minor` what was actually paid (less when a
    promotion code applied); `refunded_minor` what the provider has refunded and
    `refund_pending_minor` what it has been asked to refund and not yet confirmed.
    """

    number: str
    paid_on: date
    practice: PracticeDetails
    billed_to: tuple[str, ...]
    item: str
    item_details: tuple[str, ...]
    currency: str
    list_price_minor: int
    paid_minor: int
    refunded_minor: int
    refund_pending_minor: int
    payment_method: str
    payment_reference: str | None
    notes: tuple[str, ...] = ()

    @property
    def discount_minor(self) -> int:
        """What a promotion code took off the price."""
        return max(0, self.list_price_minor - self.paid_minor)

    @property
    def net_paid_minor(self) -> int:
        """What the payer has paid once confirmed refunds are deducted."""
        return self.paid_minor - self.refunded_minor

    def lines(self) -> list[tuple[str, str]]:
        """The money lines in order, as (label, formatted amount): price, discount, paid,
        refunds, net.
        """
        rows = [("Price", money(self.list_price_minor, self.currency))]
        if self.discount_minor:
            rows.append(("Discount", money(-self.discount_minor, self.currency)))
        rows.append(("Paid", money(self.paid_minor, self.currency)))
        if self.refunded_minor:
            rows.append(("Refunded", money(-self.refunded_minor, self.currency)))
        if self.refund_pending_minor:
            rows.append(
                (
                    "Refund requested, not yet confirmed",
                    money(self.refund_pending_minor, self.currency),
                )
            )
        if self.refunded_minor:
            rows.append(("Paid after refunds", money(self.net_paid_minor, self.currency)))
        return rows


def receipt_number(kind: str, row_id: int) -> str:
    """A receipt's number: B- for a booking, P- for a programme, then the row's id."""
    prefix = {"booking": "B", "programme": "P"}[kind]
    return f"{prefix}-{row_id:06d}"


def payment_method(provider: str | None) -> str:
    """How the payment was taken, in words."""
    return {
        "stripe": "Card payment through Stripe",
        "test": "Test payment (the site's local test provider: no money moved)",
    }.get(provider or "", "Payment through the site")
