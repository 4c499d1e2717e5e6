"""The guest's contact fields, defined once for the guest's details form and the consultant's
"book someone in" form: the same limits and checks, each form in its own words.
"""

from __future__ import annotations

from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from consult.form_validators import NoControlCharacters


def guest_name_field(label: str, *, missing: str) -> StringField:
    return StringField(
        label, validators=[DataRequired(missing), Length(max=120), NoControlCharacters()]
    )


def guest_email_field(label: str, *, missing: str) -> EmailField:
    return EmailField(
        label,
        validators=[
            DataRequired(missing),
            Email("Enter a valid e-mail address."),
            Length(max=254),
            NoControlCharacters(),
        ],
    )


def organisation_field(label: str, *, missing: str) -> StringField:
    return StringField(
        label, validators=[DataRequired(missing), Length(max=200), NoControlCharacters()]
    )


def role_field(label: str, *, missing: str) -> StringField:
    return StringField(
        label, validators=[DataRequired(missing), Length(max=120), NoControlCharacters()]
    )


def phone_field(label: str, *, missing: str | None = None) -> StringField:
    """The guest's number: optional, or required (a phone call) with `missing` as the message."""
    presence = DataRequired(missing) if missing else Optional()
    return StringField(label, validators=[presence, Length(max=40), NoControlCharacters()])
