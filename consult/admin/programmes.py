"""The consultant's programme pages: define programmes, grant one, follow and cancel purchases."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlmodel import col, select

# types-WTForms 3.2 predates SelectChoice (WTForms 3.3), which replaces the deprecated tuples.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from consult.admin.routes import blueprint
from consult.booking.models import Booking, ConsultationType
from consult.clock import app_now
from consult.db import (
    MAX_ROW_ID,
    begin_as_writer,
    get_session,
    id_of,
    looks_like_identifier,
)
from consult.engagements import cancellation, catalogue, credits, purchases
from consult.engagements.forms import ConsultantCancelForm, GrantForm, programme_form_for
from consult.engagements.models import Programme, ProgrammeCredit, ProgrammePurchase
from consult.engagements.rounds import included_rounds_used
from consult.payments.selection import current_provider
from consult.portal.models import Organisation
from consult.receipts.document import money


def _types() -> list[ConsultationType]:
    return list(
        get_session()
        .exec(
            select(ConsultationType).order_by(
                col(ConsultationType.position), col(ConsultationType.id)
            )
        )
        .all()
    )


@blueprint.get("/programmes/")
def programmes() -> str:
    db = get_session()
    rows = db.exec(
        select(ProgrammePurchase, Organisation)
        .join(Organisation, col(Organisation.id) == col(ProgrammePurchase.organisation_id))
        .where(ProgrammePurchase.status != "abandoned")
        .order_by(col(ProgrammePurchase.created_at).desc())
        .limit(200)
    ).all()
    offered = catalogue.all_programmes(db)
    return render_template(
        "admin/programmes.html",
        programmes=offered,
        inclusions={programme.id: purchases.inclusions_of(db, programme) for programme in offered},
        purchase_rows=rows,
        balances=credits.balances(db, [id_of(purchase) for purchase, _ in rows]),
        now=app_now(),
    )


@blueprint.route("/programmes/new", methods=["GET", "POST"])
@blueprint.route(
    f"/programmes/<int(min=1, max={MAX_ROW_ID}):programme_id>/", methods=["GET", "POST"]
)
def edit_programme(programme_id: int | None = None) -> ResponseReturnValue:
    db = get_session()
    programme = db.get(Programme, programme_id) if programme_id is not None else None
    if programme_id is not None and programme is None:
        abort(404)
    form = programme_form_for(_types(), programme=programme)
    if programme is not None and not form.is_submitted():
        form.price.data = f"{programme.price_minor / 100:.2f}"
        included = {
            inclusion.consultation_type_id: inclusion.sessions
            for inclusion, _ in purchases.inclusions_of(db, programme)
        }
        for type_id, field in form.session_fields():
            field.data = included.get(type_id, 0)
    if form.validate_on_submit():
        saved = catalogue.save_programme(
            session=db,
            programme=programme,
            terms=form.terms(),
            sessions_by_type=form.sessions_by_type(),
            now=app_now(),
        )
        db.commit()
        flash(f"Saved “{saved.name}”.", "success")
        return redirect(url_for("admin.programmes"), 303)
    return render_template(
        "admin/programme_form.html", form=form, programme=programme
    ), 422 if form.errors else 200


@blueprint.route("/programmes/grant", methods=["GET", "POST"])
def grant_programme() -> ResponseReturnValue:
    db = get_session()
    form = GrantForm()
    organisations = db.exec(select(Organisation).order_by(col(Organisation.name))).all()
    form.organisation.choices = [
        SelectChoice(organisation.public_id, organisation.name) for organisation in organisations
    ]
    form.programme.choices = [
        SelectChoice(id_of(programme), programme.name) for programme in catalogue.all_programmes(db)
    ]
    if form.validate_on_submit():
        organisation = next(o for o in organisations if o.public_id == form.organisation.data)
        purchase = purchases.grant_programme(
            session=db,
            programme=db.get_one(Programme, form.programme.data),
            organisation=organisation,
            consultant=current_user,
            note=form.note.data or "",
            now=app_now(),
        )
        db.commit()
        flash(f"{organisation.name} now has “{purchase.name}”.", "success")
        return redirect(url_for("admin.programme_purchase", public_id=purchase.public_id), 303)
    return render_template("admin/programme_grant.html", form=form), 422 if form.errors else 200


def _purchase_or_404(public_id: str) -> ProgrammePurchase:
    if not looks_like_identifier(public_id):
        abort(404)
    purchase = (
        get_session()
        .exec(select(ProgrammePurchase).where(ProgrammePurchase.public_id == public_id))
        .first()
    )
    if purchase is None:
        abort(404)
    return purchase


def _purchase_page(
    purchase: ProgrammePurchase, form: ConsultantCancelForm, status: int = 200
) -> tuple[str, int]:
    db = get_session()
    used = db.exec(
        select(Booking, ConsultationType)
        .join(ProgrammeCredit, col(ProgrammeCredit.booking_id) == col(Booking.id))
        .join(ConsultationType, col(ConsultationType.id) == col(Booking.consultation_type_id))
        .where(ProgrammeCredit.purchase_id == purchase.id)
        .order_by(col(Booking.starts_at))
    ).all()
    return render_template(
        "admin/programme_purchase.html",
        purchase=purchase,
        organisation=db.get(Organisation, purchase.organisation_id),
        balances=credits.balances(db, [id_of(purchase)]).get(id_of(purchase), []),
        types={id_of(kind): kind for kind in _types()},
        used=used,
        quote=cancellation.refund_quote(db, purchase, now=app_now()),
        rounds_used=included_rounds_used(db, [purchase.organisation_id]).get(id_of(purchase), 0),
        form=form,
    ), status


@blueprint.get("/programmes/purchases/<public_id>/")
def programme_purchase(public_id: str) -> ResponseReturnValue:
    return _purchase_page(_purchase_or_404(public_id), ConsultantCancelForm(formdata=None))


@blueprint.post("/programmes/purchases/<public_id>/cancel")
def cancel_programme_purchase(public_id: str) -> ResponseReturnValue:
    db = get_session()
    begin_as_writer(db)
    if not looks_like_identifier(public_id):
        abort(404)
    purchase = purchases.find_purchase_for_update(db, public_id=public_id)
    if purchase is None:
        abort(404)
    form = ConsultantCancelForm()
    if not form.validate_on_submit():
        return _purchase_page(purchase, form, 422)
    try:
        amount = cancellation.cancel_purchase(
            session=db,
            provider=current_provider(),
            purchase=purchase,
            by="consultant",
            refund=form.refund.data,
            now=app_now(),
        )
    except purchases.PurchaseError as refusal:
        db.rollback()
        form.refund.errors = [str(refusal)]
        return _purchase_page(_purchase_or_404(public_id), form, 409)
    db.commit()
    flash(f"Cancelled; {money(amount, purchase.currency)} to be refunded.", "success")
    return redirect(url_for("admin.programme_purchase", public_id=public_id), 303)
