"""The client portal after a round closes: results, the plan and its tracking, benchmarks, PDF.

Also: small rounds show no figures, owners never see individual answers, due rounds close by
command.
"""

import re

import pytest
from sqlmodel import select

from consult.accounts.service import create_user
from consult.db import get_session
from consult.portal import rounds, service
from consult.portal.models import ActionItem, AssessmentRound, Organisation, Response
from consult.portal.scoring import score_round
from tests.conftest import TEST_PASSWORD, signed_in_client, submit_form
from tests.web.portal_fixtures import (
    add_people,
    answer_everything,
    definition,
    make_organisation,
    open_round,
    user_by_email,
)

CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="[^"]+"')


@pytest.fixture
def organisation(app, clock):
    return make_organisation(app, clock)


def test_closing_a_round_scores_it_hides_small_groups_flags_gaps_and_makes_a_plan(
    app, organisation, clock
):
    leaders = add_people(app, clock, organisation, "executive-leadership", 2, "lead")
    providers = add_people(app, clock, organisation, "providers", 3, "prov")
    advisors = add_people(app, clock, organisation, "patient-family-advisors", 2, "adv")
    owner = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
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
    # the advisors group (2 people) is never shown: no column, named as too small
    groups_table = html[html.index("Mean score by role group") :]
    groups_table = groups_table[: groups_table.index("</table>")]
    assert "Patient and family advisors" not in groups_table
    assert re.search(r"Not shown, with fewer than 3 respondents: [^<]*Patient and family", html)


def test_with_fewer_than_three_answers_no_figures_and_no_plan_are_shown(app, organisation):
    owner = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
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
    owner = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
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
    submit_form(owner, update, {"status": "not_doing", "reason": "x" * 501}, page=results_path)
    with app.app_context():
        kept = get_session().get(ActionItem, action.id)
        assert kept.status == "not_started" and kept.status_reason is None  # and a short one
    assert "Keep the reason to 500 characters." in owner.get(results_path).get_data(as_text=True)
    submit_form(
        owner,
        update,
        {
            "status": "in_progress",
            "due_on": "2027-01-15",
            "assignee": str(user_by_email(app, "owner@clinic.example").id),
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
    owner = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
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

    owner = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
    open_round(owner, organisation)
    runner = app.test_cli_runner()
    assert "0 closed" in runner.invoke(args=["rounds", "close-due"]).output
    clock.advance(days=30)
    assert "1 closed" in runner.invoke(args=["rounds", "close-due"]).output
    assert "0 closed" in runner.invoke(args=["rounds", "close-due"]).output
    clock.now -= timedelta(days=30)


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


def test_results_are_read_as_stored_at_closing_not_scored_on_each_view(
    app, organisation, clock, monkeypatch
):
    people = add_people(app, clock, organisation, "providers", 3, "prov")
    owner = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
    round_id = open_round(owner, organisation)
    for user in people:
        answer_everything(signed_in_client(app, user), app, organisation, round_id, 4)
    results = f"/portal/o/{organisation.public_id}/r/{round_id}/results"
    close = f"/portal/o/{organisation.public_id}/r/{round_id}/close"
    submit_form(owner, close, {}, page=f"/portal/o/{organisation.public_id}/")
    scorings = []
    monkeypatch.setattr(
        rounds, "score_round", lambda *arguments: scorings.append(1) or score_round(*arguments)
    )
    stored_page = CSRF_TOKEN.sub("", owner.get(results).get_data(as_text=True))
    assert scorings == [] and "3 people answered." in stored_page and "<svg" in stored_page

    with app.app_context():  # as a round closed before scores were stored
        db = get_session()
        assessment_round = db.exec(
            select(AssessmentRound).where(AssessmentRound.public_id == round_id)
        ).one()
        assessment_round.scores = None
        db.add(assessment_round)
        db.commit()
    scored_page = CSRF_TOKEN.sub("", owner.get(results).get_data(as_text=True))
    assert scorings == [1] and scored_page == stored_page
