"""What a guest types on the details form: control characters refused next to the field with the
other answers kept; line breaks welcome in intake answers, all the way to the e-mails."""

import re

import pytest

from tests.web.booking_flow import GUEST, book, bookings, emails, free_slots, pay_with_test_provider

SLUG = "leadership-strategy-session"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Ana\x00Reyes"),
        ("name", "Ana\r\nBcc: x@evil.example"),
        ("organisation", "Riverside\x1b[31m Clinic"),
        ("role", "Chief\nnursing officer"),
        ("phone", "555\x07 0100"),
        ("email", "ana\x00@clinic.example"),
        ("intake_what_matters", "Hearing\x00 our night staff."),
        ("intake_what_matters", "Hearing\x85 our night staff."),
    ],
)
def test_control_characters_are_refused_at_the_field_with_the_answers_kept(
    booking_app, guest, field, value
):
    start = free_slots(guest, SLUG, "2026-11-30")[0]
    response = book(guest, SLUG, start, **{field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', html, re.S)
    assert error and "control characters" in error.group(1)
    kept = {key: answer for key, answer in GUEST.items() if key not in (field, "accept_policy")}
    for answer in kept.values():
        assert answer in html
    assert bookings(booking_app) == [] and emails(booking_app) == []
    assert start in free_slots(guest, SLUG, "2026-11-30")


def test_line_breaks_and_any_script_in_an_intake_answer_reach_the_consultant(booking_app, guest):
    answer = "Hearing our night staff.\r\nAnd our porters.\n\tAnd 北京 too."
    start = free_slots(guest, SLUG, "2026-11-30")[0]
    response = book(guest, SLUG, start, intake_what_matters=answer, name="Zoë O'Brien")
    assert response.status_code == 303
    pay_with_test_provider(guest, response)
    [booking] = bookings(booking_app)
    assert booking.status == "confirmed" and booking.notifications_due is None
    assert booking.intake_answers["what_matters"] == answer.strip()
    [note] = [email for email in emails(booking_app) if email.subject.startswith("New booking")]
    assert "And our porters." in note.text_body and "北京" in note.text_body
    assert booking.paid_minor == booking.amount_minor == 45000  # the test provider's total
