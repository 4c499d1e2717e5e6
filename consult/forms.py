"""The base of every form on the site: answers come only from the posted form, and no field takes
what a database, `datetime` or a mail header cannot hold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import has_request_context, request
from flask_wtf import FlaskForm
from wtforms import DateField, Field, Form, IntegerField, StringField, TextAreaField
from wtforms.validators import ValidationError

from consult.form_validators import NoControlCharacters, SaneDate

# The largest id or count a column holds on every database the site runs on (PostgreSQL INTEGER).
LARGEST_INTEGER = 2**31 - 1


def _within_an_integer_column(_form: Form, field: Field) -> None:
    if isinstance(field.data, int) and abs(field.data) > LARGEST_INTEGER:
        raise ValidationError("Please enter a smaller number.")


def _checks_for(field: Field) -> list[Callable[[Form, Field], None]]:
    if isinstance(field, TextAreaField):
        return [NoControlCharacters(multiline=True)]
    if isinstance(field, StringField):
        return [NoControlCharacters()]
    if isinstance(field, IntegerField):
        return [_within_an_integer_column]
    if isinstance(field, DateField):
        return [SaneDate()]
    return []


class SiteForm(FlaskForm):
    """A Flask-WTF form that reads only form-encoded answers and refuses, at each field, control
    characters in text, numbers past an integer column and days outside the sane years.

    Flask-WTF would read a JSON body as the answers, and fail on one that is not a flat object;
    a person's browser never sends one, so a JSON body counts as no answers at all.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            if has_request_context() and request.is_json and not request.form:
                return None
            return super().wrap_formdata(form, formdata)

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        checks = {name: _checks_for(field) for name, field in self._fields.items()}
        for name, validators in (extra_validators or {}).items():
            checks[name] = [*checks.get(name, []), *validators]
        return super().validate(extra_validators=checks)
