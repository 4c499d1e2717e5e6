"""An organisation with an open round, made directly in the live site's database, and the steps
its members take in the browser.
"""

import re

from playwright.sync_api import expect

PASSWORD = "pinewood partners"


def prepare_portal_round(live_site, domain: str, name: str) -> dict:
    """An organisation, its owner, three members and an open round, each person at
    `<who>@<domain>` (who: owner, answerer, early1, early2).

    Two members' answers are already in, so that the round has enough respondents to show results.
    """
    from consult import create_app
    from consult.accounts.service import create_user
    from consult.clock import utc_now
    from consult.config import load_settings
    from consult.db import get_session
    from consult.portal import service
    from consult.portal.models import Response

    settings = load_settings(
        {"CONSULT_INSTANCE_DIR": str(live_site.log.parent), "SITE_URL": live_site.url}
    )
    app = create_app({"SETTINGS": settings, "PREPARE_DATABASE": False})
    with app.app_context():
        db = get_session()
        assessment = app.extensions["consult.assessments"].current()
        now = utc_now()
        people = {
            who: create_user(
                session=db,
                email=f"{who}@{domain}",
                name=who.title(),
                password=PASSWORD,
                role="client",
                now=now,
            )
            for who in ("owner", "answerer", "early1", "early2")
        }
        organisation = service.create_organisation(session=db, name=name, now=now)
        for who, person in people.items():
            service.add_member(
                session=db,
                organisation=organisation,
                user=person,
                role="owner" if who == "owner" else "member",
                role_group="staff",
                now=now,
            )
        assessment_round = service.open_round(
            session=db,
            organisation=organisation,
            definition=assessment,
            name="Spring round",
            closes_on=now.date().replace(year=now.year + 1),
            today=now.date(),
            now=now,
        )
        for who in ("early1", "early2"):
            db.add(
                Response(
                    round_id=assessment_round.id,
                    user_id=people[who].id,
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
