"""Forms of the consultant's own changes to the calendar: time off, moving a booking, booking
someone in. Times are entered in the consultant's zone.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from flask import current_app
from wtforms import DateTimeLocalField, Field, RadioField, SelectField, StringField

# types-WTForms 3.2 predates SelectChoice (WTForms 3.3), which replaces the deprecated tuples.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.form import BaseForm
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    ValidationError,
)

from consult.booking.availability import is_known_time_zone
from consult.booking.guest_fields import (
    guest_email_field,
    guest_name_field,
    organisation_field,
    phone_field,
    role_field,
)
from consult.form_validators import NoControlCharacters
from consult.forms import SiteForm


def consultant_zone() -> tzinfo:
    zone: tzinfo = current_app.extensions["consult.site"].time_zone
    return zone


class LocalTimeField(DateTimeLocalField):
    """A date and time in the consultant's zone (the value comes back aware)."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        kwargs.setdefault("validators", [InputRequired("Enter a date and a time.")])
        # types-WTForms 3.2 predates `tz` and `invalid_value_message` (WTForms 3.3 has both).
        super().__init__(  # type: ignore[call-arg]
            label,
            format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
            invalid_value_message="Write a date and time like 2026-12-01 09:30.",
            tz=consultant_zone,
            **kwargs,
        )


def this_millennium(_form: BaseForm, field: Field) -> None:
    """Refuse years that would overflow once time is added to them, or make no sense here."""
    if field.data is not None and not 2000 <= field.data.year <= 2999:
        raise ValidationError("Choose a date from this century.")


class TimeOffForm(SiteForm):
    starts_at = LocalTimeField(
        "From", validators=[InputRequired("Enter when it starts."), this_millennium]
    )
    ends_at = LocalTimeField(
        "Until", validators=[InputRequired("Enter when it ends."), this_millennium]
    )
    reason = StringField(
        "Note for yourself (optional)", validators=[Length(max=200), NoControlCharacters()]
    )


class BookForGuestForm(SiteForm):
    consultation_type = SelectField("Consultation", coerce=int, choices=[])
    starts_at = LocalTimeField(
        "Starts", validators=[InputRequired("Enter when it starts."), this_millennium]
    )
    payment = RadioField(
        "Payment",
        choices=[
            SelectChoice("invoice_later", "Invoice later (the type's price)"),
            SelectChoice("not_required", "Free of charge"),
        ],
        default="invoice_later",
    )
    name = guest_name_field("Guest's name", missing="Enter the guest's name.")
    email = guest_email_field("Guest's e-mail address", missing="Enter the guest's e-mail address.")
    organisation = organisation_field("Organisation", missing="Enter the organisation.")
    role = role_field("Role", missing="Enter the guest's role.")
    phone = phone_field("Phone (needed for a phone call)")
    time_zone = StringField(
        "Guest's time zone", validators=[DataRequired("Enter a time zone."), Length(max=64)]
    )

    def validate_time_zone(self, field: Field) -> None:
        if not is_known_time_zone(field.data or ""):
            raise ValidationError("Use a time zone name like America/Chicago.")
