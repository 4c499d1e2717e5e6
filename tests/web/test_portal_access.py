"""Every portal route of an organisation, asked by each kind of person.

A signed-out visitor, an outsider, a plain member and the owner.
"""

from datetime import timedelta

import pytest
from sqlmodel import select

from consult.accounts.service import create_user
from consult.db import get_session
from consult.engagements.catalogue import ProgrammeTerms, save_programme
from consult.engagements.purchases import activate, start_purchase
from consult.portal import service
from consult.portal.models import ActionItem, Response
from consult.portal.rounds import close_round
from tests.conftest import TEST_PASSWORD, csrf_token_from, signed_in_client
from tests.web.timeline_steps import booked_consultation

OWNER_ONLY = {
    "portal.remove_member",
    "portal.hand_ownership",
    "portal.resend_invitation",
    "portal.revoke_invitation",
    "portal.open_round",
    "portal.close",
    "portal.update_action",
    "portal.add_note",
    "portal.round_progress",
    "portal.activity",
    "engagements.buy",
    "engagements.cancel",
}
CONSULTANT_ONLY = {"portal.individual_responses"}
# A receipt is the owner's and its payer's (here the owner paid): a plain member gets 404.
OWNER_OR_PAYER = {"receipts.portal_receipt", "receipts.portal_receipt_pdf"}
# The return from a checkout this organisation did not start finds nothing, for anyone.
CHECKOUT_ONLY = {"engagements.payment_return"}
# Only the member who booked a consultation (here the owner) manages it: anyone else gets 404.
BOOKER_ONLY = {"portal.manage_booking"}


@pytest.fixture
def world(app, clock):
    """Organisation A (owner, member, a closed round with a plan) and B (an outsider's)."""
    with app.app_context():
        db = get_session()
        assessment = app.extensions["consult.assessments"].current()
        people = {
            name: create_user(
                session=db,
                email=f"{name}@example.org",
                name=name.title(),
                password=TEST_PASSWORD,
                role="client",
                now=clock(),
            )
            for name in ("owner", "member", "third", "outsider")
        }
        home = service.create_organisation(session=db, name="A", now=clock())
        other = service.create_organisation(session=db, name="B", now=clock())
        for name, role in (("owner", "owner"), ("member", "member"), ("third", "member")):
            service.add_member(
                session=db,
                organisation=home,
                user=people[name],
                role=role,
                role_group="staff",
                now=clock(),
            )
        service.add_member(
            session=db,
            organisation=other,
            user=people["outsider"],
            role="owner",
            role_group="staff",
            now=clock(),
        )
        assessment_round = service.open_round(
            session=db,
            organisation=home,
            definition=assessment,
            name="R",
            closes_on=clock().date(),
            today=clock().date(),
            now=clock(),
        )
        for name in ("owner", "member", "third"):
            db.add(
                Response(
                    round_id=assessment_round.id,
                    user_id=people[name].id,
                    role_group="staff",
                    started_at=clock(),
                    updated_at=clock(),
                    submitted_at=clock(),
                    answers={
                        question.key: 3
                        for question in assessment.questions
                        if question.kind != "text"
                    },
                )
            )
        db.flush()
        close_round(
            session=db, assessment_round=assessment_round, definition=assessment, now=clock()
        )
        action = db.exec(select(ActionItem)).first()
        purchase = paid_programme(db, home, people["owner"], clock)
        booking = booked_consultation(
            db,
            clock,
            organisation=home,
            booker=people["owner"],
            starts_at=clock() + timedelta(days=3),
        )
        db.commit()
        return {
            "people": people,
            "values": {
                "organisation_id": home.public_id,
                "round_id": assessment_round.public_id,
                "action_id": action.public_id,
                "number": 1,
                "kind": "programme",
                "public_id": purchase.public_id,
                "booking_id": booking.public_id,
            },
        }


def paid_programme(db, organisation, owner, clock):
    """A programme the owner bought and paid for (as fulfilment leaves it)."""
    programme = save_programme(
        session=db,
        programme=None,
        terms=ProgrammeTerms("P", "", 1000, "usd", 30, 0, 14, True),
        sessions_by_type={},
        now=clock(),
    )
    purchase = start_purchase(
        session=db, programme=programme, organisation=organisation, buyer=owner, now=clock()
    )
    purchase.payment_state, purchase.paid_at, purchase.paid_minor = "paid", clock(), 1000
    activate(session=db, purchase=purchase, now=clock())
    return purchase


def portal_routes(app, values):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/portal/o/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, rule.build(values, append_unknown=False)[1]


def ask(client, method, path, token):
    return client.get(path) if method == "GET" else client.post(path, data={"csrf_token": token})


def test_every_route_refuses_whoever_should_not_see_it(app, world):
    routes = list(portal_routes(app, world["values"]))
    assert len(routes) >= 15
    visitor = app.test_client()
    visitor_token = csrf_token_from(visitor.get("/portal/").get_data(as_text=True))
    clients = {
        name: signed_in_client(app, world["people"][name])
        for name in ("outsider", "member", "owner")
    }
    tokens = {
        name: csrf_token_from(client.get("/portal/").get_data(as_text=True))
        for name, client in clients.items()
    }
    for endpoint, method, path in routes:
        signed_out = ask(visitor, method, path, visitor_token)
        assert (
            signed_out.status_code == 302 and "/accounts/sign-in" in signed_out.headers["Location"]
        ), (endpoint, method)
        assert ask(clients["outsider"], method, path, tokens["outsider"]).status_code == 404, (
            endpoint,
            method,
        )
        member_status = ask(clients["member"], method, path, tokens["member"]).status_code
        if endpoint in CONSULTANT_ONLY:
            assert member_status == 404, (endpoint, method)
            assert ask(clients["owner"], method, path, tokens["owner"]).status_code == 404, (
                endpoint,
                method,
            )
        elif endpoint in OWNER_ONLY or (endpoint == "portal.members" and method == "POST"):
            assert member_status == 403, (endpoint, method, member_status)
        elif endpoint in OWNER_OR_PAYER:
            assert member_status == 404, (endpoint, method)
            assert ask(clients["owner"], method, path, tokens["owner"]).status_code == 200
        elif endpoint in BOOKER_ONLY:
            assert member_status == 404, (endpoint, method)
            assert ask(clients["owner"], method, path, tokens["owner"]).status_code == 303
        elif endpoint in CHECKOUT_ONLY:
            assert member_status == 404, (endpoint, method)
        else:
            assert member_status in (200, 302, 303, 422), (endpoint, method, member_status)


def test_the_consultant_reads_individual_answers_and_owners_never_do(app, world, make_user):
    path = (
        f"/portal/o/{world['values']['organisation_id']}/r/{world['values']['round_id']}/responses"
    )
    consultant = signed_in_client(app, make_user(role="consultant"))
    page = consultant.get(path).get_data(as_text=True)
    assert "Owner" in page and "Member" in page and "Only you, as the consultant" in page
    assert signed_in_client(app, world["people"]["owner"]).get(path).status_code == 404
