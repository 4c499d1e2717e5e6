"""The client portal end to end: organisations, invitations, rounds, answering, results, plan."""

import re

import pytest
from sqlmodel import select

from consult.accounts.service import create_user
from consult.db import get_session
from consult.mail.models import OutboxEmail
from consult.portal import service
from consult.portal.models import ActionItem, Membership, Organisation, Response
from tests.conftest import TEST_PASSWORD, Auth, csrf_token_from, signed_in_client, submit_form


def definition(app):
    return app.extensions["consult.assessments"].current()


@pytest.fixture
def organisation(app, clock):
    """An organisation with an owner (executive leadership) and no round yet."""
    with app.app_context():
        db = get_session()
        owner = create_user(
            session=db,
            email="owner@clinic.example",
            name="Olive Owner",
            password=TEST_PASSWORD,
            role="client",
            now=clock(),
        )
        organisation = service.create_organisation(session=db, name="Riverside Clinic", now=clock())
        service.add_member(
            session=db,
            organisation=organisation,
            user=owner,
            role="owner",
            role_group="executive-leadership",
            now=clock(),
        )
        db.commit()
        return organisation


def add_people(app, clock, organisation, group, count, prefix):
    with app.app_context():
        db = get_session()
        users = []
        for number in range(count):
            user = create_user(
                session=db,
                email=f"{prefix}{number}@clinic.example",
                name=f"{prefix.title()} {number}",
                password=TEST_PASSWORD,
                role="client",
                now=clock(),
            )
            service.add_member(
                session=db,
                organisation=db.get(Organisation, organisation.id),
                user=user,
                role="member",
                role_group=group,
                now=clock(),
            )
            users.append(user)
        db.commit()
        return users


