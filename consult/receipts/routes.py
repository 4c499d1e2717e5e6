"""Receipt pages and PDFs: for a guest through their booking's secret link, for members and
owners in their organisation's portal, and for the consultant in the admin.

Every route checks who is asking; a receipt someone may not see is a 404, so another
organisation cannot even learn that it exists.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlmodel import select

from consult.accounts.access import require_consultant
from consult.booking.models import Booking
from consult.booking.service import find_by_access_token
from consult.db import get_session, looks_like_identifier
from consult.engagements.models import ProgrammePurchase
from consult.portal.routes import _access
from consult.receipts.document import Receipt
from consult.receipts.pdf import build_receipt_pdf
from consult.receipts.service import (
    booking_receipt,
    may_see_in_portal,
    portal_payments,
    practice_details,
    purchase_receipt,
)
from consult.site.identity import SiteIdentity
from consult.urls import site_root

blueprint = Blueprint("receipts", __name__)


def _site() -> SiteIdentity:
    site: SiteIdentity = current_app.extensions["consult.site"]
    return site


def _receipt_of(record: Booking | ProgrammePurchase) -> Receipt:
    """The record's receipt; a payment without one (free, credit, grant) is a 404."""
    practice = practice_details(_site(), site_root())
    zone = _site().time_zone
    if isinstance(record, Booking):
        receipt = booking_receipt(get_session(), record, practice=practice, site_zone=zone)
    else:
        receipt = purchase_receipt(get_session(), record, practice=practice, site_zone=zone)
    if receipt is None:
        abort(404)
    return receipt


def _respond(receipt: Receipt, *, pdf: bool, back_url: str | None) -> ResponseReturnValue:
    """The receipt as a page or a PDF download; private either way, so never cached."""
    if pdf:
        response = current_app.response_class(
            build_receipt_pdf(receipt),
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="receipt-{receipt.number}.pdf"'},
        )
    else:
        response = current_app.make_response(
            render_template("receipts/receipt.html", receipt=receipt, back_url=back_url)
        )
    response.headers["Cache-Control"] = "no-store"
    return response


def _record(kind: str, public_id: str) -> Booking | ProgrammePurchase | None:
    if not looks_like_identifier(public_id):
        return None
    if kind == "booking":
        return get_session().exec(select(Booking).where(Booking.public_id == public_id)).first()
    if kind == "programme":
        return (
            get_session()
            .exec(select(ProgrammePurchase).where(ProgrammePurchase.public_id == public_id))
            .first()
        )
    return None


def _guest(token: str, *, pdf: bool) -> ResponseReturnValue:
    booking = find_by_access_token(get_session(), token)
    if booking is None:
        abort(404)
    return _respond(_receipt_of(booking), pdf=pdf, back_url=url_for("booking.manage", token=token))


@blueprint.get("/book/manage/<token>/receipt")
def guest_receipt(token: str) -> ResponseReturnValue:
    """The guest's receipt, through the secret link in their e-mails."""
    return _guest(token, pdf=False)


@blueprint.get("/book/manage/<token>/receipt.pdf")
def guest_receipt_pdf(token: str) -> ResponseReturnValue:
    """The same receipt as a PDF."""
    return _guest(token, pdf=True)


@blueprint.get("/portal/o/<organisation_id>/receipts/")
def portal_receipts(organisation_id: str) -> ResponseReturnValue:
    """An organisation's receipts: all of them for owners, a member's own payments for them."""
    access = _access(organisation_id)
    bookings, bought = portal_payments(get_session(), access.organisation)
    user_id = None if access.is_consultant else current_user.id

    def visible(record: Booking | ProgrammePurchase) -> bool:
        return may_see_in_portal(
            record,
            organisation=access.organisation,
            user_id=user_id,
            is_owner=access.is_owner,
            is_consultant=access.is_consultant,
        )

    response = current_app.make_response(
        render_template(
            "receipts/list.html",
            access=access,
            bookings=[booking for booking in bookings if visible(booking)],
            purchases=[purchase for purchase in bought if visible(purchase)],
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _in_portal(
    organisation_id: str, kind: str, public_id: str, *, pdf: bool
) -> ResponseReturnValue:
    access = _access(organisation_id)
    record = _record(kind, public_id)
    if record is None or not may_see_in_portal(
        record,
        organisation=access.organisation,
        user_id=None if access.is_consultant else current_user.id,
        is_owner=access.is_owner,
        is_consultant=access.is_consultant,
    ):
        abort(404)
    back = url_for("receipts.portal_receipts", organisation_id=organisation_id)
    return _respond(_receipt_of(record), pdf=pdf, back_url=back)


@blueprint.get("/portal/o/<organisation_id>/receipts/<kind>/<public_id>")
def portal_receipt(organisation_id: str, kind: str, public_id: str) -> ResponseReturnValue:
    """One receipt in the portal (`kind` is booking or programme), for the organisation's
    owners and whoever paid it.
    """
    return _in_portal(organisation_id, kind, public_id, pdf=False)


@blueprint.get("/portal/o/<organisation_id>/receipts/<kind>/<public_id>.pdf")
def portal_receipt_pdf(organisation_id: str, kind: str, public_id: str) -> ResponseReturnValue:
    """The same receipt as a PDF."""
    return _in_portal(organisation_id, kind, public_id, pdf=True)


def _for_consultant(kind: str, public_id: str, *, pdf: bool) -> ResponseReturnValue:
    refusal = require_consultant()
    if refusal is not None:
        return refusal
    record = _record(kind, public_id)
    if record is None:
        abort(404)
    return _respond(_receipt_of(record), pdf=pdf, back_url=None)


@blueprint.get("/admin/receipts/<kind>/<public_id>")
def admin_receipt(kind: str, public_id: str) -> ResponseReturnValue:
    """Any receipt (`kind` is booking or programme), for the consultant."""
    return _for_consultant(kind, public_id, pdf=False)


@blueprint.get("/admin/receipts/<kind>/<public_id>.pdf")
def admin_receipt_pdf(kind: str, public_id: str) -> ResponseReturnValue:
    """The same receipt as a PDF."""
    return _for_consultant(kind, public_id, pdf=True)
