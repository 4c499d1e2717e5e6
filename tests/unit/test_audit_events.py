"""The audit log's plain parts: event names, cleaned text, described changes."""

from datetime import UTC, date, datetime, time

import pytest

from consult.audit.events import (
    EVENT_TYPES,
    GUEST,
    SYSTEM,
    UnknownEventType,
    check_event_type,
    clean_text,
    describe_changes,
    json_safe,
    user_actor,
)


def test_only_known_event_types_pass_and_each_reads_as_a_sentence():
    for name, label in EVENT_TYPES.items():
        check_event_type(name)
        assert label[0].isupper() and "_" not in label
    with pytest.raises(UnknownEventType):
        check_event_type("sign_in.succeded")


def test_actors_read_as_their_address_or_their_kind():
    assert user_actor(7, "jo@example.org").label == "jo@example.org"
    assert (GUEST.label, SYSTEM.label) == ("guest", "system")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mozilla/5.0\x00\r\nX-Injected: yes", "Mozilla/5.0   X-Injected: yes"),
        ("\x1b[31mred\x7f", " [31mred "),
        ("plain", "plain"),
    ],
)
def test_control_characters_never_reach_the_database_or_a_log_line(text, expected):
    assert clean_text(text) == expected


def test_long_text_is_cut():
    assert len(clean_text("x" * 10_000)) == 300
    assert len(clean_text("x" * 10_000, 64)) == 64


def test_json_safe_turns_times_into_iso_and_walks_containers():
    value = {
        "when": datetime(2026, 11, 25, 15, 0, tzinfo=UTC),
        "day": date(2026, 12, 1),
        "at": time(9, 30),
        "list": ({"n": 1}, None, True),
        "bad\x00key": "bad\x00value",
    }
    assert json_safe(value) == {
        "when": "2026-11-25T15:00:00+00:00",
        "day": "2026-12-01",
        "at": "09:30:00",
        "list": [{"n": 1}, None, True],
        "bad key": "bad value",
    }


def test_describe_changes_names_only_what_differs():
    before = {"name": "Intro", "price_minor": 0, "at": time(9), "gone": "x"}
    after = {"name": "Intro", "price_minor": 4500, "at": time(10), "new": [1]}
    assert describe_changes(before, after) == {
        "at": ["09:00:00", "10:00:00"],
        "gone": ["x", None],
        "new": [None, [1]],
        "price_minor": [0, 4500],
    }
    assert describe_changes(after, after) == {}
