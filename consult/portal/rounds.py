"""Closing a round: score the submitted answers, keep the figures, and lay out the action plan."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from consult.db import begin_as_writer
from consult.portal.benchmarking import refresh_benchmark_figures
from consult.portal.definition import AssessmentDefinition
from consult.portal.library import AssessmentLibrary
from consult.portal.models import ActionItem, AssessmentRound, Response, stored_id
from consult.portal.plan import build_action_plan
from consult.portal.scoring import Respondent, RoundResult, score_round
from consult.portal.stored_scores import scores_from_json, scores_to_json


def score_submitted(
    session: Session, assessment_round: AssessmentRound, definition: AssessmentDefinition
) -> RoundResult:
    """The round's result from its submitted responses (one query)."""
    responses = session.exec(
        select(Response).where(
            Response.round_id == assessment_round.id, col(Response.submitted_at).is_not(None)
        )
    ).all()
    return score_round(definition, _respondents(responses))


def _respondents(responses: Iterable[Response]) -> list[Respondent]:
    return [
        Respondent(key=str(response.id), role_group=response.role_group, answers=response.answers)
        for response in responses
    ]


def shown_overall_indexes(
    session: Session, rounds: Sequence[AssessmentRound], definitions: AssessmentLibrary
) -> dict[int, float | None]:
    """Each closed round's overall index as its results page shows it: from the result stored at
    closing, scored from the submitted answers (one query for all of them) only for a round
    closed before results were stored.

    None for a round too few answered to show figures, or whose definition is gone.
    """
    closed = {stored_id(item): item for item in rounds if item.status == "closed"}
    results: dict[int, RoundResult | None] = {
        round_id: scores_from_json(item.scores) for round_id, item in closed.items()
    }
    unstored = [round_id for round_id, result in results.items() if result is None]
    by_round: dict[int, list[Response]] = {round_id: [] for round_id in unstored}
    if unstored:
        for response in session.exec(
            select(Response).where(
                col(Response.round_id).in_(unstored), col(Response.submitted_at).is_not(None)
            )
        ).all():
            by_round[response.round_id].append(response)
    for round_id in unstored:
        assessment_round = closed[round_id]
        definition = definitions.get(
            assessment_round.definition_key, assessment_round.definition_version
        )
        results[round_id] = (
            score_round(definition, _respondents(by_round[round_id])) if definition else None
        )
    return {
        round_id: result.overall
        if result is not None and result.respondent_count >= result.min_group_size
        else None
        for round_id, result in results.items()
    }


def closed_round_result(
    session: Session, assessment_round: AssessmentRound, definition: AssessmentDefinition
) -> RoundResult:
    """A closed round's result as stored when it closed (no query); scored again only for a
    round closed before results were stored.
    """
    return scores_from_json(assessment_round.scores) or score_submitted(
        session, assessment_round, definition
    )


def close_round(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    definition: AssessmentDefinition,
    now: datetime,
) -> bool:
    """Close an open round (False if it already was): keep its figures, count them in the
    comparison with other organisations, and create its plan.
    """
    claimed = session.exec(
        update(AssessmentRound)
        .where(
            col(AssessmentRound.id) == assessment_round.id, col(AssessmentRound.status) == "open"
        )
        .values(status="closed", closed_at=now)
    )
    if claimed.rowcount != 1:
        return False
    session.refresh(assessment_round)
    result = score_submitted(session, assessment_round, definition)
    assessment_round.result = {
        "overall": result.overall,
        "band": result.band,
        "respondents": result.respondent_count,
        "dimension_means": result.dimension_means(),
    }
    assessment_round.scores = scores_to_json(result)
    session.add(assessment_round)
    session.flush()
    refresh_benchmark_figures(
        session,
        definition_key=assessment_round.definition_key,
        definition_version=assessment_round.definition_version,
    )
    if result.respondent_count < definition.min_group_size:
        return True  # too few to show anything without exposing someone: no figures, no plan
    for position, action in enumerate(build_action_plan(definition, result).actions):
        session.add(
            ActionItem(
                public_id=secrets.token_urlsafe(12),
                round_id=stored_id(assessment_round),
                recommendation_key=action.recommendation_key,
                dimension=action.dimension,
                phase_days=action.phase_days,
                position=position,
                title=action.title,
                why=action.why,
                steps=list(action.steps),
                effort=action.effort,
                impact=action.impact,
                blog_tags=list(action.blog_tags),
                consultation_type=action.consultation_type,
                updated_at=now,
            )
        )
    session.flush()
    return True


def close_due_rounds(
    *, engine: Engine, today: date, now: datetime, definitions: AssessmentLibrary
) -> int:
    """Close every open round whose closing date has passed.

    Safe when cron runs it on two servers at once.
    """
    with Session(engine) as session:
        due = session.exec(
            select(AssessmentRound.id).where(
                AssessmentRound.status == "open", AssessmentRound.closes_on < today
            )
        ).all()
    closed = 0
    for round_id in due:
        with Session(engine) as session:
            begin_as_writer(session)
            assessment_round = session.get_one(AssessmentRound, round_id)
            definition = definitions.get(
                assessment_round.definition_key, assessment_round.definition_version
            )
            if definition is not None and close_round(
                session=session, assessment_round=assessment_round, definition=definition, now=now
            ):
                closed += 1
            session.commit()
    return closed
