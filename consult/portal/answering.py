"""Answering the assessment: one section a page, saved with every page, reviewed, then submitted."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from consult.clock import app_now
from consult.db import get_session
from consult.portal import responses
from consult.portal.definition import AssessmentDefinition
from consult.portal.models import AssessmentRound, Response
from consult.portal.routes import Access, _access, _round_or_404, assessments, blueprint
from consult.portal.service import PortalError


def _my_response(
    organisation_id: str, round_id: str
) -> tuple[Access, AssessmentRound, AssessmentDefinition, Response]:
    """The asking member's access, the round, its definition and their response (started now)."""
    access = _access(organisation_id)
    if access.membership is None:
        abort(404)  # the consultant reads results; only members answer
    assessment_round = _round_or_404(access, round_id)
    definition = assessments().get(
        assessment_round.definition_key, assessment_round.definition_version
    )
    if definition is None:
        abort(404)
    response = responses.response_for(
        session=get_session(),
        assessment_round=assessment_round,
        membership=access.membership,
        now=app_now(),
    )
    return access, assessment_round, definition, response


@blueprint.route("/o/<organisation_id>/r/<round_id>/answer/<int:number>", methods=["GET", "POST"])
def answer_section(organisation_id: str, round_id: str, number: int) -> ResponseReturnValue:
    access, assessment_round, definition, response = _my_response(organisation_id, round_id)
    if not 1 <= number <= len(definition.sections):
        abort(404)
    autosave = request.method == "POST" and request.form.get("go") == "autosave"
    if response.submitted_at or assessment_round.status != "open":
        return (
            ("", 409)
            if autosave
            else redirect(
                url_for("portal.review", organisation_id=organisation_id, round_id=round_id)
            )
        )
    section = definition.sections[number - 1]
    problems: dict[str, str] = {}
    if request.method == "POST":
        submitted = {question.key: request.form.get(question.key) for question in section.questions}
        answers, problems = responses.clean_answers(definition, submitted)
        responses.save_answers(
            session=get_session(),
            assessment_round=assessment_round,
            response=response,
            answers=answers,
            now=app_now(),
        )
        get_session().commit()
        if autosave:  # saved while typing, by static/js/autosave.js: nothing to show
            return "", 204
        if not problems:
            if request.form.get("go") == "back" and number > 1:
                return redirect(
                    url_for(
                        "portal.answer_section",
                        organisation_id=organisation_id,
                        round_id=round_id,
                        number=number - 1,
                    ),
                    303,
                )
            if number < len(definition.sections):
                return redirect(
                    url_for(
                        "portal.answer_section",
                        organisation_id=organisation_id,
                        round_id=round_id,
                        number=number + 1,
                    ),
                    303,
                )
            return redirect(
                url_for("portal.review", organisation_id=organisation_id, round_id=round_id), 303
            )
    get_session().commit()  # a first visit starts the response
    answered = sum(1 for question in definition.questions if question.key in response.answers)
    return render_template(
        "portal/answer.html",
        access=access,
        assessment_round=assessment_round,
        definition=definition,
        section=section,
        number=number,
        answers=response.answers,
        problems=problems,
        answered=answered,
    ), 422 if problems else 200


@blueprint.route("/o/<organisation_id>/r/<round_id>/review", methods=["GET", "POST"])
def review(organisation_id: str, round_id: str) -> ResponseReturnValue:
    access, assessment_round, definition, response = _my_response(organisation_id, round_id)
    problem = None
    if request.method == "POST":
        try:
            responses.submit(
                session=get_session(),
                assessment_round=assessment_round,
                response=response,
                definition=definition,
                now=app_now(),
            )
        except PortalError as refusal:
            problem = str(refusal)
        else:
            get_session().commit()
            flash("Thank you. Your answers are submitted and can no longer change.", "success")
            return redirect(url_for("portal.organisation", organisation_id=organisation_id), 303)
    get_session().commit()
    missing = {question.key for question in responses.unanswered_required(definition, response)}
    return render_template(
        "portal/review.html",
        access=access,
        assessment_round=assessment_round,
        definition=definition,
        answers=response.answers,
        missing=missing,
        submitted=response.submitted_at is not None,
        problem=problem,
    ), 422 if problem else 200
