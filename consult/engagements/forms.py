"""Forms of programmes: the consultant's programme and grant forms, and cancelling one."""

from __future__ import annotations

from collections.abc import Sequence

from wtforms import (
    BooleanField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)

# types-WTForms 3.2 predates SelectChoice (WTForms 3.3), which replaces the deprecated tuples.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from consult.admin.calendar_forms import CURRENCIES
from consult.booking.models import ConsultationType
from consult.engagements.catalogue import ProgrammeTerms
from consult.engagements.models import Programme
from consult.form_validators import NoControlCharacters, minor_units_from
from consult.forms import SiteForm

MAX_PRICE = 1_000_000


def parse_price(text: str | None) -> int:
    """`"1,200.50"` → 120050 minor units; raises ValueError with a message for the field."""
    return minor_units_from(text, maximum=MAX_PRICE)


class ProgrammeForm(SiteForm):
    """A programme as the consultant defines it; one sessions field per consultation type is
    added by `programme_form_for`.
    """

    name = StringField(
        "Name",
        validators=[
            DataRequired("Give the programme a name."),
            Length(max=120),
            NoControlCharacters(),
        ],
    )
    description = TextAreaField(
        "Description (Markdown)",
        validators=[Length(max=5000), NoControlCharacters(multiline=True)],
    )
    price = StringField("Price (0 for free)", default="0.00")
    currency = SelectField("Currency", choices=CURRENCIES)
    duration_days = IntegerField(
        "Lasts this many days from its start",
        default=90,
        validators=[
            InputRequired("Enter how many days it lasts."),
            NumberRange(1, 3650, "From 1 to 3,650 days."),
        ],
    )
    included_rounds = IntegerField(
        "Assessment rounds included",
        default=1,
        validators=[Optional(), NumberRange(0, 50, "From 0 to 50.")],
    )
    full_refund_days = IntegerField(
        "Refunded in full if cancelled within this many days with no session used",
        default=14,
        validators=[Optional(), NumberRange(0, 365, "From 0 to 365 days.")],
    )
    is_active = BooleanField("Owners can buy it in the portal", default=True)

    def validate_price(self, field: Field) -> None:
        try:
            parse_price(field.data)
        except ValueError as problem:
            raise ValidationError(str(problem)) from None

    def session_fields(self) -> list[tuple[int, Field]]:
        """(consultation type id, its sessions field), in the order they were added."""
        return [
            (int(field.name.removeprefix("sessions_")), field)
            for field in self
            if field.name.startswith("sessions_")
        ]

    def sessions_by_type(self) -> dict[int, int]:
        return {type_id: field.data or 0 for type_id, field in self.session_fields()}

    def terms(self) -> ProgrammeTerms:
        """The validated values, ready for `save_programme`."""
        return ProgrammeTerms(
            name=self.name.data or "",
            description=self.description.data or "",
            price_minor=parse_price(self.price.data),
            currency=self.currency.data,
            duration_days=self.duration_days.data or 1,
            included_rounds=self.included_rounds.data or 0,
            full_refund_days=self.full_refund_days.data or 0,
            is_active=bool(self.is_active.data),
        )


def programme_form_for(
    types: Sequence[ConsultationType], *, programme: Programme | None
) -> ProgrammeForm:
    """A ProgrammeForm for `programme` (None: a new one) with a field for the sessions of each
    consultation type.
    """

    class TypedProgrammeForm(ProgrammeForm):
        pass

    for consultation_type in types:
        setattr(
            TypedProgrammeForm,
            f"sessions_{consultation_type.id}",
            IntegerField(
                f"{consultation_type.name}: sessions included",
                default=0,
                validators=[Optional(), NumberRange(0, 100, "From 0 to 100 sessions.")],
            ),
        )
    return TypedProgrammeForm(obj=programme)


class GrantForm(SiteForm):
    """The consultant gives an organisation a programme, with a note (e.g. "invoice 2027-014")."""

    organisation = SelectField("Organisation")
    programme = SelectField("Programme", coerce=int)
    note = TextAreaField(
        "Note (why it is granted: an invoice number, an agreement)",
        validators=[
            DataRequired("Write a note: how it is paid, or why it is given."),
            Length(max=2000),
            NoControlCharacters(multiline=True),
        ],
    )


class ConsultantCancelForm(SiteForm):
    refund = RadioField(
        "Refund",
        default="policy",
        choices=[
            SelectChoice("policy", "By the policy"),
            SelectChoice("full", "Everything that is left of what was paid"),
            SelectChoice("none", "Nothing"),
        ],
    )
