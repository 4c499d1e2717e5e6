"""The admin's filter of the audit log: event type, person, organisation, dates (a GET form)."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, Field, SelectField, StringField

# types-WTForms 3.2 predates SelectChoice (WTForms 3.3), which replaces the deprecated tuples.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import Length, Optional, ValidationError

from consult.audit.events import EVENT_TYPES
from consult.form_validators import NoControlCharacters

EARLIEST_YEAR, LATEST_YEAR = 1900, 9000


def _plausible_year(_form: FlaskForm, field: Field) -> None:
    if isinstance(field.data, date) and not EARLIEST_YEAR <= field.data.year <= LATEST_YEAR:
        raise ValidationError(f"Choose a date between {EARLIEST_YEAR} and {LATEST_YEAR}.")


class AuditFilterForm(FlaskForm):
    """Read from the query string: a filter changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    event_type = SelectField(
        "Event",
        choices=[
            SelectChoice("", "Any event"),
            *(
                SelectChoice(name, label)
                for name, label in sorted(EVENT_TYPES.items(), key=lambda item: item[1])
            ),
        ],
        default="",
    )
    person = StringField(
        "Person (e-mail address or part of it)",
        validators=[Optional(), Length(max=254), NoControlCharacters()],
    )
    organisation = SelectField("Organisation", default="")
    since = DateField("From", validators=[Optional(), _plausible_year], format="%Y-%m-%d")
    until = DateField(
        "Until (inclusive)", validators=[Optional(), _plausible_year], format="%Y-%m-%d"
    )

    def validate_until(self, field: Field) -> None:
        if self.since.data and field.data and field.data < self.since.data:
            raise ValidationError("Choose an end date on or after the start date.")
