"""The benchmark's organisations: clients, memberships, answers and closed rounds, in bulk."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlmodel import Session

from consult.accounts.models import User
from consult.portal.definition import AssessmentDefinition
from consult.portal.models import AssessmentRound, Membership, Organisation, Response
from consult.portal.rounds import close_round


def add_organisations(
    session: Session,
    definition: AssessmentDefinition,
    password_hash: str,
    now: datetime,
    *,
    organisations: int,
    respondents: int,
) -> tuple[str, str]:
    """Organisations of `respondents` clients each (the first its owner), every one with a round
    answered by all and closed; the first organisation's and its round's public ids.
    """
    chooser = random.Random(2026)  # noqa: S311  repeatable answers, not a secret
    users = _clients(organisations * respondents, respondents, password_hash, now)
    session.execute(insert(User), users)
    user_ids = list(session.execute(select(User.id).where(User.role == "client")).scalars())
    groups = [group.key for group in definition.role_groups]
    questions = [question.key for question in definition.questions if question.kind != "text"]
    organisation_ids = list(
        session.execute(
            insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True),
            [
                {
                    "public_id": secrets.token_urlsafe(16),
                    "name": f"Bench Health {number}",
                    "created_at": now,
                }
                for number in range(organisations)
            ],
        ).scalars()
    )
    round_ids = list(
        session.execute(
            insert(AssessmentRound).returning(AssessmentRound.id, sort_by_parameter_order=True),
            [
                {
                    "public_id": secrets.token_urlsafe(16),
                    "organisation_id": organisation_id,
                    "definition_key": definition.key,
                    "definition_version": definition.version,
                    "name": "Spring round",
                    "closes_on": now.date() - timedelta(days=1),
                    "status": "open",
                    "opened_at": now - timedelta(days=30 + number % 60),
                }
                for number, organisation_id in enumerate(organisation_ids)
            ],
        ).scalars()
    )
    members = [
        (number, position, user_ids[number * respondents + position])
        for number in range(organisations)
        for position in range(respondents)
    ]
    session.execute(
        insert(Membership),
        [
            {
                "organisation_id": organisation_ids[number],
                "user_id": user_id,
                "role": "owner" if position == 0 else "member",
                "role_group": groups[position % len(groups)],
                "joined_at": now,
            }
            for number, position, user_id in members
        ],
    )
    session.execute(
        insert(Response),
        [
            {
                "round_id": round_ids[number],
                "user_id": user_id,
                "role_group": groups[position % len(groups)],
                "answers": {key: chooser.randint(1, 5) for key in questions},
                "started_at": now,
                "updated_at": now,
                "submitted_at": now,
            }
            for number, position, user_id in members
        ],
    )
    for number, round_id in enumerate(round_ids):  # the first closes earliest
        close_round(
            session=session,
            assessment_round=session.get_one(AssessmentRound, round_id),
            definition=definition,
            now=now - timedelta(hours=organisations - number),
        )
    if not round_ids:
        raise ValueError("no organisation was made")
    first_organisation = session.get_one(Organisation, organisation_ids[0])
    first_round = session.get_one(AssessmentRound, round_ids[0])
    return first_organisation.public_id, first_round.public_id


def _clients(
    count: int, respondents: int, password_hash: str, now: datetime
) -> list[dict[str, object]]:
    return [
        {
            "email": f"owner{number}@bench.example"
            if number % respondents == 0
            else f"member{number}@bench.example",
            "name": f"Member {number}",
            "password_hash": password_hash,
            "role": "client",
            "is_active": True,
            "session_token": secrets.token_hex(32),
            "created_at": now,
        }
        for number in range(count)
    ]
