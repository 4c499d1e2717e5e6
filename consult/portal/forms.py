"""Forms of the portal; the answering pages build their radio groups from the definition instead."""

from __future__ import annotations

from typing import TypeVar

from wtforms import DateField, EmailField, SelectField, StringField

# types-WTForms 3.2 predates SelectChoice (WTForms 3.3), which replaces the deprecated tuples.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Email, Length

from consult.forms import SiteForm
from consult.portal.definition import AssessmentDefinition

T = TypeVar("T")


def role_group_choices(definition: AssessmentDefinition) -> list[SelectChoice]:
    """The definition's role groups as the options of a select field, after an empty first
    option: nobody's group is chosen for them (the field's DataRequired refuses the empty one).
    """
    return [
        SelectChoice("", "Choose a group"),
        *(SelectChoice(group.key, group.name) for group in definition.role_groups),
    ]


def validated(value: T | None) -> T:
    """A required field's value once its form has validated (DataRequired saw to it)."""
    if value is None:
        raise ValueError("a required field has no value after validation")
    return value


class StartForm(SiteForm):
    """A visitor (or a signed-in client) starts an assessment for their organisation."""

    organisation = StringField(
        "Your organisation's name",
        validators=[DataRequired("Enter your organisation's name."), Length(max=200)],
    )
    role_group = SelectField(
        "Which group do you belong to?", validators=[DataRequired("Choose your group.")]
    )
    email = EmailField(
        "Your e-mail address",
        validators=[
            DataRequired("Enter your e-mail address."),
            Email("Enter a valid e-mail address."),
            Length(max=254),
        ],
    )


class InviteForm(SiteForm):
    email = EmailField(
        "E-mail address",
        validators=[
            DataRequired("Enter their e-mail address."),
            Email("Enter a valid e-mail address."),
            Length(max=254),
        ],
    )
    role_group = SelectField("Their group", validators=[DataRequired("Choose their group.")])
    role = SelectField(
        "Role",
        choices=[
            SelectChoice("member", "Member: takes the assessment"),
            SelectChoice("owner", "Owner: also runs rounds and the plan"),
        ],
    )


class OpenRoundForm(SiteForm):
    name = StringField(
        "Name of the round",
        validators=[DataRequired("Give the round a name, e.g. Spring 2027."), Length(max=120)],
    )
    closes_on = DateField(
        "Closes on", validators=[DataRequired("Choose the last day for answers.")]
    )


class OrganisationForm(SiteForm):
    """The consultant creates an organisation and invites its first owner."""

    name = StringField(
        "Organisation", validators=[DataRequired("Enter the organisation's name."), Length(max=200)]
    )
    owner_email = EmailField(
        "First owner's e-mail address",
        validators=[
            DataRequired("Enter the owner's e-mail address."),
            Email("Enter a valid e-mail address."),
        ],
    )
    role_group = SelectField(
        "The owner's group", validators=[DataRequired("Choose the owner's group.")]
    )
