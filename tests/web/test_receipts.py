"""Receipts of bookings and programmes: the payer and the organisation's owners see them, as a
page and a PDF, with the practice's details and any refund; nobody else does.
"""

import io

import pytest
from pypdf import PdfReader

from tests.conftest import csrf_token_from, signed_in_client
from tests.web.booking_flow import (
    book,
    bookings,
    free_slots,
    manage_path,
    paid_booking,
    pay_with_test_provider,
)
from tests.web.programme_steps import (
    WORKING,
    book_as,
    buy_with_test_provider,
    calendar,
    grant,
    make_people,
    make_programme,
    purchases,
)


def pdf_text(response):
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="receipt-')
    assert response.headers["Cache-Control"] == "no-store"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def test_a_guest_gets_the_receipt_of_a_paid_booking_through_their_link(booking_app, guest):
    paid_booking(booking_app, guest)
    path = manage_path(booking_app)
    manage = guest.get(path).get_data(as_text=True)
    assert f'href="{path}/receipt"' in manage
    page = guest.get(path + "/receipt")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert f'href="{path}/receipt.pdf"' in html
    [booking] = bookings(booking_app)
    for expected in (
        f"Receipt B-{booking.id:06d}",
        "Irons Consulting Group",
        "100 Example Avenue, Suite 4",
        "hello@consult.example",
        "Ana Reyes",
        "Riverside Clinic",
        "Leadership strategy session",
        "USD 450.00",
        "Test payment",
    ):
        assert expected in html, expected
    assert "Refunded" not in html
    text = pdf_text(guest.get(path + "/receipt.pdf"))
    assert f"Receipt B-{booking.id:06d}" in text and "USD 450.00" in text


def test_a_refund_appears_on_the_receipt_after_a_cancellation(booking_app, guest):
    paid_booking(booking_app, guest)
    path = manage_path(booking_app)
    page = guest.get(path + "/cancel").get_data(as_text=True)  # the confirmation step
    guest.post(path + "/cancel", data={"csrf_token": csrf_token_from(page)})
    html = guest.get(path + "/receipt").get_data(as_text=True)
    assert "Refunded" in html and "-USD 450.00" in html and "Cancelled on" in html
    text = pdf_text(guest.get(path + "/receipt.pdf"))
    assert "Paid after refunds" in text and "USD 0.00" in text


def test_free_bookings_have_no_receipt_and_a_wrong_link_finds_nothing(booking_app, guest):
    start = free_slots(guest, "discovery-call", "2026-11-30")[0]
    book(guest, "discovery-call", start)
    path = manage_path(booking_app)
    assert "/receipt" not in guest.get(path).get_data(as_text=True)
    assert guest.get(path + "/receipt").status_code == 404
    assert guest.get("/book/manage/not-a-token/receipt.pdf").status_code == 404


@pytest.fixture
def organisation_payments(app, clock):
    """Riverside's owner bought a programme; member 1 paid a session for Riverside, member 2
    nothing. Hilltop is another organisation with its own owner.
    """
    calendar(app)
    programme = make_programme(app, clock)
    organisation, owner, members = make_people(app, clock)
    owner_client = signed_in_client(app, owner)
    buy_with_test_provider(owner_client, organisation, programme)
    payer = signed_in_client(app, members[0])
    start = free_slots(payer, WORKING, "2026-11-30")[0]
    held = book_as(payer, WORKING, start, f"org:{organisation.public_id}")
    pay_with_test_provider(payer, held)
    payer.get(f"/book/return?session_id={bookings(app)[-1].checkout_session_id}")
    other, other_owner, _ = make_people(app, clock, name="Hilltop", prefix="hilltop", members=0)
    return {
        "organisation": organisation,
        "owner": owner_client,
        "payer": payer,
        "bystander": signed_in_client(app, members[1]),
        "outsider": signed_in_client(app, other_owner),
        "other": other,
        "purchase": purchases(app)[0],
        "booking": bookings(app)[-1],
    }


def receipt_path(organisation, kind, public_id):
    return f"/portal/o/{organisation.public_id}/receipts/{kind}/{public_id}"


