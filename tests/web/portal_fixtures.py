"""Helpers for the portal's web tests: an organisation with its owner, people, rounds, answers."""

import re

from sqlmodel import select

from consult.accounts.models import User
from consult.accounts.service import create_user
from consult.db import get_session
from consult.portal import service
from consult.portal.definition import AssessmentDefinition
from consult.portal.models import Organisation
from tests.conftest import TEST_PASSWORD, submit_form


def definition(app) -> AssessmentDefinition:
    return app.extensions["consult.assessments"].current()


def make_organisation(app, clock) -> Organisation:
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


def user_by_email(app, email) -> User:
    with app.app_context():
        return get_session().exec(select(User).where(User.email == email)).one()
