"""Header text from anyone: folded onto one line, never able to add a header, never raising."""

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.mail.message import MAX_HEADER_CHARS, build_message, safe_header_value

LINE_ENDS = ["\r\n", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def built(**overrides):
    fields = dict(
        from_name="Irons Consulting Group",
        from_address="hello@consult.example",
        to_address="guest@example.org",
        subject="Hello",
        text_body="Plain words.",
        html_body="<p>Plain words.</p>",
        message_id="<1@consult.example>",
        date=datetime(2026, 11, 25, 12, tzinfo=UTC),
    )
    message = build_message(**{**fields, **overrides})
    # What a mail server reads: the bytes on the wire, parsed again.
    return message_from_bytes(bytes(message), policy=policy.default)


@pytest.mark.parametrize("line_end", LINE_ENDS)
def test_a_line_end_in_a_subject_gives_one_subject_and_no_bcc(line_end):
    received = built(subject=f"New booking: Ana{line_end}Bcc: x@evil.example")
    assert received.get_all("Subject") == ["New booking: Ana Bcc: x@evil.example"]
    assert received.get_all("Bcc") is None


@pytest.mark.parametrize(
    "field",
    [
        {"to_address": "a@example.org\r\nBcc: x@evil.example"},
        {"from_name": "Irons\r\nBcc: x@evil.example"},
        {"extra_headers": {"List-Unsubscribe": "<https://u.example/1>\r\nBcc: x@evil.example"}},
        {
            "attachments": [
                {
                    "filename": "invite.ics\r\nBcc: x@evil.example",
                    "subtype": "calendar",
                    "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                }
            ]
        },
    ],
)
def test_no_header_built_from_text_can_add_a_header(field):
    received = built(**field)
    assert received.get_all("Bcc") is None
    for name in ("Subject", "To", "From", "Message-ID", "Date"):
        assert len(received.get_all(name)) == 1


def test_nul_is_dropped_and_other_controls_become_single_spaces():
    assert safe_header_value("Riverside\x00 Clinic") == "Riverside Clinic"
    assert safe_header_value("  Night\t\tstaff\x07 \x7f team ") == "Night staff team"
    assert safe_header_value("Ünïcode, 北京 and emoji 🙂") == "Ünïcode, 北京 and emoji 🙂"


def test_an_overlong_value_is_cut_with_an_ellipsis():
    value = safe_header_value("word " * 200)
    assert len(value) == MAX_HEADER_CHARS and value.endswith("…")
    assert safe_header_value("abcdef", max_length=4) == "abc…"
    assert safe_header_value("abcd", max_length=4) == "abcd"


@settings(deadline=None)  # the machine is shared: timing is not what this test is about
@given(st.text(max_size=400))
def test_any_text_becomes_one_printable_line_that_builds_a_message(text):
    value = safe_header_value(text)
    assert len(value) <= MAX_HEADER_CHARS
    assert value == value.strip(" ") and "  " not in value
    assert not any(character in value for character in "\r\n\0\x85\u2028\u2029")
    received = built(subject=f"Booked: {text}", from_name=text)
    assert len(received.get_all("Subject")) == 1 and received.get_all("Bcc") is None
