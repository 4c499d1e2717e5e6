"""The assessment rounds a programme includes are counted: a round the organisation opens while
the programme runs uses one, and the owner, the members and the consultant see what is left.
"""

from tests.conftest import signed_in_client, submit_form
from tests.web.portal_fixtures import open_round
from tests.web.programme_steps import calendar, grant, make_people, make_programme


def programmes_page(client, organisation) -> str:
    return client.get(f"/portal/o/{organisation.public_id}/programmes/").get_data(as_text=True)


def test_a_round_opened_while_the_programme_runs_uses_its_included_round(app, clock, consultant):
    calendar(app)
    organisation, owner, members = make_people(app, clock)
    purchase = grant(app, clock, make_programme(app, clock), organisation, consultant)
    owner_client = signed_in_client(app, owner)
    before = programmes_page(owner_client, organisation)
    assert "Assessment rounds: <strong>1 left</strong> of 1" in before
    assert f'/portal/o/{organisation.public_id}/#new-round-heading">Open one</a>' in before
    member_view = programmes_page(signed_in_client(app, members[0]), organisation)
    assert "Assessment rounds: <strong>1 left</strong> of 1" in member_view
    assert "Open one" not in member_view  # only the owner opens rounds

    clock.advance(hours=1)
    open_round(owner_client, organisation)
    after = programmes_page(owner_client, organisation)
    assert "Assessment rounds: <strong>0 left</strong> of 1" in after and "Open one" not in after
    timeline = owner_client.get(f"/portal/o/{organisation.public_id}/").get_data(as_text=True)
    assert "3 of 3 sessions left, until" in timeline
    assert "; 0 of 1 assessment round left" in timeline
    client_view = signed_in_client(app, consultant).get(
        f"/admin/organisations/{organisation.public_id}/"
    )
    assert "assessment rounds: 1 used, 0 left of 1" in client_view.get_data(as_text=True)
    purchase_page = signed_in_client(app, consultant).get(
        f"/admin/programmes/purchases/{purchase.public_id}/"
    )
    assert "1 used, 0 left of 1" in purchase_page.get_data(as_text=True)


def test_a_round_opened_before_the_programme_or_after_it_was_cancelled_uses_none(
    app, clock, consultant
):
    calendar(app)
    organisation, owner, _members = make_people(app, clock)
    owner_client = signed_in_client(app, owner)
    round_id = open_round(owner_client, organisation)  # before the programme
    clock.advance(hours=1)
    purchase = grant(app, clock, make_programme(app, clock), organisation, consultant)
    assert "<strong>1 left</strong> of 1" in programmes_page(owner_client, organisation)

    purchase_page = f"/admin/programmes/purchases/{purchase.public_id}/"
    cancelled = submit_form(
        signed_in_client(app, consultant),
        f"{purchase_page}cancel",
        {"refund": "none"},
        page=purchase_page,
    )
    assert cancelled.status_code == 303
    close = f"/portal/o/{organisation.public_id}/r/{round_id}/close"
    assert submit_form(owner_client, close, {}, page=close).status_code == 303
    clock.advance(days=1)
    owner_client = signed_in_client(app, owner)
    open_round(owner_client, organisation)  # after the cancellation
    assert "<strong>1 left</strong> of 1" in programmes_page(owner_client, organisation)
