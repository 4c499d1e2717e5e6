"""The organisation's page as one timeline: consultations (managed by whoever booked them), rounds
with their index and change, the plan's progress, the programme and the consultant's shared
notes; never her private ones; gathered in a fixed number of queries.
"""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from consult.db import get_session
from consult.portal.models import ActionItem, AssessmentRound, Organisation
from tests.conftest import signed_in_client, submit_form
from tests.web.booking_flow import free_slots
from tests.web.programme_steps import (
    WORKING,
    book_as,
    booking_at,
    calendar,
    grant,
    make_people,
    make_programme,
)
from tests.web.render_work import statements_drawing
from tests.web.timeline_steps import booked_consultation, closed_round

SHARED = "Bring the night-shift rota to our next session."
PRIVATE = "Budget is tight this quarter; do not raise the fee."


@pytest.fixture
def engagement(app, clock, consultant):
    """Riverside: a programme of 3 working sessions, a closed round with its plan (one action
    overdue), a past consultation the owner booked, and a shared and a private note.
    """
    calendar(app)
    organisation, owner, members = make_people(app, clock)
    grant(app, clock, make_programme(app, clock), organisation, consultant)
    with app.app_context():
        db = get_session()
        home = db.get(Organisation, organisation.id)
        closed_round(db, clock, organisation=home, people=[owner, *members], value=3)
        action = db.exec(select(ActionItem).order_by(ActionItem.position)).first()
        action.status, action.due_on = "in_progress", (clock() - timedelta(days=1)).date()
        booked_consultation(
            db,
            clock,
            organisation=home,
            booker=owner,
            starts_at=clock() - timedelta(days=2),
            status="completed",
        )
        db.commit()
    admin = signed_in_client(app, consultant)
    page = f"/admin/organisations/{organisation.public_id}/"
    notes = f"/admin/organisations/{organisation.public_id}/notes"
    for body, visibility in ((SHARED, "shared"), (PRIVATE, "private")):
        added = submit_form(admin, notes, {"body": body, "visibility": visibility}, page=page)
        assert added.status_code == 303, added.get_data(as_text=True)
    return organisation, owner, members, admin


def page_of(client, organisation):
    response = client.get(f"/portal/o/{organisation.public_id}/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_organisation_page_shows_the_engagement_in_one_timeline(app, engagement):
    organisation, owner, members, _ = engagement
    member = signed_in_client(app, members[0])
    start = free_slots(member, WORKING, "2026-11-30")[0]
    assert book_as(member, WORKING, start, f"credit:{organisation.public_id}").status_code == 303
    booking = booking_at(app, start)

    mine = page_of(member, organisation)
    upcoming = mine.split('id="upcoming-heading"')[1].split("</section>")[0]
    assert "booked by Riverside Person 1" in upcoming and "from the programme" in upcoming
    manage = f"/portal/o/{organisation.public_id}/bookings/{booking.public_id}/manage"
    assert f'action="{manage}"' in upcoming
    assert "Partnership quarter: 2 of 3 sessions left, until" in mine
    assert re.search(r"Assessment round Spring:\s*closed [^,]+, overall index \d+", mine)
    progress = mine.split('id="plan-progress-heading"')[1].split("</section>")[0]
    assert "1 overdue" in progress and "0 done" in progress
    past = mine.split('id="history-heading"')[1]
    assert "booked by Riverside Person 0" in past and SHARED in past
    assert past.index(SHARED) < past.index("booked by Riverside Person 0")  # latest first

    # Only the one who booked manages it: the owner sees the session, not the button.
    owners = page_of(signed_in_client(app, owner), organisation)
    assert "booked by Riverside Person 1" in owners and f'action="{manage}"' not in owners
    opened = submit_form(member, manage, {}, page=f"/portal/o/{organisation.public_id}/")
    assert opened.status_code == 303 and "/book/manage/" in opened.headers["Location"]
    assert member.get(opened.headers["Location"]).status_code == 200


def test_private_notes_never_reach_the_organisation(app, engagement):
    organisation, owner, members, admin = engagement
    base = f"/portal/o/{organisation.public_id}"
    with app.app_context():
        round_id = get_session().exec(select(ActionItem)).first().round_id
        round_public_id = get_session().get(AssessmentRound, round_id).public_id
    pages = [
        f"{base}/",
        f"{base}/members",
        f"{base}/programmes/",
        f"{base}/r/{round_public_id}/results",
        f"{base}/r/{round_public_id}/plan.csv",
        "/accounts/data",
        "/accounts/data.json",
    ]
    for person in (owner, *members):
        client = signed_in_client(app, person)
        for path in [*pages, f"{base}/activity"]:
            response = client.get(path)
            assert response.status_code in (200, 403), (path, response.status_code)
            assert PRIVATE not in response.get_data(as_text=True), path
        assert SHARED in page_of(client, organisation)
    consultants_view = admin.get(f"/admin/organisations/{organisation.public_id}/")
    assert PRIVATE in consultants_view.get_data(as_text=True)


def count_queries(app, client, path):
    return len(statements_drawing(app, client, path)[0])


def test_the_pages_take_as_many_queries_for_one_row_as_for_many(app, clock, engagement, consultant):
    organisation, owner, members, admin = engagement
    member = signed_in_client(app, members[0])
    portal_page = f"/portal/o/{organisation.public_id}/"
    admin_page = f"/admin/organisations/{organisation.public_id}/"
    before = count_queries(app, member, portal_page), count_queries(app, admin, admin_page)
    with app.app_context():
        db = get_session()
        home = db.get(Organisation, organisation.id)
        for days in range(1, 6):
            for booker in (owner, *members):
                booked_consultation(
                    db, clock, organisation=home, booker=booker, starts_at=clock() + timedelta(days)
                )
        closed_round(db, clock, organisation=home, people=[owner, *members], value=4, name="Later")
        db.commit()
    grant(app, clock, make_programme(app, clock, name="Second"), organisation, consultant)
    for number in range(4):
        submit_form(
            admin,
            f"/admin/organisations/{organisation.public_id}/notes",
            {"body": f"Note {number}", "visibility": "shared"},
            page=admin_page,
        )
    after = count_queries(app, member, portal_page), count_queries(app, admin, admin_page)
    assert after == before
    assert page_of(member, organisation).count("Move or cancel") == 5  # the member's own five