def test_the_owner_sees_every_receipt_of_the_organisation(organisation_payments, app):
    world = organisation_payments
    organisation, owner = world["organisation"], world["owner"]
    listing = owner.get(f"/portal/o/{organisation.public_id}/receipts/").get_data(as_text=True)
    programme_path = receipt_path(organisation, "programme", world["purchase"].public_id)
    booking_path = receipt_path(organisation, "booking", world["booking"].public_id)
    assert programme_path in listing and booking_path in listing
    html = owner.get(programme_path).get_data(as_text=True)
    assert f"Receipt P-{world['purchase'].id:06d}" in html
    assert "Programme: Partnership quarter" in html and "Includes 3 × Working session" in html
    assert "Riverside Clinic" in html and "USD 1,200.00" in html
    text = pdf_text(owner.get(programme_path + ".pdf"))
    assert (
        "Programme: Partnership quarter" in text and "25 November 2026 to 23 February 2027" in text
    )
    assert owner.get(booking_path).status_code == 200
    programmes_page = owner.get(f"/portal/o/{organisation.public_id}/programmes/")
    assert programme_path in programmes_page.get_data(as_text=True)


def test_a_member_sees_only_what_they_paid(organisation_payments):
    world = organisation_payments
    organisation = world["organisation"]
    programme_path = receipt_path(organisation, "programme", world["purchase"].public_id)
    booking_path = receipt_path(organisation, "booking", world["booking"].public_id)
    payer, bystander = world["payer"], world["bystander"]
    listing = payer.get(f"/portal/o/{organisation.public_id}/receipts/").get_data(as_text=True)
    assert booking_path in listing and programme_path not in listing
    assert payer.get(booking_path).status_code == 200
    assert payer.get(booking_path + ".pdf").status_code == 200
    assert payer.get(programme_path).status_code == 404
    assert bystander.get(booking_path).status_code == 404
    assert bystander.get(programme_path + ".pdf").status_code == 404
    empty = bystander.get(f"/portal/o/{organisation.public_id}/receipts/").get_data(as_text=True)
    assert "No payments yet." in empty


def test_another_organisation_never_sees_a_receipt(organisation_payments, app):
    world = organisation_payments
    outsider, other = world["outsider"], world["other"]
    for kind, public_id in (
        ("programme", world["purchase"].public_id),
        ("booking", world["booking"].public_id),
    ):
        assert outsider.get(receipt_path(world["organisation"], kind, public_id)).status_code == 404
        assert outsider.get(receipt_path(other, kind, public_id)).status_code == 404
        assert outsider.get(receipt_path(other, kind, public_id) + ".pdf").status_code == 404
    listing = outsider.get(f"/portal/o/{other.public_id}/receipts/").get_data(as_text=True)
    assert "Partnership quarter" not in listing
    anonymous = app.test_client().get(
        receipt_path(world["organisation"], "programme", world["purchase"].public_id)
    )
    assert anonymous.status_code == 302 and "/accounts/sign-in" in anonymous.headers["Location"]
    assert (
        world["owner"]
        .get(receipt_path(world["organisation"], "invoice", world["purchase"].public_id))
        .status_code
        == 404
    )


def test_the_consultant_reads_any_receipt_and_clients_cannot_use_her_addresses(
    organisation_payments, app, consultant
):
    world = organisation_payments
    admin = signed_in_client(app, consultant)
    purchase, booking = world["purchase"], world["booking"]
    assert admin.get(f"/admin/receipts/programme/{purchase.public_id}").status_code == 200
    assert admin.get(f"/admin/receipts/booking/{booking.public_id}.pdf").status_code == 200
    detail = admin.get(f"/admin/bookings/{booking.public_id}/").get_data(as_text=True)
    assert f"/admin/receipts/booking/{booking.public_id}" in detail
    assert world["owner"].get(f"/admin/receipts/programme/{purchase.public_id}").status_code == 403
    assert app.test_client().get(f"/admin/receipts/booking/{booking.public_id}").status_code == 302


def test_a_grant_has_no_receipt(app, clock, consultant):
    calendar(app)
    organisation, owner, _ = make_people(app, clock)
    purchase = grant(app, clock, make_programme(app, clock), organisation, consultant)
    client = signed_in_client(app, owner)
    path = receipt_path(organisation, "programme", purchase.public_id)
    assert client.get(path).status_code == 404
    admin = signed_in_client(app, consultant)
    assert admin.get(f"/admin/receipts/programme/{purchase.public_id}").status_code == 404
