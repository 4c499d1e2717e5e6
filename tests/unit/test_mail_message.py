"""Building messages and the retry schedule."""

from datetime import UTC, datetime, timedelta

from consult.mail.message import RETRY_DELAYS, build_message, retry_delay


def message(**overrides):
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
    return build_message(**{**fields, **overrides})


def test_a_message_has_a_text_and_an_html_part():
    built = message(extra_headers={"List-Unsubscribe": "<https://consult.example/u/1>"})
    assert built["From"] == "Irons Consulting Group <hello@consult.example>"
    assert built["Message-ID"] == "<1@consult.example>"
    assert built["List-Unsubscribe"] == "<https://consult.example/u/1>"
    assert built.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in built.iter_parts()] == ["text/plain", "text/html"]


def test_an_ics_invitation_is_attached_after_the_two_parts():
    built = message(
        attachments=[
            {
                "filename": "invite.ics",
                "subtype": "calendar",
                "method": "REQUEST",
                "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
            }
        ]
    )
    assert built.get_content_type() == "multipart/mixed"
    [body, invite] = built.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    assert invite.get_content_type() == "text/calendar" and invite.get_filename() == "invite.ics"
    assert invite.get_param("method") == "REQUEST" and "BEGIN:VCALENDAR" in invite.get_content()


def test_retries_back_off_and_then_give_up():
    delays = [retry_delay(attempt) for attempt in range(1, len(RETRY_DELAYS) + 1)]
    assert delays[0] == timedelta(minutes=1)
    assert delays == sorted(delays)
    assert timedelta(hours=20) < sum(delays, timedelta()) < timedelta(hours=30)
    assert retry_delay(len(RETRY_DELAYS) + 1) is None
