"""An organisation with something on every portal page, made in the live site's database.

Its owner sees a closed round with results and plan, an open round to answer, a pending
invitation, a member to remove or hand over to, and a paid programme with its receipt; the
consultant also has a span of time off to give back. The values returned fill the `{fields}` of
pages.PORTAL_PAGES and pages.CONSULTANT_RECORD_PAGES.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from tests.browser.portal_round import prepare_portal_round

PROGRAMME_PRICE = 120000  # in pence: £1,200.00 (lower-case codes, as the admin stores them)


def prepare_portal_organisation(live_site, domain: str, name: str) -> dict[str, str]:
    """`prepare_portal_round`'s organisation, its first round closed with results and a second
    open; returns the fields PORTAL_PAGES needs."""
    from sqlmodel import select

    from consult import create_app
    from consult.accounts.models import User
    from consult.booking.models import ConsultationType, DateOverride
    from consult.booking.time_off import block_time_off
    from consult.calendars.service import add_feed
    from consult.clock import utc_now
    from consult.config import load_settings
    from consult.db import get_session
    from consult.engagements.catalogue import ProgrammeTerms, save_programme
    from consult.engagements.purchases import (
        checkout_reference,
        fulfil_purchase_state,
        start_purchase,
    )
    from consult.nudges.service import stop_url
    from consult.payments.provider import CheckoutState
    from consult.portal import service
    from consult.portal.models import Membership, Organisation, Response
    from consult.portal.rounds import close_round

    prepare_portal_round(live_site, domain, name)
    settings = load_settings(
        {"CONSULT_INSTANCE_DIR": str(live_site.log.parent), "SITE_URL": live_site.url}
    )
    app = create_app({"SETTINGS": settings, "PREPARE_DATABASE": False})
    with app.app_context():
        db = get_session()
        definition = app.extensions["consult.assessments"].current()
        now = utc_now()
        organisation = db.exec(select(Organisation).where(Organisation.name == name)).one()
        people = {
            user.email.split("@")[0]: user
            for user in db.exec(select(User).where(User.email.endswith(f"@{domain}"))).all()
        }
        first_round = service.rounds_of(db, organisation)[0]
        db.add(
            Response(
                round_id=first_round.id,
                user_id=people["answerer"].id,
                role_group="staff",
                started_at=now,
                updated_at=now,
                submitted_at=now,
                answers={q.key: 3 for q in definition.questions if q.kind != "text"},
            )
        )
        db.flush()
        close_round(session=db, assessment_round=first_round, definition=definition, now=now)
        open_round = service.open_round(
            session=db,
            organisation=organisation,
            definition=definition,
            name="Autumn round",
            closes_on=now.date().replace(year=now.year + 1),
            today=now.date(),
            now=now,
        )
        invitation = service.invite(
            session=db,
            organisation=organisation,
            email=f"newcomer@{domain}",
            role="member",
            role_group="staff",
            invited_by=people["owner"],
            now=now,
        )
        member = db.exec(
            select(Membership).where(
                Membership.organisation_id == organisation.id,
                Membership.user_id == people["early1"].id,
            )
        ).one()
        discovery = db.exec(select(ConsultationType).order_by(ConsultationType.id)).first()
        programme = save_programme(
            session=db,
            programme=None,
            terms=ProgrammeTerms(
                name=f"Partnership programme for {name}",
                description="Three working sessions and a second round, over six months.",
                price_minor=PROGRAMME_PRICE,
                currency="gbp",
                duration_days=180,
                included_rounds=1,
                full_refund_days=14,
                is_active=True,
            ),
            sessions_by_type={discovery.id: 3},
            now=now,
        )
        purchase = start_purchase(
            session=db,
            programme=programme,
            organisation=organisation,
            buyer=people["owner"],
            now=now,
        )
        purchase.checkout_session_id = f"cs_gate_{purchase.public_id}"
        db.flush()
        fulfil_purchase_state(
            session=db,
            state=CheckoutState(
                session_id=purchase.checkout_session_id,
                status="complete",
                payment_status="paid",
                reference=checkout_reference(purchase),
                amount_total=PROGRAMME_PRICE,
                currency="gbp",
                payment_reference=f"pi_gate_{purchase.public_id}",
            ),
            now=now,
        )
        # Far beyond the booking horizon and at night, so that no journey's free times change.
        night = (now + timedelta(days=400)).replace(hour=3, minute=0, second=0, microsecond=0)
        time_off = block_time_off(
            session=db,
            starts_at=night,
            ends_at=night + timedelta(minutes=30),
            reason=f"Gate: {name}",
            now=now,
        )
        # A day off and a calendar, for the pages that ask before removing them: also far ahead
        # (a Sunday, closed anyway), and a feed no journey reads.
        sunday = night.date() + timedelta(days=6 - night.weekday())
        db.add(DateOverride(day=sunday))
        feed = add_feed(
            session=db,
            url="http://127.0.0.1:9/gate.ics",
            name=f"Gate: {name}",
            now=now,
            allow_loopback=True,
        )
        stop_link = stop_url(people["owner"].id, secret_key=app.config["SECRET_KEY"])
        fields = {
            "organisation": organisation.public_id,
            "closed_round": first_round.public_id,
            "open_round": open_round.public_id,
            "invitation": str(invitation.id),
            "member": str(member.id),
            "purchase": purchase.public_id,
            "programme": str(programme.id),
            "consultation_type": str(discovery.id),
            "time_off": str(time_off.id),
            "day_off": sunday.isoformat(),
            "feed": str(feed.id),
            "stop_token": urlsplit(stop_link).path.rsplit("/", 1)[1],
        }
        db.commit()
        return fields
