"""Nudges: round invitations, reminders and closing notices, owners' notice of a closed round,
actions due and overdue, owners' weekly summary when the plan moved; each sent once however
often cron runs, never to someone who stopped them with the link in one.
"""

import re
from datetime import UTC, timedelta

from sqlmodel import select

from consult.db import get_engine, get_session
from consult.mail.models import OutboxEmail
from consult.nudges.models import NudgeSent
from consult.nudges.service import due_nudges, send_nudge
from consult.portal import service
from consult.portal.models import ActionItem, Organisation, Response
from tests.conftest import signed_in_client
from tests.web.programme_steps import make_people
from tests.web.timeline_steps import booked_consultation, closed_round, current_definition


def run(runner):
    result = runner.invoke(args=["nudges", "send"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def mail_to(app, address):
    with app.app_context():
        return list(
            get_session().exec(select(OutboxEmail).where(OutboxEmail.to_address == address)).all()
        )


def open_round_closing_in(app, clock, organisation, days):
    with app.app_context():
        db = get_session()
        assessment_round = service.open_round(
            session=db,
            organisation=db.get(Organisation, organisation.id),
            definition=current_definition(),
            name="Winter",
            closes_on=(clock() + timedelta(days=days)).date(),
            today=clock().date(),
            now=clock(),
        )
        db.commit()
        return assessment_round


def test_each_round_nudge_goes_once_to_those_who_have_not_submitted(app, clock, runner):
    organisation, owner, members = make_people(app, clock)
    assessment_round = open_round_closing_in(app, clock, organisation, 10)
    with app.app_context():
        get_session().add(
            Response(
                round_id=assessment_round.id,
                user_id=owner.id,
                role_group="executive-leadership",
                started_at=clock(),
                updated_at=clock(),
                submitted_at=clock(),
            )
        )
        get_session().commit()
    assert run(runner) == "nudges: 2 round.invitation"
    assert run(runner) == "nudges: none due"  # cron again: nothing twice
    clock.advance(days=8)  # two days before it closes, in the next week
    assert run(runner) == "nudges: 2 round.reminder"
    clock.advance(days=2)
    assert run(runner) == "nudges: 2 round.closing"
    assert run(runner) == "nudges: none due"
    # The owner had answered, and there is no plan yet to summarise: nothing to them.
    assert mail_to(app, owner.email) == []
    subjects = [email.subject for email in mail_to(app, members[0].email)]
    assert subjects == [
        "Riverside Clinic: Winter is open",
        f"Winter closes on {assessment_round.closes_on.strftime('%-d %B %Y')}",
        "Winter closes today",
    ]


def test_actions_due_and_overdue_nudge_whoever_carries_them_once(app, clock, runner):
    organisation, owner, members = make_people(app, clock)
    with app.app_context():
        db = get_session()
        closed_round(
            db,
            clock,
            organisation=db.get(Organisation, organisation.id),
            people=[owner, *members],
            value=2,
        )
        first, second, third = db.exec(select(ActionItem).order_by(ActionItem.position)).all()[:3]
        first.assignee_id, first.due_on = members[0].id, (clock() + timedelta(days=2)).date()
        second.assignee_id, second.due_on = members[1].id, (clock() - timedelta(days=1)).date()
        third.assignee_id, third.due_on = members[1].id, (clock() - timedelta(days=1)).date()
        third.status = "done"  # finished: no nudge, however late
        db.commit()
        first_title, second_title = first.title, second.title
    assert run(runner) == "nudges: 1 action.due, 1 action.overdue, 1 owner.weekly, 1 round.closed"
    assert [email.subject for email in mail_to(app, members[0].email)] == [
        f"Due soon: {first_title}"
    ]
    [overdue] = mail_to(app, members[1].email)
    assert overdue.subject == f"Overdue: {second_title}" and "was due on" in overdue.text_body
    clock.advance(days=3)  # the first is overdue now: one more nudge, the second none again
    assert run(runner) == "nudges: 1 action.overdue"
    assert run(runner) == "nudges: none due"


def test_one_click_stops_every_nudge_to_that_person(app, clock, runner):
    organisation, _, members = make_people(app, clock)
    open_round_closing_in(app, clock, organisation, 10)
    run(runner)
    [invitation] = mail_to(app, members[0].email)
    stop = re.search(r"http://consult\.test(/portal/reminders/stop/\S+)", invitation.text_body)
    assert invitation.extra_headers["List-Unsubscribe"] == f"<{stop.group(0)}>"
    assert invitation.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    client = app.test_client()
    assert "Stop reminders" in client.get(stop.group(1)).get_data(as_text=True)
    # A mail program's one-click: a POST without any form token.
    stopped = client.post(stop.group(1), data={"List-Unsubscribe": "One-Click"})
    assert stopped.status_code == 200 and "No more reminders" in stopped.get_data(as_text=True)
    assert client.post(stop.group(1)).status_code == 200  # twice is fine
    assert client.get("/portal/reminders/stop/forged-token").status_code == 404
    download = signed_in_client(app, members[0]).get("/accounts/data.json").get_json()
    assert download["account"]["reminders_stopped_at"] == clock().isoformat()
    clock.advance(days=8)
    # The owner and the other member only.
    assert run(runner) == "nudges: 2 round.reminder"
    assert len(mail_to(app, members[0].email)) == 1


def test_a_nudge_another_run_already_sent_is_not_sent_again(app, clock, runner):
    """Two servers' runs read the same due nudges; the unique key lets only one send each."""
    organisation, _, members = make_people(app, clock, members=1)
    open_round_closing_in(app, clock, organisation, 10)
    with app.app_context():
        due = due_nudges(
            get_session(),
            today=clock().date(),
            now=clock(),
            definitions=app.extensions["consult.assessments"],
            time_zone=UTC,
        )
        [first, second] = [nudge for nudge in due if nudge.kind == "round.invitation"]
        engine, secret = get_engine(), app.config["SECRET_KEY"]
        assert send_nudge(engine=engine, nudge=first, secret_key=secret, now=clock())
        assert not send_nudge(engine=engine, nudge=first, secret_key=secret, now=clock())
        assert send_nudge(engine=engine, nudge=second, secret_key=secret, now=clock())
        get_session().rollback()  # a fresh snapshot: the sends committed in sessions of their own
        assert len(get_session().exec(select(NudgeSent)).all()) == 2  # the summary is not sent
    assert len(mail_to(app, members[0].email)) == 1


def test_owners_get_one_summary_a_week_of_where_things_stand(app, clock, runner):
    organisation, owner, members = make_people(app, clock)
    with app.app_context():
        db = get_session()
        home = db.get(Organisation, organisation.id)
        closed_round(db, clock, organisation=home, people=[owner, *members], value=2)
        booked_consultation(
            db, clock, organisation=home, booker=members[0], starts_at=clock() + timedelta(days=6)
        )
        db.commit()
    assert run(runner) == "nudges: 1 owner.weekly, 1 round.closed"
    summary = next(email for email in mail_to(app, owner.email) if "your week" in email.subject)
    new_plan = r"The plan moved: \d+ actions new or changed this week\."  # made this week
    assert re.search(new_plan, summary.text_body)
    assert "1 consultation coming up, the next on 1 December." in summary.text_body
    assert re.search(
        r"The plan: 0 done, 0 in progress, \d+ not started, 0 overdue\.", summary.text_body
    )
    assert mail_to(app, members[0].email) == []  # members get no summary
    clock.advance(days=4)  # Sunday: the same week
    assert run(runner) == "nudges: none due"
    clock.advance(days=1)  # Monday
    assert run(runner) == "nudges: 1 owner.weekly"
    clock.advance(days=7)  # a week in which nothing moved: no summary
    assert run(runner) == "nudges: none due"
    clock.advance(days=7)
    with app.app_context():
        db = get_session()
        action = db.exec(select(ActionItem).order_by(ActionItem.position)).first()
        action.status, action.updated_at = "in_progress", clock()
        db.commit()
    assert run(runner) == "nudges: 1 owner.weekly"
    latest = mail_to(app, owner.email)[-1]
    assert "The plan moved: 1 action new or changed this week." in latest.text_body
    assert "The plan: 0 done, 1 in progress" in latest.text_body


def test_owners_are_told_once_that_a_round_closed_with_the_link_to_its_results(app, clock, runner):
    organisation, owner, members = make_people(app, clock)
    with app.app_context():
        db = get_session()
        home = db.get(Organisation, organisation.id)
        old = closed_round(db, clock, organisation=home, people=[owner, *members], value=2)
        db.commit()
    clock.advance(days=8)  # closed longer ago than a notice is worth: never announced
    with app.app_context():
        db = get_session()
        home = db.get(Organisation, organisation.id)
        new = closed_round(
            db, clock, organisation=home, people=[owner, *members], value=3, name="Autumn"
        )
        db.commit()
    assert run(runner) == "nudges: 1 owner.weekly, 1 round.closed"
    [notice] = [email for email in mail_to(app, owner.email) if "is closed" in email.subject]
    assert notice.subject == "Autumn is closed: the results are ready"
    assert (
        f"http://consult.test/portal/o/{organisation.public_id}/r/{new.public_id}/results"
        in notice.text_body
    )
    assert old.public_id not in notice.text_body
    assert notice.extra_headers["List-Unsubscribe"]
    assert all("is closed" not in email.subject for email in mail_to(app, members[0].email))
    assert run(runner) == "nudges: none due"
