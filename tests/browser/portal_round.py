"""An organisation with an open round, made directly in the live site's database, and the steps
its members take in the browser.
"""

import re

from playwright.sync_api import expect

PASSWORD = "pinewood partners"


def live_app(live_site):
    """This process's own app on the live site's instance folder (its database), links on its
    address.
    """
    from consult import create_app
    from consult.config import load_settings

    settings = load_settings(
        {"CONSULT_INSTANCE_DIR": str(live_site.log.parent), "SITE_URL": live_site.url}
    )
    return create_app({"SETTINGS": settings, "PREPARE_DATABASE": False})


def prepare_organisation(live_site, domain: str, name: str) -> None:
    """An organisation with its owner and three members, each at `<who>@<domain>` (who: owner,
    answerer, early1, early2), all in the staff group; no round yet.
    """
    from consult.accounts.service import create_user
    from consult.clock import utc_now
    from consult.db import get_session
    from consult.portal import service

    with live_app(live_site).app_context():
        db = get_session()
        now = utc_now()
        organisation = service.create_organisation(session=db, name=name, now=now)
        for who in ("owner", "answerer", "early1", "early2"):
            person = create_user(
                session=db,
                email=f"{who}@{domain}",
                name=who.title(),
                password=PASSWORD,
                role="client",
                now=now,
            )
            service.add_member(
                session=db,
                organisation=organisation,
                user=person,
                role="owner" if who == "owner" else "member",
                role_group="staff",
                now=now,
            )
        db.commit()


def submit_early_answers(live_site, domain: str, name: str) -> None:
    """Early1 and Early2 of the organisation `name` have submitted their answers to its open
    round, so that one more member's answers make enough respondents to show results.
    """
    from sqlmodel import select

    from consult.accounts.models import User
    from consult.clock import utc_now
    from consult.db import get_session
    from consult.portal.models import AssessmentRound, Organisation, Response

    app = live_app(live_site)
    with app.app_context():
        db = get_session()
        assessment = app.extensions["consult.assessments"].current()
        now = utc_now()
        organisation = db.exec(select(Organisation).where(Organisation.name == name)).one()
        assessment_round = db.exec(
            select(AssessmentRound).where(
                AssessmentRound.organisation_id == organisation.id,
                AssessmentRound.status == "open",
            )
        ).one()
        for who in ("early1", "early2"):
            person = db.exec(select(User).where(User.email == f"{who}@{domain}")).one()
            db.add(
                Response(
                    round_id=assessment_round.id,
                    user_id=person.id,
                    role_group="staff",
                    started_at=now,
                    updated_at=now,
                    submitted_at=now,
                    answers={
                        question.key: 2
                        for question in assessment.questions
                        if question.kind != "text"
                    },
                )
            )
        db.commit()


def prepare_portal_round(live_site, domain: str, name: str) -> dict:
    """An organisation, its owner, three members and an open round, each person at
    `<who>@<domain>` (who: owner, answerer, early1, early2).

    Two members' answers are already in, so that the round has enough respondents to show results.
    """
    from sqlmodel import select

    from consult.clock import utc_now
    from consult.db import get_session
    from consult.portal import service
    from consult.portal.models import Organisation

    prepare_organisation(live_site, domain, name)
    app = live_app(live_site)
    with app.app_context():
        db = get_session()
        assessment = app.extensions["consult.assessments"].current()
        now = utc_now()
        organisation = db.exec(select(Organisation).where(Organisation.name == name)).one()
        service.open_round(
            session=db,
            organisation=organisation,
            definition=assessment,
            name="Spring round",
            closes_on=now.date().replace(year=now.year + 1),
            today=now.date(),
            now=now,
        )
        db.commit()
    submit_early_answers(live_site, domain, name)
    return {"sections": len(assessment.sections)}


def sign_in_as(page, email: str) -> None:
    page.goto("/accounts/sign-in")
    page.get_by_label("E-mail address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def answer_current_section(page, number: int, sections: int) -> None:
    """Answer part `number`, once its page is shown (the click that led here may still be
    loading it)."""
    expect(page.get_by_text(f"Part {number} of {sections}")).to_be_visible()
    for group in page.locator("fieldset").all():
        group.locator("input[type=radio]").nth(3).check()


def open_organisation(page, name: str) -> None:
    page.goto("/portal/")
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(name))
