"""Owners buy programmes in the portal (local test provider), see what is left, and cancel by the
policy; members see, never buy; other organisations see nothing.
"""

import re

import pytest

from consult.engagements.models import ProgrammePurchase
from tests.conftest import Auth, csrf_token_from, signed_in_client
from tests.web.booking_flow import free_slots
from tests.web.programme_steps import (
    WORKING,
    book_as,
    buy_with_test_provider,
    calendar,
    credits,
    local,
    make_people,
    make_programme,
    purchases,
)


@pytest.fixture
def shop(app, clock):
    calendar(app)
    programme = make_programme(app, clock)
    organisation, owner, members = make_people(app, clock)
    return programme, organisation, signed_in_client(app, owner), signed_in_client(app, members[0])


def test_an_owner_buys_a_programme_and_its_sessions_become_credits(shop, app):
    programme, organisation, owner, member = shop
    page = owner.get(f"/portal/o/{organisation.public_id}/programmes/").get_data(as_text=True)
    assert "Buy for USD 1,200.00" in page and "3 × Working session" in page
    assert "Fully refunded if cancelled within 14 days with no session used" in page

    landed = buy_with_test_provider(owner, organisation, programme)
    assert "“Partnership quarter” has started." in landed.get_data(as_text=True)
    [purchase] = purchases(app)
    assert (purchase.status, purchase.payment_state, purchase.paid_minor) == (
        "active",
        "paid",
        120000,
    )
    assert purchase.source == "purchase" and purchase.payment_provider == "test"
    assert (purchase.ends_at - purchase.starts_at).days == 90
    assert len(credits(app)) == 3
    shown = member.get(f"/portal/o/{organisation.public_id}/programmes/").get_data(as_text=True)
    assert "Working session on your action plan: <strong>3 left</strong> of 3" in shown
    # Straight to booking for this organisation, which offers its credit first.
    assert f'<a href="/book/working-session/?org={organisation.public_id}">Book one</a>' in shown
    assert "Buy for" not in shown  # members see what is left, owners buy


def test_fulfilment_is_idempotent_whoever_calls_it_and_however_often(shop, app):
    programme, organisation, owner, _ = shop
    buy_with_test_provider(owner, organisation, programme)
    [purchase] = purchases(app)
    for _ in range(3):
        again = owner.get(
            f"/portal/o/{organisation.public_id}/programmes/return"
            f"?session_id={purchase.checkout_session_id}"
        )
        assert again.status_code == 303
    assert len(credits(app)) == 3 and purchases(app)[0].paid_at == purchase.paid_at


def test_an_unpaid_checkout_starts_nothing_and_the_cancel_page_says_so(shop, app, clock):
    programme, organisation, owner, _ = shop
    page = owner.get(f"/portal/o/{organisation.public_id}/programmes/").get_data(as_text=True)
    started = owner.post(
        f"/portal/o/{organisation.public_id}/programmes/buy",
        data={"programme": programme.id, "csrf_token": csrf_token_from(page)},
    )
    checkout = owner.get(started.headers["Location"]).get_data(as_text=True)
    cancel = re.search(r'action="([^"]+/cancel)"', checkout).group(1)
    back = owner.post(cancel, data={"csrf_token": csrf_token_from(checkout)})
    shown = owner.get(local(back.headers["Location"])).get_data(as_text=True)
    assert "nothing was bought or charged" in shown
    [purchase] = purchases(app)
    assert purchase.status == "pending" and credits(app) == []
    assert "Not paid yet" in shown
    clock.advance(minutes=61)  # the checkout has closed: nothing is waiting any more
    later = owner.get(f"/portal/o/{organisation.public_id}/programmes/").get_data(as_text=True)
    assert "Not paid yet" not in later
    swept = app.test_cli_runner().invoke(args=["bookings", "sweep"])
    assert "1 unpaid programme checkout(s) closed" in swept.output
    assert purchases(app)[0].status == "abandoned"


def test_a_free_programme_starts_at_once(app, clock):
    calendar(app)
    free = make_programme(app, clock, name="Pilot", price_minor=0)
    organisation, owner, _ = make_people(app, clock)
    client = signed_in_client(app, owner)
    page = client.get(f"/portal/o/{organisation.public_id}/programmes/").get_data(as_text=True)
    assert "Start it (free)" in page
    response = client.post(
        f"/portal/o/{organisation.public_id}/programmes/buy",
        data={"programme": free.id, "csrf_token": csrf_token_from(page)},
    )
    assert response.status_code == 303
    [purchase] = purchases(app)
    assert purchase.status == "active" and purchase.payment_state == "not_required"
    assert len(credits(app)) == 3


def test_members_cannot_buy_and_outsiders_see_nothing(shop, app, clock):
    programme, organisation, _, member = shop
    page = member.get(f"/portal/o/{organisation.public_id}/programmes/").get_data(as_text=True)
    refused = member.post(
        f"/portal/o/{organisation.public_id}/programmes/buy",
        data={"programme": programme.id, "csrf_token": csrf_token_from(page)},
    )
    assert refused.status_code == 403 and purchases(app) == []
    _, outsider, _ = make_people(app, clock, name="Hilltop", prefix="hilltop", members=0)
    stranger = signed_in_client(app, outsider)
    assert stranger.get(f"/portal/o/{organisation.public_id}/programmes/").status_code == 404
    assert app.test_client().get(f"/portal/o/{organisation.public_id}/programmes/").status_code in (
        302,
        401,
    )


