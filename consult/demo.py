"""Demo data for a fresh local database, so a newcomer sees a working site at once."""

import logging
import secrets

from flask import current_app
from sqlmodel import Session, select

from consult.accounts.models import User
from consult.accounts.service import create_user
from consult.clock import app_now
from consult.db import get_session, id_of

log = logging.getLogger("consult")
DEMO_CONSULTANT_EMAIL = "consultant@example.com"


def load_demo_data_if_empty() -> None:
    """When the database has no users, add the demo consultant and print its password once."""
    session = get_session()
    if session.exec(select(User.id).limit(1)).first() is not None:
        return
    password = secrets.token_urlsafe(12)
    create_user(
        session=session,
        email=DEMO_CONSULTANT_EMAIL,
        name=current_app.extensions["consult.site"].consultant_name,
        password=password,
        role="consultant",
        now=app_now(),
    )
    add_demo_booking_calendar(session)
    add_demo_organisation(session)
    session.commit()
    log.warning(
        "Demo data loaded. Sign in as the consultant with e-mail %s and password %s "
        "(shown only this once; `flask --app consult create-admin %s` sets a new one).",
        DEMO_CONSULTANT_EMAIL,
        password,
        DEMO_CONSULTANT_EMAIL,
    )


def add_demo_booking_calendar(session: Session) -> None:
    """Three consultation types and office hours Monday to Thursday, in the consultant's zone."""
    from datetime import time

    from consult.booking.models import BookingSettings, ConsultationType, WeeklyHours

    session.add(BookingSettings(id=1, slot_step_minutes=30))
    for weekday in range(4):
        session.add(WeeklyHours(weekday=weekday, start_time=time(9), end_time=time(12)))
        session.add(WeeklyHours(weekday=weekday, start_time=time(13), end_time=time(16, 30)))
    questions = [
        {
            "key": "what_matters",
            "label": "What matters most to your organisation right now?",
            "required": True,
        },
        {
            "key": "partnership",
            "label": "What would partnership look like for your team?",
            "required": False,
        },
        {
            "key": "support",
            "label": "What support would help you between our sessions?",
            "required": False,
        },
    ]
    session.add_all(
        [
            ConsultationType(
                slug="discovery-call",
                name="Discovery call",
                duration_minutes=30,
                price_minor=0,
                position=1,
                description=(
                    "A first, unhurried conversation: you tell me where your organisation is, "
                    "and we see whether working together makes sense."
                ),
                buffer_after_minutes=15,
                minimum_notice_hours=24,
                booking_window_days=60,
                max_per_day=3,
                intake_questions=questions[:1],
                location="Video call: the link arrives with your confirmation.",
            ),
            ConsultationType(
                slug="leadership-strategy-session",
                name="Leadership strategy session",
                duration_minutes=90,
                price_minor=45000,
                position=2,
                description=(
                    "Ninety minutes with your leadership team on one question that matters now, "
                    "such as how to hear your front line, or how to act on an assessment. "
                    "You leave with three next steps you chose together."
                ),
                buffer_before_minutes=15,
                buffer_after_minutes=30,
                minimum_notice_hours=48,
                booking_window_days=90,
                max_per_day=1,
                intake_questions=questions,
                location="https://meet.example.org/irons-strategy",
            ),
            ConsultationType(
                slug="working-session",
                name="Working session on your action plan",
                duration_minutes=60,
                price_minor=25000,
                position=3,
                description=(
                    "A focused hour on one part of your action plan: who does what, by when, "
                    "and how you will know it helped."
                ),
                buffer_after_minutes=15,
                minimum_notice_hours=24,
                booking_window_days=60,
                intake_questions=questions,
                location="https://meet.example.org/irons-working-session",
            ),
        ]
    )


def add_demo_organisation(session: Session) -> None:
    """A client organisation with eleven members who answered a first round, closed with its plan,
    so the consultant sees results at once. The members' passwords are random and never shown.
    """
    import random
    from datetime import timedelta

    from consult.portal import service as portal
    from consult.portal.models import Response
    from consult.portal.rounds import close_round

    definition = current_app.extensions["consult.assessments"].current()
    if definition is None:
        return
    now = app_now()
    organisation = portal.create_organisation(
        session=session, name="Riverside Community Clinic (demo)", now=now
    )
    chooser = random.Random(2026)  # noqa: S311  seeded so the demo answers repeat; not a secret
    groups = (
        ["executive-leadership"] * 3
        + ["clinical-leadership"] * 2
        + ["providers"] * 3
        + ["staff"] * 3
    )
    assessment_round = portal.open_round(
        session=session,
        organisation=organisation,
        definition=definition,
        name="Autumn 2026 (demo)",
        closes_on=now.date(),
        today=now.date(),
        now=now - timedelta(days=14),
    )
    for number, group in enumerate(groups):
        person = create_user(
            session=session,
            email=f"demo.member{number}@example.com",
            name=f"Demo member {number + 1}",
            password=secrets.token_urlsafe(16),
            role="client",
            now=now,
        )
        portal.add_member(
            session=session,
            organisation=organisation,
            user=person,
            role="owner" if number == 0 else "member",
            role_group=group,
            now=now,
        )
        # Leaders see things a little rosier, as they often do.
        leaning = 1 if group.endswith("leadership") else 0
        answers: dict[str, int | str | None] = {
            question.key: max(1, min(5, chooser.randint(2, 4) + leaning * chooser.randint(0, 1)))
            for question in definition.questions
            if question.kind != "text"
        }
        session.add(
            Response(
                round_id=id_of(assessment_round),
                user_id=id_of(person),
                role_group=group,
                answers=answers,
                started_at=now,
                updated_at=now,
                submitted_at=now,
            )
        )
    session.flush()
    close_round(session=session, assessment_round=assessment_round, definition=definition, now=now)
