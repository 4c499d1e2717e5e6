"""Receipts as data and as PDF: the money lines, refunds, and text printed as written."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from consult.receipts.document import (
    PracticeDetails,
    Receipt,
    money,
    payment_method,
    receipt_number,
)
from consult.receipts.pdf import build_receipt_pdf

PRACTICE = PracticeDetails(
    name="Irons Consulting Group",
    consultant_name="Ms. Irons",
    email="hello@consult.example",
    phone="+1 312 555 0100",
    address="100 Example Avenue, Suite 4\nChicago, IL 60601",
    tax_id="US-12-3456789",
    site_url="https://consult.example",
)


def receipt(**changes):
    values = {
        "number": "B-000042",
        "paid_on": date(2026, 11, 25),
        "practice": PRACTICE,
        "billed_to": ("Ana Reyes", "Smith & Jones <North>", "ana@clinic.example"),
        "item": "Leadership strategy session with Ms. Irons",
        "item_details": ("Monday 30 November 2026, 9:00 AM (America/Chicago), 90 minutes",),
        "currency": "usd",
        "list_price_minor": 45000,
        "paid_minor": 45000,
        "refunded_minor": 0,
        "refund_pending_minor": 0,
        "payment_method": payment_method("stripe"),
        "payment_reference": "pi_123",
    }
    return Receipt(**{**values, **changes})


def pdf_text(document: Receipt) -> str:
    return "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(build_receipt_pdf(document))).pages
    )


@pytest.mark.parametrize(
    ("amount", "written"),
    [(0, "USD 0.00"), (5, "USD 0.05"), (120000, "USD 1,200.00"), (-2500, "-USD 25.00")],
)
def test_money_is_written_with_its_currency_and_two_decimals(amount, written):
    assert money(amount, "usd") == written


def test_numbers_say_what_was_paid_for():
    assert receipt_number("booking", 42) == "B-000042"
    assert receipt_number("programme", 7) == "P-000007"
    assert payment_method("test").startswith("Test payment")
    assert payment_method(None) == "Payment through the site"


def test_a_plain_payment_has_price_and_paid_lines_only():
    assert receipt().lines() == [("Price", "USD 450.00"), ("Paid", "USD 450.00")]


def test_a_discount_and_refunds_appear_with_what_is_left_paid():
    lines = receipt(paid_minor=40000, refunded_minor=20000, refund_pending_minor=5000).lines()
    assert lines == [
        ("Price", "USD 450.00"),
        ("Discount", "-USD 50.00"),
        ("Paid", "USD 400.00"),
        ("Refunded", "-USD 200.00"),
        ("Refund requested, not yet confirmed", "USD 50.00"),
        ("Paid after refunds", "USD 200.00"),
    ]


def test_the_pdf_holds_the_practice_the_payer_the_item_and_the_refund():
    text = pdf_text(receipt(refunded_minor=45000, notes=("Cancelled on 27 November 2026.",)))
    for expected in (
        "Receipt B-000042",
        "Paid on 25 November 2026",
        "Irons Consulting Group",
        "100 Example Avenue, Suite 4",
        "Chicago, IL 60601",
        "Tax number: US-12-3456789",
        "hello@consult.example",
        "Ana Reyes",
        "Smith & Jones <North>",
        "Leadership strategy session with Ms. Irons",
        "Refunded",
        "-USD 450.00",
        "Paid after refunds",
        "USD 0.00",
        "Card payment through Stripe",
        "pi_123",
        "Cancelled on 27 November 2026.",
    ):
        assert expected in text, expected


def test_the_pdf_survives_text_no_pdf_can_hold():
    text = pdf_text(receipt(billed_to=("Zoë\x00 Ng\x1b", "Ünïcode & <b>bold</b>")))
    assert "Zoë Ng" in text and "<b>bold</b>" in text


@pytest.mark.parametrize(
    "name",
    [
        "Νοσοκομείο Αγίας Σοφίας, Θεσσαλονίκη",  # Greek
        "İstanbul Şişli Sağlık Ağı, Çağrı Merkezi ığüö",  # Turkish: dotted İ, dotless ı, ğ, ş
        "Bệnh viện Đa khoa Tỉnh Quảng Ngãi, Phòng khám Ưu tiên",  # Vietnamese: stacked marks
    ],
)
def test_a_payer_named_in_another_script_is_printed_as_written_in_an_embedded_unicode_font(name):
    document = build_receipt_pdf(receipt(billed_to=(name,), item=f"Programme for {name}"))
    reader = PdfReader(io.BytesIO(document))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert name in text and f"Programme for {name}" in text
    fonts = {
        str(font["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts <= {"DejaVuSans", "DejaVuSans-Bold"} and "DejaVuSans" in fonts
