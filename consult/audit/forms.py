"""The admin's filter of the audit log: event type, person, organisation, dates (a GET form)."""

from __future__ import annotations

from wtforms import DateField, Field, SelectField, StringField

# types-WTForms 3.2 predates SelectChoice (WTForms 3.3), which replaces the deprecated tuples.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import Length, Optional, ValidationError

from consult.audit.events import EVENT_TYPES
from consult.form_validators import NoControlCharacters, SaneDate
from consult.forms import SiteForm


class AuditFilterForm(SiteForm):
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
    since = DateField("From", validators=[Optional(), SaneDate()], format="%Y-%m-%d")
    until = DateField("Until (inclusive)", validators=[Optional(), SaneDate()], format="%Y-%m-%d")

    def validate_until(self, field: Field) -> None:
        if self.since.data and field.data and field.data < self.since.data:
            raise ValidationError("Choose an end date on or after the start date.")
