"""The booking details form, with the consultation type's own intake questions added."""

from typing import Any

from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    TextAreaField,
)

# types-WTForms 3.2 predates SelectChoice (WTForms 3.3), which replaces the deprecated tuples.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Length, Optional

from consult.booking.guest_fields import (
    guest_email_field,
    guest_name_field,
    organisation_field,
    phone_field,
    role_field,
)
from consult.booking.models import ConsultationType
from consult.engagements.booking_options import (
    BookAsOption,
    default_choice,
    organisation_name_for,
)
from consult.form_validators import NoControlCharacters
from consult.forms import SiteForm


class DetailsForm(SiteForm):
    start = HiddenField()
    tz = HiddenField()
    # Only for a signed-in member: for which organisation, with a programme's credit or paying
    # (engagements/booking_options.py checks the choice; guests are never shown it).
    book_as = RadioField("Who is this booking for?", choices=[], validate_choice=False)
    name = guest_name_field("Your name", missing="Enter your name.")
    email = guest_email_field("E-mail address", missing="Enter your e-mail address.")
    organisation = organisation_field("Organisation", missing="Enter your organisation's name.")
    role = role_field("Your role", missing="Tell us your role, e.g. chief nursing officer.")
    phone = phone_field("Phone (optional)")
    accept_policy = BooleanField(
        "I have read the cancellation policy and accept it",
        validators=[DataRequired("Please accept the cancellation policy to continue.")],
    )

    def offer_member_choices(
        self,
        options: list[BookAsOption],
        *,
        name: str,
        email: str,
        organisation_id: str | None,
    ) -> None:
        """Show a signed-in member's choices; a first visit starts from their own details and
        the choice that uses a credit, if any.
        """
        self.book_as.choices = [SelectChoice(option.value, option.label) for option in options]
        if self.is_submitted():
            return
        self.book_as.data = default_choice(options, organisation_id=organisation_id)
        self.name.data = self.name.data or name
        self.email.data = self.email.data or email
        self.organisation.data = self.organisation.data or organisation_name_for(
            options, self.book_as.data
        )

    def intake_fields(self) -> list[Field]:
        return [field for field in self if field.name.startswith("intake_")]

    def intake_answers(self) -> dict[str, str]:
        return {
            field.name.removeprefix("intake_"): (field.data or "").strip()
            for field in self.intake_fields()
        }


def details_form_for(consultation_type: ConsultationType, **kwargs: Any) -> DetailsForm:
    """A DetailsForm with one text field per intake question of this consultation type."""

    class TypeDetailsForm(DetailsForm):
        pass

    if consultation_type.location_kind == "phone":
        TypeDetailsForm.phone = phone_field(
            "Phone (we call you on this number)", missing="Enter the number we should call you on."
        )
    for question in consultation_type.intake_questions:
        presence = (
            DataRequired("Please answer this question.") if question.get("required") else Optional()
        )
        validators = [
            presence,
            Length(max=4000),
            NoControlCharacters(multiline=True),
        ]
        setattr(
            TypeDetailsForm,
            f"intake_{question['key']}",
            TextAreaField(question["label"], validators=validators),
        )
    return TypeDetailsForm(**kwargs)
