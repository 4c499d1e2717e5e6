"""What the portal does with a member's response: starting it, saving answers, submitting it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session, select

from consult.portal.definition import AssessmentDefinition, Question
from consult.portal.models import AssessmentRound, Membership, Response, stored_id
from consult.portal.service import PortalError

MAX_TEXT_ANSWER = 4000
StoredAnswer = int | str | None
"""1 to 5 for a scale or importance question, None for "not sure", text for a text question."""


def response_status(session: Session, assessment_round: AssessmentRound) -> dict[int, str]:
    """Who has responded (user id → "submitted" or "started") — never what they answered.

    Answers kept from a deleted account belong to no one, so they are not listed.
    """
    rows = session.exec(
        select(Response.user_id, Response.submitted_at).where(
            Response.round_id == assessment_round.id
        )
    ).all()
    return {
        user_id: "submitted" if submitted else "started"
        for user_id, submitted in rows
        if user_id is not None
    }


def response_for(
    *, session: Session, assessment_round: AssessmentRound, membership: Membership, now: datetime
) -> Response:
    """The member's own response in this round, started on first visit."""
    response = session.exec(
        select(Response).where(
            Response.round_id == assessment_round.id, Response.user_id == membership.user_id
        )
    ).first()
    if response is None:
        response = Response(
            round_id=stored_id(assessment_round),
            user_id=membership.user_id,
            role_group=membership.role_group,
            started_at=now,
            updated_at=now,
        )
        session.add(response)
        session.flush()
    return response


def clean_answers(
    definition: AssessmentDefinition, submitted: Mapping[str, str | None]
) -> tuple[dict[str, StoredAnswer], dict[str, str]]:
    """Turn a page of form values into stored answers; returns (answers, problems by question key).

    Scale and importance answers are 1 to 5, or "not_sure" (stored as None) where allowed.
    """
    answers: dict[str, StoredAnswer] = {}
    problems: dict[str, str] = {}
    for key, raw in submitted.items():
        question = _question_or_none(definition, key)
        if question is None or raw is None or raw == "":
            continue
        if question.kind == "text":
            if len(raw) > MAX_TEXT_ANSWER:
                problems[key] = f"Please keep this under {MAX_TEXT_ANSWER} characters."
            else:
                answers[key] = raw.strip()
        elif raw == "not_sure" and question.allow_not_sure:
            answers[key] = None
        elif raw in ("1", "2", "3", "4", "5"):
            answers[key] = int(raw)
        else:
            problems[key] = "Choose one of the answers."
    return answers, problems


def _question_or_none(definition: AssessmentDefinition, key: str) -> Question | None:
    try:
        return definition.question(key)
    except KeyError:
        return None


def save_answers(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    response: Response,
    answers: Mapping[str, StoredAnswer],
    now: datetime,
) -> None:
    """Keep a page of answers (merged into what was saved before)."""
    if assessment_round.status != "open":
        raise PortalError("This round is closed; answers can no longer change.")
    if response.submitted_at is not None:
        raise PortalError("You have submitted your answers; they can no longer change.")
    response.answers = {**response.answers, **answers}
    response.updated_at = now
    session.add(response)
    session.flush()


def unanswered_required(definition: AssessmentDefinition, response: Response) -> list[Question]:
    """Required questions with no answer yet ("not sure" counts as an answer)."""
    return [
        question
        for question in definition.questions
        if question.required and question.key not in response.answers
    ]


def submit(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    response: Response,
    definition: AssessmentDefinition,
    now: datetime,
) -> None:
    """Lock the answers; every required question needs an answer (or "not sure")."""
    if assessment_round.status != "open":
        raise PortalError("This round is closed; answers can no longer be submitted.")
    missing = unanswered_required(definition, response)
    if missing:
        raise PortalError(f"{len(missing)} question(s) still need an answer.")
    response.submitted_at = now
    session.add(response)
    session.flush()
