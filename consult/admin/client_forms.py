"""Forms of the consultant's client view: notes, the organisation's name, a member's group."""

from __future__ import annotations

from wtforms import RadioField, SelectField, StringField, TextAreaField

# types-WTForms 3.2 predates SelectChoice (WTForms 3.3), which replaces the deprecated tuples.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, InputRequired, Length

from consult.form_validators import NoControlCharacters
from consult.forms import SiteForm

MAX_NOTE = 5000


class NoteForm(SiteForm):
    body = TextAreaField(
        "Note (Markdown)",
        validators=[
            DataRequired("Write the note first."),
            Length(max=MAX_NOTE, message=f"Please keep a note under {MAX_NOTE:,} characters."),
            NoControlCharacters(multiline=True),
        ],
    )
    visibility = RadioField(
        "Who sees it",
        choices=[
            SelectChoice("private", "Only me"),
            SelectChoice("shared", "Also the organisation, on its timeline"),
        ],
        validators=[InputRequired("Choose who sees the note.")],
    )


class RenameForm(SiteForm):
    name = StringField(
        "Organisation's name",
        validators=[
            DataRequired("Enter the organisation's name."),
            Length(max=200),
            NoControlCharacters(),
        ],
    )


class RoleGroupForm(SiteForm):
    role_group = SelectField("Group", validators=[InputRequired("Choose a group.")])