def open_round(owner_client, organisation):
    path = f"/portal/o/{organisation.public_id}/"
    response = submit_form(
        owner_client,
        f"/portal/o/{organisation.public_id}/rounds",
        {"name": "Winter 2026", "closes_on": "2026-12-20"},
        page=path,
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    html = owner_client.get(path).get_data(as_text=True)
    return (
        re.search(r"/r/([^/]+)/answer/1", html).group(1)
        if "/answer/1" in html
        else re.search(r"/r/([^/]+)/progress", html).group(1)
    )


def answer_everything(client, app, organisation, round_id, value):
    """Answer every section with `value` (1–5) and submit."""
    sections = definition(app).sections
    for number, section in enumerate(sections, start=1):
        path = f"/portal/o/{organisation.public_id}/r/{round_id}/answer/{number}"
        data = {
            question.key: ("A thought." if question.kind == "text" else str(value))
            for question in section.questions
        }
        response = submit_form(client, path, {**data, "go": "next"})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
    review = f"/portal/o/{organisation.public_id}/r/{round_id}/review"
    assert submit_form(client, review, {}).status_code == 303


def test_a_visitor_starts_an_organisation_by_confirming_their_address(app, client):
    response = submit_form(
        client,
        "/portal/start",
        {
            "organisation": "Lakeside Hospital",
            "role_group": "clinical-leadership",
            "email": "Lead@Lakeside.example",
        },
        page="/portal/",
    )
    assert "Check your e-mail" in response.get_data(as_text=True)
    with app.app_context():
        invitation = get_session().exec(select(OutboxEmail)).one()
    accept_path = re.search(
        r"http://consult\.test(/accounts/invitation/\S+)", invitation.text_body
    ).group(1)
    assert "Lakeside Hospital" in invitation.text_body
    assert (
        submit_form(
            client,
            accept_path,
            {"name": "Lee Lead", "password": "steady shared care", "confirm": "steady shared care"},
        ).status_code
        == 302
    )
    page = client.get("/portal/").get_data(as_text=True)
    assert "Lakeside Hospital" in page and "(owner)" in page


def test_owners_invite_members_who_join_with_their_role_group(app, organisation, clock):
    owner = Auth(app.test_client())
    owner.sign_in("owner@clinic.example")
    members_path = f"/portal/o/{organisation.public_id}/members"
    response = submit_form(
        owner.client,
        members_path,
        {"email": "nurse@clinic.example", "role_group": "providers", "role": "member"},
    )
    assert response.status_code == 303
    with app.app_context():
        email = get_session().exec(select(OutboxEmail)).one()
    newcomer = app.test_client()
    accept_path = re.search(
        r"http://consult\.test(/accounts/invitation/\S+)", email.text_body
    ).group(1)
    submit_form(
        newcomer,
        accept_path,
        {
            "name": "Nia Nurse",
            "password": "listening first always",
            "confirm": "listening first always",
        },
    )
    page = newcomer.get(members_path).get_data(as_text=True)
    assert "Nia Nurse" in page and "Providers" in page
    assert "Send the invitation" not in page  # members do not invite
    assert (
        submit_form(
            newcomer,
            members_path,
            {"email": "x@clinic.example", "role_group": "staff", "role": "member"},
            page=members_path,
        ).status_code
        == 403
    )


def test_outsiders_get_404_for_every_page_of_an_organisation(app, organisation, make_user):
    outsider = signed_in_client(app, make_user(email="outsider@else.example"))
    for path in ["/", "/members", "/r/whatever/results", "/r/whatever/answer/1"]:
        assert outsider.get(f"/portal/o/{organisation.public_id}{path}").status_code == 404, path
    assert (
        app.test_client().get(f"/portal/o/{organisation.public_id}/").status_code == 302
    )  # sign in first


def test_the_last_owner_cannot_leave_and_ownership_can_be_handed_over(app, organisation, clock):
    [member] = add_people(app, clock, organisation, "staff", 1, "sam")
    owner = signed_in_client(app, _user(app, "owner@clinic.example"))
    members_path = f"/portal/o/{organisation.public_id}/members"
    with app.app_context():
        owner_membership = (
            get_session().exec(select(Membership).where(Membership.role == "owner")).one()
        )
        member_membership = (
            get_session().exec(select(Membership).where(Membership.user_id == member.id)).one()
        )
    submit_form(
        owner,
        f"/portal/o/{organisation.public_id}/members/hand-ownership",
        {"membership": member_membership.id},
        page=members_path,
    )
    with app.app_context():
        roles = {row.user_id: row.role for row in get_session().exec(select(Membership)).all()}
    assert roles == {owner_membership.user_id: "member", member.id: "owner"}
    new_owner = signed_in_client(app, member)
    refused = submit_form(
        new_owner,
        f"/portal/o/{organisation.public_id}/members/remove",
        {"membership": member_membership.id},
        page=members_path,
    )
    assert refused.status_code == 303 and len(roles) == 2


def _user(app, email):
    from consult.accounts.models import User

    with app.app_context():
        return get_session().exec(select(User).where(User.email == email)).one()


def test_answers_are_saved_page_by_page_kept_on_return_and_locked_on_submit(
    app, organisation, clock
):
    owner = signed_in_client(app, _user(app, "owner@clinic.example"))
    round_id = open_round(owner, organisation)
    first = f"/portal/o/{organisation.public_id}/r/{round_id}/answer/1"
    section = definition(app).sections[0]
    scale = [question for question in section.questions if question.kind != "text"]
    submit_form(owner, first, {scale[0].key: "4", scale[-1].key: "not_sure", "go": "next"})
    other_device = signed_in_client(app, _user(app, "owner@clinic.example"))
    html = other_device.get(first).get_data(as_text=True)
    assert re.search(rf'name="{scale[0].key}" value="4" checked', html) and re.search(
        rf'id="{scale[-1].key}-not-sure"[^>]*checked', html
    )
    review = other_device.get(f"/portal/o/{organisation.public_id}/r/{round_id}/review").get_data(
        as_text=True
    )
    assert "Not answered yet" in review and "Not sure" in review
    refused = submit_form(
        other_device, f"/portal/o/{organisation.public_id}/r/{round_id}/review", {}
    )
    assert refused.status_code == 422 and "still need an answer" in refused.get_data(as_text=True)
    answer_everything(owner, app, organisation, round_id, 3)
    token = csrf_token_from(
        owner.get(f"/portal/o/{organisation.public_id}/").get_data(as_text=True)
    )
    after = owner.post(first, data={scale[0].key: "1", "go": "next", "csrf_token": token})
    assert after.status_code == 302  # locked: sent to the review page
    with app.app_context():
        response = get_session().exec(select(Response)).one()
        assert response.submitted_at is not None and response.answers[scale[0].key] == 3


def test_a_bad_answer_value_is_refused_with_the_page_kept(app, organisation):
    owner = signed_in_client(app, _user(app, "owner@clinic.example"))
    round_id = open_round(owner, organisation)
    section = definition(app).sections[0]
    key = section.questions[0].key
    response = submit_form(
        owner,
        f"/portal/o/{organisation.public_id}/r/{round_id}/answer/1",
        {key: "9", section.questions[1].key: "2", "go": "next"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose one of the answers." in html
    assert re.search(rf'name="{section.questions[1].key}" value="2" checked', html)


def test_closing_a_round_scores_it_hides_small_groups_flags_gaps_and_makes_a_plan(
    app, organisation, clock
):
    leaders = add_people(app, clock, organisation, "executive-leadership", 2, "lead")
    providers = add_people(app, clock, organisation, "providers", 3, "prov")
    advisors = add_people(app, clock, organisation, "patient-family-advisors", 2, "adv")
    owner = signed_in_client(app, _user(app, "owner@clinic.example"))
    round_id = open_round(owner, organisation)
    for user in leaders:
        answer_everything(signed_in_client(app, user), app, organisation, round_id, 5)
    answer_everything(owner, app, organisation, round_id, 5)
    for user in providers + advisors:
        answer_everything(signed_in_client(app, user), app, organisation, round_id, 2)
    progress = owner.get(f"/portal/o/{organisation.public_id}/r/{round_id}/progress").get_data(
        as_text=True
    )
    assert "Prov 0: submitted" in progress
    submit_form(
        owner,
        f"/portal/o/{organisation.public_id}/r/{round_id}/close",
        {},
        page=f"/portal/o/{organisation.public_id}/",
    )
    html = owner.get(f"/portal/o/{organisation.public_id}/r/{round_id}/results").get_data(
        as_text=True
    )
    assert "8 people answered." in html and "<svg" in html and 'role="img"' in html
    assert "leaders score" in html and '<strong class="flag">gap</strong>' in html
    assert "Your action plan" in html and "/book/" in html
    with app.app_context():
        actions = get_session().exec(select(ActionItem)).all()
    assert actions and {action.phase_days for action in actions} <= {30, 60, 90}
    # the advisors group (2 people) is never shown
    advisors_column = re.findall(
        r"<td><span class=\"visually-hidden\">not shown: </span>–</td>", html
    )
    assert advisors_column


def test_with_fewer_than_three_answers_no_figures_and_no_plan_are_shown(app, organisation):
    owner = signed_in_client(app, _user(app, "owner@clinic.example"))
    round_id = open_round(owner, organisation)
    answer_everything(owner, app, organisation, round_id, 4)
    submit_form(
        owner,
        f"/portal/o/{organisation.public_id}/r/{round_id}/close",
        {},
        page=f"/portal/o/{organisation.public_id}/",
    )
    html = owner.get(f"/portal/o/{organisation.public_id}/r/{round_id}/results").get_data(
        as_text=True
    )
    assert (
        "no figures and no plan are shown" in html
        and "<svg" not in html
        and "Your action plan" not in html
    )


def test_owners_track_actions_and_the_consultant_adds_notes(app, organisation, clock, make_user):
    owner = signed_in_client(app, _user(app, "owner@clinic.example"))
    round_id = open_round(owner, organisation)
    answer_everything(owner, app, organisation, round_id, 3)
    for user in add_people(app, clock, organisation, "staff", 2, "staff"):
        answer_everything(signed_in_client(app, user), app, organisation, round_id, 2)
    results_path = f"/portal/o/{organisation.public_id}/r/{round_id}/results"
    submit_form(
        owner,
        f"/portal/o/{organisation.public_id}/r/{round_id}/close",
        {},
        page=f"/portal/o/{organisation.public_id}/",
    )
    with app.app_context():
        action = get_session().exec(select(ActionItem).order_by(ActionItem.position)).first()
    update = f"/portal/o/{organisation.public_id}/actions/{action.public_id}"
    submit_form(owner, update, {"status": "not_doing", "reason": ""}, page=results_path)
    with app.app_context():
        assert (
            get_session().get(ActionItem, action.id).status == "not_started"
        )  # a reason is needed
    submit_form(
        owner,
        update,
        {
            "status": "in_progress",
            "due_on": "2027-01-15",
            "assignee": str(_user(app, "owner@clinic.example").id),
        },
        page=results_path,
    )
    consultant = signed_in_client(app, make_user(role="consultant"))
    submit_form(
        consultant, update + "/notes", {"body": "Start with the night shift."}, page=results_path
    )
    html = owner.get(results_path).get_data(as_text=True)
    assert "In progress, due 15 January 2027" in html and "Start with the night shift." in html
    export = owner.get(f"/portal/o/{organisation.public_id}/r/{round_id}/plan.csv")
    assert export.mimetype == "text/csv" and "In progress" in export.get_data(as_text=True)


def test_individual_answers_are_not_shown_to_owners(app, organisation, clock):
    [member] = add_people(app, clock, organisation, "staff", 1, "quiet")
    owner = signed_in_client(app, _user(app, "owner@clinic.example"))
    round_id = open_round(owner, organisation)
    member_client = signed_in_client(app, member)
    section = definition(app).sections[-1]
    text_question = [question for question in section.questions if question.kind == "text"][0]
    submit_form(
        member_client,
        f"/portal/o/{organisation.public_id}/r/{round_id}/answer/{len(definition(app).sections)}",
        {text_question.key: "A private worry about rotas.", "go": "next"},
    )
    for path in ["/", "/members", f"/r/{round_id}/progress"]:
        assert "private worry" not in owner.get(
            f"/portal/o/{organisation.public_id}{path}"
        ).get_data(as_text=True)
    assert "Quiet 0: started" in owner.get(
        f"/portal/o/{organisation.public_id}/r/{round_id}/progress"
    ).get_data(as_text=True)


def test_due_rounds_close_from_the_command_once(app, organisation, clock):
    from datetime import timedelta

    owner = signed_in_client(app, _user(app, "owner@clinic.example"))
    open_round(owner, organisation)
    runner = app.test_cli_runner()
    assert "0 closed" in runner.invoke(args=["rounds", "close-due"]).output
    clock.advance(days=30)
    assert "1 closed" in runner.invoke(args=["rounds", "close-due"]).output
    assert "0 closed" in runner.invoke(args=["rounds", "close-due"]).output
    clock.now -= timedelta(days=30)


def test_the_consultant_creates_an_organisation_and_invites_its_owner(app, make_user):
    consultant = signed_in_client(app, make_user(role="consultant"))
    response = submit_form(
        consultant,
        "/admin/organisations/",
        {
            "name": "Harbour Network",
            "owner_email": "chair@harbour.example",
            "role_group": "executive-leadership",
        },
    )
    assert response.status_code == 303
    page = consultant.get("/admin/organisations/").get_data(as_text=True)
    assert "Harbour Network" in page and "none yet" in page
    with app.app_context():
        email = get_session().exec(select(OutboxEmail)).one()
    assert email.to_address == "chair@harbour.example" and "Harbour Network" in email.text_body


def test_answers_are_saved_while_typing_without_leaving_the_page(app, organisation):
    owner = signed_in_client(app, _user(app, "owner@clinic.example"))
    round_id = open_round(owner, organisation)
    last = len(definition(app).sections)
    path = f"/portal/o/{organisation.public_id}/r/{round_id}/answer/{last}"
    text_question = [
        question for question in definition(app).sections[-1].questions if question.kind == "text"
    ][0]
    response = submit_form(owner, path, {text_question.key: "Half a thought", "go": "autosave"})
    assert response.status_code == 204
    assert "Half a thought" in owner.get(path).get_data(as_text=True)


def test_with_five_organisations_each_sees_the_median_of_the_others(app, clock):
    from consult.portal.rounds import close_round

    with app.app_context():
        db = get_session()
        assessment = definition(app)
        organisations = []
        for number in range(5):
            organisation = service.create_organisation(
                session=db, name=f"Organisation {number}", now=clock()
            )
            people = [
                create_user(
                    session=db,
                    email=f"o{number}p{person}@example.org",
                    name=f"P{person}",
                    password=TEST_PASSWORD,
                    role="client",
                    now=clock(),
                )
                for person in range(3)
            ]
            for person in people:
                service.add_member(
                    session=db,
                    organisation=organisation,
                    user=person,
                    role="owner",
                    role_group="staff",
                    now=clock(),
                )
            assessment_round = service.open_round(
                session=db,
                organisation=organisation,
                definition=assessment,
                name="R",
                closes_on=clock().date(),
                today=clock().date(),
                now=clock(),
            )
            value = 1 + number  # organisation n answers n+1 everywhere
            for person in people:
                db.add(
                    Response(
                        round_id=assessment_round.id,
                        user_id=person.id,
                        role_group="staff",
                        started_at=clock(),
                        updated_at=clock(),
                        submitted_at=clock(),
                        answers={
                            question.key: value
                            for question in assessment.questions
                            if question.kind != "text"
                        },
                    )
                )
            db.flush()
            close_round(
                session=db, assessment_round=assessment_round, definition=assessment, now=clock()
            )
            organisations.append((organisation, people[0], assessment_round))
            db.commit()
    organisation, person, assessment_round = organisations[0]
    html = (
        signed_in_client(app, person)
        .get(f"/portal/o/{organisation.public_id}/r/{assessment_round.public_id}/results")
        .get_data(as_text=True)
    )
    assert "Others&#39; median" in html or "Others' median" in html
    import statistics

    first_dimension = definition(app).dimensions[0].key
    with app.app_context():
        others = [
            get_session()
            .get(type(assessment_round), item[2].id)
            .result["dimension_means"][first_dimension]
            for item in organisations[1:]
        ]
    assert f"<td>{statistics.median(others):.0f}</td>" in html


def test_the_results_download_as_a_pdf(app, make_user):
    import io

    from pypdf import PdfReader

    from consult.demo import add_demo_organisation
    from consult.portal.models import AssessmentRound

    with app.app_context():
        add_demo_organisation(get_session())
        get_session().commit()
        assessment_round = get_session().exec(select(AssessmentRound)).one()
        organisation = get_session().get(Organisation, assessment_round.organisation_id)
    client = signed_in_client(app, make_user(role="consultant"))
    response = client.get(
        f"/portal/o/{organisation.public_id}/r/{assessment_round.public_id}/report.pdf"
    )
    assert (
        response.mimetype == "application/pdf"
        and "attachment" in response.headers["Content-Disposition"]
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Riverside Community Clinic" in text and "Presence and listening" in text
