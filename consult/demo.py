"""Demo data for a fresh local database, so a newcomer sees a working site at once.

Loaded only when the site is served (`flask --app consult run`, or a WSGI server outside
production), never by other commands such as `--help` or `mail send`, and only into an empty
database. The consultant's one-time password is printed once, in a box that stands out from the
server's start-up lines. `flask --app consult demo reset` empties the local database and starts
again; it refuses in production.
"""

import logging
import secrets

import click
from flask import current_app
from sqlmodel import Session, select

from consult.accounts.models import User
from consult.accounts.service import create_user
from consult.clock import app_now
from consult.db import get_session, id_of
from consult.demo_engagement import add_demo_engagement
from consult.portal.models import Organisation
from consult.urls import site_root

log = logging.getLogger("consult")
DEMO_CONSULTANT_EMAIL = "consultant@example.com"


def is_serving() -> bool:
    """Whether the app is being loaded to serve the site rather than for another command.

    `flask run` loads it inside its own command; every other `flask` command (and `--help`)
    inside theirs; a WSGI server such as gunicorn outside any command.
    """
    context = click.get_current_context(silent=True)
    return context is None or context.command.name == "run"


def load_demo_data_when_serving() -> None:
    """When serving an empty database, load the demo data and print the consultant's sign-in."""
    if not is_serving():
        return
    if get_session().exec(select(User.id).limit(1)).first() is not None:
        log.info("consult serves %s; consultants sign in at %s", site_root(), sign_in_url())
        return
    password = load_demo_data()
    click.echo(sign_in_box(sign_in_url(), DEMO_CONSULTANT_EMAIL, password), err=True)


def sign_in_url() -> str:
    """Where the consultant signs in, on the address the site is served at."""
    return f"{site_root()}/accounts/sign-in"


def load_demo_data() -> str:
    """Add the demo consultant, calendar and client organisation with its engagement (a
    programme with a session booked from it, the consultant's notes); return the one-time
    password.
    """
    session = get_session()
    password = secrets.token_urlsafe(12)
    consultant = create_user(
        session=session,
        email=DEMO_CONSULTANT_EMAIL,
        name=current_app.extensions["consult.site"].consultant_name,
        password=password,
        role="consultant",
        now=app_now(),
    )
    add_demo_booking_calendar(session)
    organisation = add_demo_organisation(session)
    if organisation is not None:
        add_demo_engagement(
            session, organisation=organisation, consultant=consultant, now=app_now()
        )
    session.commit()
    return password


def sign_in_box(url: str, email: str, password: str) -> str:
    """The consultant's sign-in, framed so it stands out among the server's start-up lines."""
    lines = [
        "Demo data loaded. Sign in as the consultant at",
        f"  {url}",
        "",
        f"  e-mail     {email}",
        f"  password   {password}",
        "",
        "Shown only this once. Lost it? Start again with fresh demo data",
        "  flask --app consult demo reset",
        "or set a new password",
        f"  flask --app consult create-admin {email}",
    ]
    width = max(len(line) for line in lines)
    border = "+" + "-" * (width + 4) + "+"
    framed = [border, *(f"|  {line.ljust(width)}  |" for line in lines), border]
    return click.style("\n".join(["", *framed, ""]), bold=True)


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
                location_kind="video",
                location="https://meet.example.org/{practice}-{booking}",
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
                location_kind="video",
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
                location_kind="place",
                location="The practice's office, 200 Main Street, Suite 4 (a demo address)",
            ),
        ]
    )


def add_demo_organisation(session: Session) -> Organisation | None:
    """A client organisation with eleven members who answered a first round, closed with its plan,
    so the consultant sees results at once (None without an assessment to answer). The members'
    passwords are random and never shown.
    """
    import random
    from datetime import timedelta

    from consult.portal import service as portal
    from consult.portal.models import Response
    from consult.portal.rounds import close_round

    definition = current_app.extensions["consult.assessments"].current()
    if definition is None:
        return None
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
    return organisation
