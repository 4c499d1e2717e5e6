"""Which nudges are due, as candidates before those already sent or stopped are left out:
round invitations, reminders and closing notices, owners' notice of a closed round, actions due
and overdue, owners' weekly summaries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlmodel import Session, col, select

from consult.accounts.models import User
from consult.db import id_of
from consult.portal.library import AssessmentLibrary
from consult.portal.models import (
    ActionItem,
    ActionNote,
    AssessmentRound,
    Membership,
    Organisation,
    Response,
)
from consult.portal.timeline import FINISHED_ACTION_STATUSES, Timeline
from consult.portal.timeline_data import organisation_record
from consult.urls import absolute_url

REMINDER_DAYS = 3  # a round's reminder, and an action's "due soon", this many days ahead
# A round closed longer ago than this is not announced (so a first run does not announce them all).
CLOSED_NOTICE_DAYS = 7
SUMMARY_DAYS = 7  # the weekly summary looks this far back for the plan's movement


@dataclass(frozen=True)
class Nudge:
    """One e-mail to one person about one thing; `subject_key` names the thing."""

    kind: str
    subject_key: str
    user_id: int
    email: str
    name: str
    subject: str
    lines: tuple[str, ...]
    link: str
    link_label: str


def round_nudges(session: Session, *, today: date) -> Iterable[Nudge]:
    rows = session.exec(
        select(AssessmentRound, Organisation)
        .join(Organisation, col(Organisation.id) == col(AssessmentRound.organisation_id))
        .where(AssessmentRound.status == "open")
    ).all()
    if not rows:
        return
    organisation_ids = {organisation.id for _, organisation in rows}
    people: dict[int | None, list[User]] = {}
    for membership, user in session.exec(
        select(Membership, User)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(col(Membership.organisation_id).in_(organisation_ids))
    ).all():
        people.setdefault(membership.organisation_id, []).append(user)
    submitted = set(
        session.exec(
            select(Response.round_id, Response.user_id).where(
                col(Response.round_id).in_([item.id for item, _ in rows]),
                col(Response.submitted_at).is_not(None),
            )
        ).all()
    )
    for assessment_round, organisation in rows:
        days_left = (assessment_round.closes_on - today).days
        closes = assessment_round.closes_on.strftime("%-d %B %Y")
        link = absolute_url("portal.organisation", organisation_id=organisation.public_id)
        kinds = [("round.invitation", f"{organisation.name}: {assessment_round.name} is open")]
        if 1 <= days_left <= REMINDER_DAYS:
            kinds.append(("round.reminder", f"{assessment_round.name} closes on {closes}"))
        if days_left == 0:
            kinds.append(("round.closing", f"{assessment_round.name} closes today"))
        for user in people.get(organisation.id, []):
            if (assessment_round.id, user.id) in submitted:
                continue
            for kind, subject in kinds:
                yield Nudge(
                    kind=kind,
                    subject_key=assessment_round.public_id,
                    user_id=user.id or 0,
                    email=user.email,
                    name=user.name,
                    subject=subject,
                    lines=(
                        f"{organisation.name}'s assessment round {assessment_round.name} is "
                        f"open until {closes}, and your view of how things are matters to it.",
                        "Your answers are yours: the organisation sees only what everyone "
                        "said together.",
                    ),
                    link=link,
                    link_label="Take or continue the assessment",
                )


def closed_round_notices(session: Session, *, now: datetime) -> Iterable[Nudge]:
    """Each owner is told, once, that a round of their organisation closed, with the link to its
    results and plan.
    """
    rows = session.exec(
        select(AssessmentRound, Organisation, User)
        .join(Organisation, col(Organisation.id) == col(AssessmentRound.organisation_id))
        .join(Membership, col(Membership.organisation_id) == col(Organisation.id))
        .join(User, col(User.id) == col(Membership.user_id))
        .where(
            AssessmentRound.status == "closed",
            col(AssessmentRound.closed_at) >= now - timedelta(days=CLOSED_NOTICE_DAYS),
            Membership.role == "owner",
        )
    ).all()
    for assessment_round, organisation, user in rows:
        yield Nudge(
            kind="round.closed",
            subject_key=assessment_round.public_id,
            user_id=user.id or 0,
            email=user.email,
            name=user.name,
            subject=f"{assessment_round.name} is closed: the results are ready",
            lines=(
                f"{organisation.name}'s assessment round {assessment_round.name} has closed.",
                "The results and the plan they suggest are ready. Read them with your team "
                "before deciding what comes first: the plan is yours to shape.",
            ),
            link=absolute_url(
                "portal.results",
                organisation_id=organisation.public_id,
                round_id=assessment_round.public_id,
            ),
            link_label="See the results and the plan",
        )


def action_nudges(session: Session, *, today: date) -> Iterable[Nudge]:
    rows = session.exec(
        select(ActionItem, AssessmentRound, Organisation, User)
        .join(AssessmentRound, col(AssessmentRound.id) == col(ActionItem.round_id))
        .join(Organisation, col(Organisation.id) == col(AssessmentRound.organisation_id))
        .join(User, col(User.id) == col(ActionItem.assignee_id))
        .where(
            col(ActionItem.status).not_in(FINISHED_ACTION_STATUSES),
            col(ActionItem.due_on).is_not(None),
            col(ActionItem.due_on) <= today + timedelta(days=REMINDER_DAYS),
        )
    ).all()
    for action, assessment_round, organisation, user in rows:
        if action.due_on is None:  # excluded by the query; narrows the type
            continue
        overdue = action.due_on < today
        due = action.due_on.strftime("%-d %B %Y")
        link = absolute_url(
            "portal.results",
            organisation_id=organisation.public_id,
            round_id=assessment_round.public_id,
            _anchor=f"action-{action.public_id}",
        )
        yield Nudge(
            kind="action.overdue" if overdue else "action.due",
            subject_key=action.public_id,
            user_id=user.id or 0,
            email=user.email,
            name=user.name,
            subject=f"{'Overdue' if overdue else 'Due soon'}: {action.title}",
            lines=(
                f"“{action.title}”, which you carry for {organisation.name}, "
                + (f"was due on {due}." if overdue else f"is due on {due}."),
                "If it has moved on, or the date no longer fits, say so on the plan: "
                "a changed date is progress too.",
            ),
            link=link,
            link_label="Open the action",
        )


def moved_actions(session: Session, *, since: datetime) -> dict[int, int]:
    """How many actions of each organisation's plans changed, or were noted on, since `since`
    (a plan made in that time counts: its actions are new), by organisation id.
    """
    changed = session.exec(
        select(AssessmentRound.organisation_id, ActionItem.id)
        .join(ActionItem, col(ActionItem.round_id) == col(AssessmentRound.id))
        .where(col(ActionItem.updated_at) >= since)
    ).all()
    noted = session.exec(
        select(AssessmentRound.organisation_id, ActionItem.id)
        .join(ActionItem, col(ActionItem.round_id) == col(AssessmentRound.id))
        .join(ActionNote, col(ActionNote.action_item_id) == col(ActionItem.id))
        .where(col(ActionNote.created_at) >= since)
    ).all()
    actions: dict[int, set[int | None]] = {}
    for organisation_id, action_id in (*changed, *noted):
        actions.setdefault(organisation_id, set()).add(action_id)
    return {organisation_id: len(ids) for organisation_id, ids in actions.items()}


def summary_lines(
    organisation_name: str, timeline: Timeline, *, moved: int, time_zone: tzinfo
) -> tuple[str, ...]:
    """The week's summary of an organisation's engagement, for its owners (dates in
    `time_zone`, the consultant's); `moved` actions of the plan changed this week.
    """
    lines = [
        f"Where {organisation_name}'s work with us stands this week:",
        f"The plan moved: {moved} action{'s' if moved != 1 else ''} new or changed this week.",
    ]
    if timeline.upcoming:
        lines.append(
            f"{len(timeline.upcoming)} consultation{'s' if len(timeline.upcoming) != 1 else ''} "
            f"coming up, the next on {timeline.upcoming[0].at.astimezone(time_zone):%-d %B}."
        )
    else:
        lines.append("No consultation booked.")
    plan = timeline.plan
    if plan is not None:
        lines.append(
            f"The plan: {plan.done} done, {plan.in_progress} in progress, "
            f"{plan.not_started} not started, {plan.overdue} overdue."
        )
    for programme in timeline.running_programmes:
        ends = f"{programme.ends_at.astimezone(time_zone):%-d %B %Y}" if programme.ends_at else ""
        lines.append(
            f"{programme.name}: {programme.sessions_left} of {programme.sessions_included} "
            f"sessions left, until {ends}."
        )
    return tuple(lines)


def weekly_summaries(
    session: Session,
    *,
    today: date,
    now: datetime,
    definitions: AssessmentLibrary,
    time_zone: tzinfo,
) -> Iterable[Nudge]:
    """Each owner's summary of the week, for organisations whose plan moved in the last
    SUMMARY_DAYS days; nothing for the others.
    """
    year, week, _ = today.isocalendar()
    moved = moved_actions(session, since=now - timedelta(days=SUMMARY_DAYS))
    owners: dict[int | None, list[User]] = {}
    for membership, user in session.exec(
        select(Membership, User)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(Membership.role == "owner")
    ).all():
        owners.setdefault(membership.organisation_id, []).append(user)
    for organisation in session.exec(
        select(Organisation).where(
            col(Organisation.id).in_([key for key in owners if key in moved])
        )
    ).all():
        record = organisation_record(
            session,
            organisation=organisation,
            definitions=definitions,
            now=now,
            time_zone=time_zone,
        )
        lines = summary_lines(
            organisation.name,
            record.timeline,
            moved=moved[id_of(organisation)],
            time_zone=time_zone,
        )
        link = absolute_url("portal.organisation", organisation_id=organisation.public_id)
        for user in owners[organisation.id]:
            yield Nudge(
                kind="owner.weekly",
                subject_key=f"{organisation.public_id}:{year}-W{week:02d}",
                user_id=user.id or 0,
                email=user.email,
                name=user.name,
                subject=f"{organisation.name}: your week",
                lines=lines,
                link=link,
                link_label="See the whole timeline",
            )