def test_a_programme_no_longer_offered_cannot_be_bought(app, clock):
    calendar(app)
    retired = make_programme(app, clock, is_active=False)
    organisation, owner, _ = make_people(app, clock)
    client = signed_in_client(app, owner)
    page = client.get(f"/portal/o/{organisation.public_id}/programmes/").get_data(as_text=True)
    assert "Partnership quarter" not in page
    response = client.post(
        f"/portal/o/{organisation.public_id}/programmes/buy",
        data={"programme": retired.id, "csrf_token": csrf_token_from(page)},
    )
    assert response.status_code == 409 and "no longer offered" in response.get_data(as_text=True)
    assert purchases(app) == []


def cancel_as_owner(owner, organisation, purchase):
    path = f"/portal/o/{organisation.public_id}/programmes/{purchase.public_id}/cancel"
    page = owner.get(path).get_data(as_text=True)
    return page, owner.post(path, data={"csrf_token": csrf_token_from(page)})


def test_cancelling_early_with_nothing_used_refunds_everything(shop, app):
    programme, organisation, owner, _ = shop
    buy_with_test_provider(owner, organisation, programme)
    page, response = cancel_as_owner(owner, organisation, purchases(app)[0])
    assert "You get USD 1,200.00 back." in page and response.status_code == 303
    [purchase] = purchases(app)
    assert purchase.status == "cancelled" and purchase.cancelled_by == "owner"
    assert (purchase.payment_state, purchase.refunded_minor) == ("refunded", 120000)


def test_after_a_session_the_refund_is_the_smaller_share_and_credits_stop(shop, app, clock):
    programme, organisation, owner, member = shop
    buy_with_test_provider(owner, organisation, programme)
    start = free_slots(member, WORKING, "2026-11-30")[0]
    assert book_as(member, WORKING, start, f"credit:{organisation.public_id}").status_code == 303
    clock.advance(days=30)  # 60 of 90 days left; 2 of 3 sessions unused
    # A month on, both sign in again (make_people's owner and first member).
    Auth(owner).sign_in("riverside0@clinic.example")
    Auth(member).sign_in("riverside1@clinic.example")
    page, response = cancel_as_owner(owner, organisation, purchases(app)[0])
    assert "You get USD 800.00 back." in page
    assert "2 of 3 sessions are not used" in page
    [purchase] = purchases(app)
    assert purchase.refunded_minor == 80000 and purchase.payment_state == "partially_refunded"
    # A second cancellation is refused and refunds nothing more.
    _, again = cancel_as_owner(owner, organisation, purchase)
    assert again.status_code == 409 and purchases(app)[0].refunded_minor == 80000
    later = free_slots(member, WORKING, "2027-01-04")[0]
    assert book_as(member, WORKING, later, f"credit:{organisation.public_id}").status_code == 409


def test_another_organisations_purchase_cannot_be_cancelled(shop, app, clock):
    programme, organisation, owner, _ = shop
    buy_with_test_provider(owner, organisation, programme)
    other, other_owner, _ = make_people(app, clock, name="Hilltop", prefix="hilltop", members=0)
    intruder = signed_in_client(app, other_owner)
    purchase = purchases(app)[0]
    path = f"/portal/o/{other.public_id}/programmes/{purchase.public_id}/cancel"
    assert intruder.get(path).status_code == 404
    page = intruder.get(f"/portal/o/{other.public_id}/programmes/").get_data(as_text=True)
    assert intruder.post(path, data={"csrf_token": csrf_token_from(page)}).status_code == 404
    assert purchases(app)[0].status == "active"


def test_the_organisation_page_links_to_programmes(shop):
    _, organisation, owner, _ = shop
    page = owner.get(f"/portal/o/{organisation.public_id}/").get_data(as_text=True)
    assert f"/portal/o/{organisation.public_id}/programmes/" in page


def test_purchase_rows_keep_what_was_bought_when_the_programme_changes(shop, app, clock):
    from consult.db import get_session
    from consult.engagements.catalogue import ProgrammeTerms, save_programme
    from consult.engagements.models import Programme

    programme, organisation, owner, _ = shop
    buy_with_test_provider(owner, organisation, programme)
    with app.app_context():
        db = get_session()
        save_programme(
            session=db,
            programme=db.get(Programme, programme.id),
            terms=ProgrammeTerms("Renamed", "", 1, "usd", 10, 0, 0, True),
            sessions_by_type={},
            now=clock(),
        )
        db.commit()
        kept = db.get(ProgrammePurchase, purchases(app)[0].id)
        assert (kept.name, kept.duration_days, kept.amount_minor) == (
            "Partnership quarter",
            90,
            120000,
        )
    assert len(credits(app)) == 3


def test_the_buyers_data_download_lists_what_they_bought(shop, app):
    programme, organisation, owner, member = shop
    buy_with_test_provider(owner, organisation, programme)
    [bought] = owner.get("/accounts/data.json").get_json()["programmes_bought"]
    assert (bought["programme"], bought["status"], bought["paid_minor"]) == (
        "Partnership quarter",
        "active",
        120000,
    )
    assert member.get("/accounts/data.json").get_json()["programmes_bought"] == []
