"""The comparison with other organisations: its figures made when a round closes, read on view.

A results page reads one row of figures and its own organisation's latest round, however many
organisations have results (`comparison.peer_figures` keeps what the medians need).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from consult.db import begin_as_writer
from consult.portal.comparison import FIGURES_FORMAT, benchmark, peer_figures
from consult.portal.models import AssessmentRound, BenchmarkFigures


def refresh_benchmark_figures(
    session: Session, *, definition_key: str, definition_version: int
) -> dict[str, Any]:
    """Make one assessment version's figures again from every organisation's latest closed round.

    Under the figures row's lock, taken before reading the rounds: of two rounds closing at once,
    the second waits for the first to commit and then counts it. (SQLite runs writers one at a
    time already.)
    """
    key = {"definition_key": definition_key, "definition_version": definition_version}
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(BenchmarkFigures).values(**key).on_conflict_do_nothing())
    session.exec(
        select(BenchmarkFigures.definition_key)
        .where(
            BenchmarkFigures.definition_key == definition_key,
            BenchmarkFigures.definition_version == definition_version,
        )
        .with_for_update()
    ).one()
    latest: dict[int, Mapping[str, Any] | None] = {}
    for organisation_id, result in session.exec(
        select(AssessmentRound.organisation_id, AssessmentRound.result)
        .where(
            AssessmentRound.status == "closed",
            AssessmentRound.definition_key == definition_key,
            AssessmentRound.definition_version == definition_version,
        )
        .order_by(col(AssessmentRound.closed_at), col(AssessmentRound.id))
    ):
        latest[organisation_id] = result
    figures = peer_figures(result["dimension_means"] for result in latest.values() if result)
    session.execute(
        update(BenchmarkFigures)
        .where(
            col(BenchmarkFigures.definition_key) == definition_key,
            col(BenchmarkFigures.definition_version) == definition_version,
        )
        .values(figures=figures)
    )
    return figures


def standing_among_peers(
    session: Session, assessment_round: AssessmentRound, means: dict[str, float | None]
) -> dict[str, tuple[float, int]] | None:
    """The round's dimension means against the other organisations' latest (`benchmark`).

    Two queries. Figures missing (a version whose rounds all closed before they were kept) or of
    an older format are made here, once: the caller then commits.
    """
    stored = session.get(
        BenchmarkFigures, (assessment_round.definition_key, assessment_round.definition_version)
    )
    figures = stored.figures if stored is not None else None
    if not figures or figures.get("format") != FIGURES_FORMAT:
        begin_as_writer(session)
        figures = refresh_benchmark_figures(
            session,
            definition_key=assessment_round.definition_key,
            definition_version=assessment_round.definition_version,
        )
    own_latest = session.exec(
        select(AssessmentRound.result)
        .where(
            AssessmentRound.organisation_id == assessment_round.organisation_id,
            AssessmentRound.status == "closed",
            AssessmentRound.definition_key == assessment_round.definition_key,
            AssessmentRound.definition_version == assessment_round.definition_version,
        )
        .order_by(col(AssessmentRound.closed_at).desc(), col(AssessmentRound.id).desc())
        .limit(1)
    ).first()
    counted = own_latest["dimension_means"] if own_latest else None
    return benchmark(means, figures, counted=counted)
