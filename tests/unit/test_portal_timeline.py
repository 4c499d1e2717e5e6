"""The engagement timeline: what is upcoming or past, in which order, overdue actions by `now`,
and each round's change since the one before.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from consult.portal.timeline import (
    ActionFact,
    ConsultationFact,
    NoteFact,
    PlanProgress,
    ProgrammeFact,
    RoundFact,
    build_timeline,
    index_history,
    plan_progress,
)

NOW = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")


def consultation(public_id: str, starts_at: datetime, status: str = "confirmed"):
    return ConsultationFact(public_id, "Working session", starts_at, status, 1, "Ana", False)


def closed_round(public_id, closed_at, overall, *, version=1, key="readiness"):
    return RoundFact(
        public_id,
        public_id.title(),
        "closed",
        closed_at - timedelta(days=14),
        closed_at,
        closed_at.date(),
        key,
        version,
        overall,
    )


def build(**facts):
    arguments = {
        "consultations": [],
        "rounds": [],
        "actions": [],
        "programmes": [],
        "notes": [],
        "now": NOW,
        "time_zone": UTC,
    }
    return build_timeline(**(arguments | facts))


def test_upcoming_is_soonest_first_and_past_latest_first_across_kinds():
    later = consultation("later", NOW + timedelta(days=9))
    sooner = consultation("sooner", NOW + timedelta(hours=1))
    yesterday = consultation("yesterday", NOW - timedelta(days=1), "completed")
    note = NoteFact("Read chapter two", "Ms. Irons", NOW - timedelta(days=3))
    round_ = closed_round("spring", NOW - timedelta(days=2), 61.0)
    timeline = build(consultations=[later, yesterday, sooner], rounds=[round_], notes=[note])
    assert [entry.consultation for entry in timeline.upcoming] == [sooner, later]
    assert [entry.kind for entry in timeline.past] == ["consultation", "round", "note"]
    assert [entry.at for entry in timeline.past] == sorted(
        (entry.at for entry in timeline.past), reverse=True
    )


def test_a_cancelled_future_consultation_is_not_upcoming():
    cancelled = consultation("gone", NOW + timedelta(days=2), "cancelled")
    timeline = build(consultations=[cancelled])
    assert timeline.upcoming == ()
    assert timeline.past[0].consultation == cancelled


def test_a_consultation_starting_now_is_no_longer_upcoming():
    timeline = build(consultations=[consultation("now", NOW)])
    assert timeline.upcoming == () and len(timeline.past) == 1


def test_change_between_rounds_is_from_the_figures_as_shown():
    first = closed_round("first", NOW - timedelta(days=200), 55.5)  # shown 56
    second = closed_round("second", NOW - timedelta(days=100), 68.49)  # shown 68
    third = closed_round("third", NOW - timedelta(days=10), 68.5)  # shown 69
    history = index_history([third, first, second])
    assert [point.round.public_id for point in history] == ["first", "second", "third"]
    assert [point.change for point in history] == [None, 12, 1]


def test_no_change_across_assessment_versions_or_without_a_figure():
    first = closed_round("first", NOW - timedelta(days=200), 50.0)
    new_version = closed_round("second", NOW - timedelta(days=100), 70.0, version=2)
    too_few = closed_round("third", NOW - timedelta(days=10), None, version=2)
    assert [point.change for point in index_history([first, new_version, too_few])] == [
        None,
        None,
        None,
    ]


def test_an_open_round_is_on_the_timeline_without_a_change():
    open_round = RoundFact(
        "open", "Autumn", "open", NOW - timedelta(days=1), None, date(2027, 3, 20), "r", 1, None
    )
    timeline = build(rounds=[closed_round("spring", NOW - timedelta(days=90), 60.0), open_round])
    assert [point.round.public_id for point in timeline.index_history] == ["spring"]
    entry = next(entry for entry in timeline.past if entry.kind == "round" and entry.round)
    assert entry.round is not None and entry.round.round == open_round
    assert entry.round.change is None and entry.at == open_round.opened_at


def test_overdue_is_judged_by_the_date_at_now_in_the_time_zone():
    due_yesterday_in_utc = ActionFact("in_progress", date(2027, 3, 9))
    # 02:00 UTC on the 10th is still the 9th in Chicago: not overdue there yet.
    early = datetime(2027, 3, 10, 2, 0, tzinfo=UTC)
    assert build(actions=[due_yesterday_in_utc], now=early).plan == PlanProgress(0, 0, 0, 1, 0)
    assert build(actions=[due_yesterday_in_utc], now=early, time_zone=CHICAGO).plan == PlanProgress(
        0, 1, 0, 0, 0
    )


def test_plan_progress_counts_each_action_once():
    today = date(2027, 3, 10)
    actions = [
        ActionFact("done", date(2027, 1, 1)),  # done late is done, not overdue
        ActionFact("in_progress", date(2027, 3, 10)),  # due today: not overdue yet
        ActionFact("in_progress", None),
        ActionFact("not_started", date(2027, 3, 9)),
        ActionFact("not_started", None),
        ActionFact("not_doing", date(2027, 1, 1)),
    ]
    progress = plan_progress(actions, today=today)
    assert progress == PlanProgress(done=1, in_progress=2, not_started=1, overdue=1, not_doing=1)
    assert progress is not None and progress.total == len(actions)
    assert plan_progress([], today=today) is None


def test_running_programmes_end_soonest_first_and_ended_ones_are_left_out():
    def programme(public_id, ends_in_days, status="active"):
        return ProgrammeFact(
            public_id,
            public_id,
            status,
            NOW - timedelta(days=30),
            NOW + timedelta(days=ends_in_days),
            4,
            1,
        )

    later, sooner = programme("later", 60), programme("sooner", 5)
    ended, cancelled = programme("ended", -1), programme("cancelled", 30, "cancelled")
    timeline = build(programmes=[later, ended, sooner, cancelled])
    assert timeline.running_programmes == (sooner, later)
    assert sooner.sessions_left == 3
    assert sum(1 for entry in timeline.past if entry.kind == "programme") == 4
