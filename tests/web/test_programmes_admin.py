"""The consultant defines programmes, grants one with a note, and cancels purchases with a refund
she chooses; bad input is answered at the field with the rest kept.
"""

import pytest
from sqlmodel import select

from consult.db import get_session
from consult.engagements.models import Programme, ProgrammeInclusion
from tests.conftest import signed_in_client, submit_form
from tests.web.programme_steps import (
    WORKING,
    buy_with_test_provider,
    calendar,
    credits,
    make_people,
    make_programme,
    purchases,
    type_id,
)

GOOD = {
    "name": "Partnership quarter",
    "description": "Three **working sessions** on your plan.",
    "price": "1,200.00",
    "currency": "usd",
    "duration_days": "90",
    "included_rounds": "1",
    "full_refund_days": "14",
    "is_active": "y",
}


@pytest.fixture
def admin(app, consultant):
    calendar(app)
    return signed_in_client(app, consultant)


def programmes(app):
    with app.app_context():
        return list(get_session().exec(select(Programme)).all())


def inclusions(app):
    with app.app_context():
        return [
            (row.consultation_type_id, row.sessions)
            for row in get_session().exec(select(ProgrammeInclusion)).all()
        ]


def test_the_consultant_defines_a_programme_with_sessions_per_type(app, admin):
    working = type_id(app, WORKING)
    response = submit_form(admin, "/admin/programmes/new", {**GOOD, f"sessions_{working}": "3"})
    assert response.status_code == 303
    [programme] = programmes(app)
    assert (programme.price_minor, programme.duration_days, programme.included_rounds) == (
        120000,
        90,
        1,
    )
    assert inclusions(app) == [(working, 3)]
    listing = admin.get("/admin/programmes/").get_data(as_text=True)
    assert "USD 1,200.00" in listing and "3 × Working session on your action plan" in listing
    edit = admin.get(f"/admin/programmes/{programme.id}/").get_data(as_text=True)
    assert 'value="1200.00"' in edit and f'id="sessions_{working}"' in edit
    submit_form(
        admin,
        f"/admin/programmes/{programme.id}/",
        {**GOOD, "price": "0", f"sessions_{working}": "0"},
    )
    assert programmes(app)[0].is_free and inclusions(app) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "NaN", "Use a price from 0 to 1,000,000"),
        ("price", "Infinity", "Use a price from 0 to 1,000,000"),
        ("price", "-5", "Use a price from 0 to 1,000,000"),
        ("price", "12.345", "at most two decimals"),
        ("price", "1e9", "Use a price from 0 to 1,000,000"),
        ("price", "twelve", "Write the price as a number"),
        ("name", "Quarter\x00", "without invisible control characters"),
        ("name", "", "Give the programme a name."),
        ("duration_days", "0", "From 1 to 3,650 days."),
        ("duration_days", "99999999999999999999", "From 1 to 3,650 days."),
        ("full_refund_days", "-1", "From 0 to 365 days."),
        ("sessions", "-2", "From 0 to 100 sessions."),
        ("sessions", "1000", "From 0 to 100 sessions."),
        ("description", "a\x1bb", "invisible control characters"),
    ],
)
def test_bad_input_is_answered_at_the_field_with_the_rest_kept(app, admin, field, value, message):
    working = type_id(app, WORKING)
    name = f"sessions_{working}" if field == "sessions" else field
    data = {**GOOD, "name": "Kept name" if field != "name" else value, name: value}
    response = submit_form(admin, "/admin/programmes/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:300]
    assert message in html
    if field != "name":
        assert 'value="Kept name"' in html
    assert programmes(app) == []


def test_a_grant_needs_a_note_and_starts_the_programme_at_once(app, admin, clock):
    programme = make_programme(app, clock)
    organisation, *_ = make_people(app, clock)
    page = "/admin/programmes/grant"
    data = {"organisation": organisation.public_id, "programme": str(programme.id)}
    refused = submit_form(admin, page, {**data, "note": ""})
    assert refused.status_code == 422 and "Write a note" in refused.get_data(as_text=True)
    assert purchases(app) == []
    granted = submit_form(admin, page, {**data, "note": "Invoice 2026-041, paid by bank transfer"})
    assert granted.status_code == 303
    [purchase] = purchases(app)
    assert (purchase.source, purchase.status, purchase.payment_state) == (
        "grant",
        "active",
        "not_required",
    )
    assert purchase.note == "Invoice 2026-041, paid by bank transfer" and len(credits(app)) == 3
    detail = admin.get(granted.headers["Location"]).get_data(as_text=True)
    assert "Granted: Invoice 2026-041" in detail and "0 used, 3 left of 3" in detail
    assert "Receipt" not in detail  # nothing was paid through the site
    forged = submit_form(admin, page, {**data, "organisation": "nope", "note": "x"})
    assert forged.status_code == 422 and len(purchases(app)) == 1


@pytest.mark.parametrize(
    ("refund", "refunded"), [("full", 120000), ("none", 0), ("policy", 120000)]
)
def test_the_consultant_cancels_a_purchase_with_the_refund_she_chooses(
    app, admin, clock, refund, refunded
):
    programme = make_programme(app, clock)
    organisation, owner, _ = make_people(app, clock)
    buy_with_test_provider(signed_in_client(app, owner), organisation, programme)
    [purchase] = purchases(app)
    path = f"/admin/programmes/purchases/{purchase.public_id}/"
    page = admin.get(path).get_data(as_text=True)
    assert "By the policy now: <strong>USD 1,200.00</strong>" in page
    response = submit_form(admin, path + "cancel", {"refund": refund}, page=path)
    assert response.status_code == 303
    [purchase] = purchases(app)
    assert purchase.status == "cancelled" and purchase.cancelled_by == "consultant"
    assert purchase.refunded_minor == refunded


def test_an_unknown_refund_choice_is_refused_and_nothing_changes(app, admin, clock):
    programme = make_programme(app, clock)
    organisation, owner, _ = make_people(app, clock)
    buy_with_test_provider(signed_in_client(app, owner), organisation, programme)
    path = f"/admin/programmes/purchases/{purchases(app)[0].public_id}/"
    response = submit_form(admin, path + "cancel", {"refund": "double"}, page=path)
    assert response.status_code == 422
    assert purchases(app)[0].status == "active" and purchases(app)[0].refunded_minor == 0


def test_clients_cannot_reach_the_programme_admin(app, clock, client_member_client):
    calendar(app)
    assert client_member_client.get("/admin/programmes/").status_code == 403
    assert client_member_client.get("/admin/programmes/new").status_code == 403


def test_the_dashboard_links_to_programmes(admin):
    assert "/admin/programmes/" in admin.get("/admin/").get_data(as_text=True)
