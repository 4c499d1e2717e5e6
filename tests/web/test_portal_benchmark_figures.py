"""The comparison with other organisations, read from figures kept when rounds close.

The results page reads one row of figures (and its own organisation's latest round) rather than
every organisation's rounds; these tests check the medians it shows stay those of the others'
latest results as rounds close, after a restart without figures, and when two close at once.
"""

import re
import statistics
import threading
import time
from datetime import timedelta

from sqlmodel import Session, delete, select

from consult.accounts.service import create_user
from consult.db import ENGINE_KEY, begin_as_writer, get_session
from consult.portal import service
from consult.portal.comparison import FIGURES_FORMAT
from consult.portal.figures import score_text
from consult.portal.models import AssessmentRound, BenchmarkFigures, Organisation, Response
from consult.portal.rounds import close_round
from tests.conftest import TEST_PASSWORD, signed_in_client
from tests.web.portal_fixtures import definition


def answered_round(db, app, clock, number: int, value: int, organisation=None):
    """An open round of organisation `number` (made if not given) whose three people all
    answered `value`; returns the organisation, its owner and the round.
    """
    assessment = definition(app)
    if organisation is None:
        organisation = service.create_organisation(
            session=db, name=f"Organisation {number}", now=clock()
        )
        for person in range(3):
            user = create_user(
                session=db,
                email=f"o{number}p{person}@example.org",
                name=f"P{person}",
                password=TEST_PASSWORD,
                role="client",
                now=clock(),
            )
            service.add_member(
                session=db,
                organisation=organisation,
                user=user,
                role="owner",
                role_group="staff",
                now=clock(),
            )
    people = service.members(db, organisation)
    assessment_round = service.open_round(
        session=db,
        organisation=organisation,
        definition=assessment,
        name=f"Round {value}",
        closes_on=clock().date(),
        today=clock().date(),
        now=clock(),
    )
    for _membership, user in people:
        db.add(
            Response(
                round_id=assessment_round.id,
                user_id=user.id,
                role_group="staff",
                started_at=clock(),
                updated_at=clock(),
                submitted_at=clock(),
                answers={
                    question.key: value
                    for question in assessment.questions
                    if question.kind != "text"
                },
            )
        )
    db.flush()
    return organisation, people[0][1], assessment_round


def closed_round(app, clock, number, value, organisation=None):
    with app.app_context():
        db = get_session()
        made = answered_round(db, app, clock, number, value, organisation)
        close_round(session=db, assessment_round=made[2], definition=definition(app), now=clock())
        db.commit()
    clock.now += timedelta(hours=1)  # rounds close in the order they were made
    return made


def shown_median(app, owner, organisation, assessment_round) -> str | None:
    """The "Others' median" of the first dimension on the round's results page."""
    html = (
        signed_in_client(app, owner)
        .get(f"/portal/o/{organisation.public_id}/r/{assessment_round.public_id}/results")
        .get_data(as_text=True)
    )
    if "Others&#39; median" not in html and "Others' median" not in html:
        return None
    name = definition(app).dimensions[0].name
    row = re.search(rf"<th scope=\"row\">{re.escape(name)}</th>(.*?)</tr>", html, re.S)
    assert row is not None
    return re.findall(r"<td>([^<]*)</td>", row.group(1))[-1]


def median_of_latest(app, organisations) -> str:
    """The median of these organisations' latest results on the first dimension, as shown."""
    key = definition(app).dimensions[0].key
    with app.app_context():
        db = get_session()
        latest = [
            db.exec(
                select(AssessmentRound)
                .where(AssessmentRound.organisation_id == organisation.id)
                .order_by(AssessmentRound.closed_at.desc())  # type: ignore[union-attr]
            )
            .first()
            .result["dimension_means"][key]
            for organisation in organisations
        ]
    return score_text(statistics.median(latest))


def test_each_closing_round_moves_the_median_the_others_see(app, clock):
    made = [closed_round(app, clock, number, value) for number, value in enumerate((1, 2, 3, 4))]
    first, owner, first_round = made[0]
    assert shown_median(app, owner, first, first_round) is None  # four organisations in all

    made.append(closed_round(app, clock, 4, 5))
    others = [organisation for organisation, _, _ in made[1:]]
    assert shown_median(app, owner, first, first_round) == median_of_latest(app, others)

    made.append(closed_round(app, clock, 5, 5))
    others.append(made[-1][0])
    assert shown_median(app, owner, first, first_round) == median_of_latest(app, others)
    # Another organisation's new round replaces its earlier one among the others.
    closed_round(app, clock, 1, 1, organisation=made[1][0])
    assert shown_median(app, owner, first, first_round) == median_of_latest(app, others)
    # This organisation's own later round is never among the others, whichever round is shown.
    _, _, later_round = closed_round(app, clock, 0, 5, organisation=first)
    assert shown_median(app, owner, first, first_round) == median_of_latest(app, others)
    assert shown_median(app, owner, first, later_round) == median_of_latest(app, others)


def test_figures_missing_or_of_an_older_format_are_made_on_the_first_view(app, clock):
    made = [closed_round(app, clock, number, value) for number, value in enumerate((1, 2, 4, 4, 5))]
    first, owner, first_round = made[0]
    expected = median_of_latest(app, [organisation for organisation, _, _ in made[1:]])
    with app.app_context():
        get_session().exec(delete(BenchmarkFigures))  # as for rounds closed before they were kept
        get_session().commit()
    assert shown_median(app, owner, first, first_round) == expected
    with app.app_context():
        stored = get_session().exec(select(BenchmarkFigures)).one()
        assert stored.figures["organisations"] == 5
        stored.figures = {**stored.figures, "format": FIGURES_FORMAT - 1}
        get_session().add(stored)
        get_session().commit()
    assert shown_median(app, owner, first, first_round) == expected
    with app.app_context():
        assert get_session().exec(select(BenchmarkFigures)).one().figures["format"] == (
            FIGURES_FORMAT
        )


def test_two_rounds_closing_at_once_are_both_counted(app, clock):
    """The second closing waits for the first's lock on the figures, then counts its round."""
    for number, value in enumerate((1, 2, 3)):
        closed_round(app, clock, number, value)
    engine = app.extensions[ENGINE_KEY]
    with app.app_context():
        db = get_session()
        rounds = [answered_round(db, app, clock, number, 5)[2] for number in (3, 4)]
        db.commit()
        round_ids = [item.id for item in rounds]
    assessment = definition(app)

    def close(session: Session, round_id: int) -> None:
        begin_as_writer(session)
        close_round(
            session=session,
            assessment_round=session.get_one(AssessmentRound, round_id),
            definition=assessment,
            now=clock(),
        )

    failures: list[BaseException] = []

    def close_second(session: Session) -> None:
        try:
            close(session, round_ids[1])
            session.commit()
        except BaseException as error:  # reported by the test's own thread
            failures.append(error)

    with Session(engine) as first, Session(engine) as second:
        close(first, round_ids[0])
        waiting = threading.Thread(target=close_second, args=(second,))
        waiting.start()
        time.sleep(0.5)
        assert waiting.is_alive()  # held back by the first closing's lock
        first.commit()
        waiting.join(timeout=30)
        assert not waiting.is_alive() and not failures
    with app.app_context():
        figures = get_session().exec(select(BenchmarkFigures)).one().figures
        assert figures["organisations"] == len(get_session().exec(select(Organisation)).all()) == 5
