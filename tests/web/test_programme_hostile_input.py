"""Ids and choices that are not ours (NUL, which PostgreSQL refuses in text, odd characters,
5,000 characters, numbers past an INTEGER) are answered 404 or at the field, never with a 500.
"""

import pytest

from tests.conftest import csrf_token_from, signed_in_client
from tests.web.booking_flow import free_slots
from tests.web.programme_steps import (
    WORKING,
    book_as,
    calendar,
    make_people,
    make_programme,
    purchases,
)

HOSTILE = ["%00", "a%00b", "x" * 5000, "%E2%80%AE", "..", "a%0D%0Ab"]


@pytest.fixture
def people(app, clock, consultant):
    calendar(app)
    programme = make_programme(app, clock)
    organisation, owner, members = make_people(app, clock)
    return {
        "programme": programme,
        "organisation": organisation,
        "owner": signed_in_client(app, owner),
        "member": signed_in_client(app, members[0]),
        "admin": signed_in_client(app, consultant),
    }


@pytest.mark.parametrize("bad", HOSTILE)
def test_hostile_ids_in_addresses_are_not_found(people, bad):
    organisation = people["organisation"].public_id
    for client, path in (
        (people["owner"], f"/portal/o/{bad}/programmes/"),
        (people["owner"], f"/portal/o/{bad}/receipts/"),
        (people["owner"], f"/portal/o/{organisation}/programmes/{bad}/cancel"),
        (people["owner"], f"/portal/o/{organisation}/programmes/return?session_id={bad}"),
        (people["owner"], f"/portal/o/{organisation}/receipts/booking/{bad}"),
        (people["owner"], f"/portal/o/{organisation}/receipts/programme/{bad}.pdf"),
        (people["admin"], f"/admin/programmes/purchases/{bad}/"),
        (people["admin"], f"/admin/receipts/booking/{bad}"),
        (people["admin"], f"/admin/receipts/programme/{bad}.pdf"),
        (people["owner"], f"/book/manage/{bad}/receipt"),
    ):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("number", ["2147483648", "99999999999999999999", "-1", "0", "1.5"])
def test_programme_numbers_past_an_integer_are_not_found(people, app, number):
    assert people["admin"].get(f"/admin/programmes/{number}/").status_code == 404
    organisation = people["organisation"].public_id
    page = people["owner"].get(f"/portal/o/{organisation}/programmes/").get_data(as_text=True)
    bought = people["owner"].post(
        f"/portal/o/{organisation}/programmes/buy",
        data={"programme": number, "csrf_token": csrf_token_from(page)},
    )
    assert bought.status_code == 404 and purchases(app) == []


@pytest.mark.parametrize(
    "choice", ["credit:a\x00b", "org:" + "x" * 5000, "credit:\u202e", "org:.."]
)
def test_a_hostile_booking_choice_is_refused_at_the_field(people, choice):
    start = free_slots(people["member"], WORKING, "2026-11-30")[0]
    response = book_as(people["member"], WORKING, start, choice)
    assert response.status_code == 422
    assert "Choose who this booking is for." in response.get_data(as_text=True)
