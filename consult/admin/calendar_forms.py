"""Forms for the consultant's calendar: consultation types, weekly hours and date overrides."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import time
from itertools import pairwise
from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)

# types-WTForms (3.2) does not know SelectChoice, which WTForms 3.3 asks for instead of tuples.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.form import BaseForm
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from consult.blog.posts import slugify
from consult.booking import slots
from consult.booking.locations import LOCATION_KINDS, PLACEHOLDERS, location_problems
from consult.form_validators import minor_units_from
from consult.forms import SiteForm

MAX_PRICE = 100_000
CURRENCIES = [SelectChoice(code, code.upper()) for code in ("usd", "cad", "eur", "gbp", "aud")]
RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def multiple_of_five(_form: BaseForm, field: Field) -> None:
    if field.data is not None and field.data % 5:
        raise ValidationError("Use a multiple of 5 minutes.")


def parse_ranges(text: str | None) -> tuple[slots.TimeRange, ...]:
    """`09:00-12:00, 13:00-17:00` → time ranges; raises ValueError with a message for the field."""
    ranges = []
    for part in filter(None, (piece.strip() for piece in (text or "").split(","))):
        match = RANGE.match(part)
        if not match:
            raise ValueError(
                f"“{part}” is not a range; write times like 09:00-12:00, separated by commas."
            )
        start_hour, start_minute, end_hour, end_minute = map(int, match.groups())
        try:
            start, end = time(start_hour, start_minute), time(end_hour, end_minute)
        except ValueError:
            raise ValueError(f"“{part}” has a time that does not exist.") from None
        if start.minute % 5 or end.minute % 5:
            raise ValueError(f"“{part}”: use minutes that are multiples of 5.")
        if start >= end:
            raise ValueError(f"“{part}” ends before it starts.")
        ranges.append(slots.TimeRange(start, end))
    ranges.sort(key=lambda item: item.start)
    for earlier, later in pairwise(ranges):
        if later.start < earlier.end:
            raise ValueError("Two of these ranges overlap.")
    return tuple(ranges)


def format_ranges(ranges: Iterable[slots.TimeRange]) -> str:
    return ", ".join(f"{item.start:%H:%M}-{item.end:%H:%M}" for item in ranges)


class RangesField(StringField):
    """A text field of time ranges; `.ranges` holds the parsed value once validated."""

    ranges: tuple[slots.TimeRange, ...] = ()

    def pre_validate(self, form: BaseForm) -> None:
        try:
            self.ranges = parse_ranges(self.data)
        except ValueError as problem:
            raise ValidationError(str(problem)) from None


class ConsultationTypeForm(SiteForm):
    name = StringField(
        "Name", validators=[DataRequired("Give the consultation a name."), Length(max=120)]
    )
    slug = StringField(
        "Address (slug)",
        validators=[
            Optional(),
            Length(max=80),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z",  # \Z: `$` would let a trailing line break by
                message="Use lower-case letters, digits and single hyphens.",
            ),
        ],
    )
    description = TextAreaField("Description (Markdown)", validators=[Length(max=5000)])
    duration_minutes = IntegerField(
        "Length in minutes",
        validators=[
            DataRequired("Enter a length."),
            NumberRange(5, 480, "From 5 to 480 minutes."),
            multiple_of_five,
        ],
    )
    price = StringField("Price (0 for free)", default="0.00")
    currency = SelectField("Currency", choices=CURRENCIES)
    is_active = BooleanField("Guests can book it", default=True)
    buffer_before_minutes = IntegerField(
        "Free time before, minutes",
        default=0,
        validators=[NumberRange(0, 240, "From 0 to 240 minutes."), multiple_of_five],
    )
    buffer_after_minutes = IntegerField(
        "Free time after, minutes",
        default=0,
        validators=[NumberRange(0, 240, "From 0 to 240 minutes."), multiple_of_five],
    )
    minimum_notice_hours = IntegerField(
        "Minimum notice, hours",
        default=24,
        validators=[NumberRange(0, 24 * 60, "From 0 to 1,440 hours.")],
    )
    booking_window_days = IntegerField(
        "Bookable up to this many days ahead",
        default=60,
        validators=[NumberRange(1, 365, "From 1 to 365 days.")],
    )
    max_per_day = IntegerField(
        "Most per day (empty: no limit)",
        validators=[Optional(), NumberRange(1, 50, "From 1 to 50.")],
    )
    required_questions = TextAreaField(
        "Questions guests must answer, one per line", validators=[Length(max=3000)]
    )
    optional_questions = TextAreaField(
        "Questions guests may answer, one per line", validators=[Length(max=3000)]
    )
    location_kind = SelectField(
        "Where it happens",
        choices=[SelectChoice(kind, label) for kind, label in LOCATION_KINDS.items()],
        default="video",
    )
    location = StringField(
        "Video link (or its template) or address, shown to the guest once confirmed",
        validators=[Length(max=500)],
    )
    placeholders = PLACEHOLDERS

    def validate_location(self, field: Field) -> None:
        problems = location_problems(self.location_kind.data or "", field.data or "")
        if problems:
            raise ValidationError(problems[0])
        field.data = (field.data or "").strip()

    def validate_price(self, field: Field) -> None:
        try:
            minor_units_from(field.data, maximum=MAX_PRICE)
        except ValueError as problem:
            raise ValidationError(str(problem)) from None

    @property
    def address(self) -> str:
        """The type's URL slug: as given, else made from the name (cut to the column's 80)."""
        return self.slug.data or slugify(self.name.data or "")[:80].strip("-")

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        """Every field's own checks, then one across two: the type needs an address, and a name
        of only punctuation or non-Latin letters makes none.
        """
        if not super().validate(extra_validators):
            return False
        if not self.address:
            self.slug.errors = [
                *self.slug.errors,
                "Give an address of lower-case letters and digits: the name has none to make "
                "one from.",
            ]
            return False
        return True

    @property
    def price_minor(self) -> int:
        return minor_units_from(self.price.data, maximum=MAX_PRICE)

    def questions(self) -> list[dict[str, Any]]:
        questions: list[dict[str, Any]] = []
        keys: set[str] = set()
        for required, text in (
            (True, self.required_questions.data),
            (False, self.optional_questions.data),
        ):
            for label in filter(None, (line.strip() for line in (text or "").splitlines())):
                key = slugify(label)[:40].replace("-", "_") or "question"
                while key in keys:
                    key += "_"
                keys.add(key)
                questions.append({"key": key, "label": label, "required": required})
        return questions


class WeeklyHoursForm(SiteForm):
    slot_step_minutes = SelectField(
        "Offer a start time every",
        coerce=int,
        choices=[
            SelectChoice(str(step), f"{step} minutes") for step in (5, 10, 15, 20, 30, 45, 60)
        ],
    )
    monday = RangesField("Monday")
    tuesday = RangesField("Tuesday")
    wednesday = RangesField("Wednesday")
    thursday = RangesField("Thursday")
    friday = RangesField("Friday")
    saturday = RangesField("Saturday")
    sunday = RangesField("Sunday")

    def day_fields(self) -> list[RangesField]:
        """Monday to Sunday, as weekdays count them (0 = Monday)."""
        return [
            self.monday,
            self.tuesday,
            self.wednesday,
            self.thursday,
            self.friday,
            self.saturday,
            self.sunday,
        ]


class DateOverrideForm(SiteForm):
    day = DateField("Date", validators=[DataRequired("Choose a date.")])
    hours = RangesField("Hours that day (leave empty for a day off)")
