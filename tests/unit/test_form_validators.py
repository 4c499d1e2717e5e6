"""The shared text validator: control characters refused with a field error, typing allowed."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField, TextAreaField

from consult.form_validators import NoControlCharacters, control_characters_in


class Answers(Form):
    line = StringField(validators=[NoControlCharacters()])
    lines = TextAreaField(validators=[NoControlCharacters(multiline=True)])


def errors_for(**data):
    form = Answers(MultiDict(data))
    form.validate()
    return form.errors


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x07", "\x1b[31m", "\x7f", "\x85", "\x9f"])
def test_control_characters_are_refused_in_both_kinds_of_field(bad):
    assert errors_for(line=f"Ana{bad}Reyes", lines=f"Night{bad}staff") == {
        "line": ["Please keep this to one line, without invisible control characters."],
        "lines": ["Please remove the invisible control characters from this answer."],
    }


def test_line_breaks_are_for_text_areas_only():
    assert errors_for(lines="First line\r\nSecond line\nThird\tcolumn") == {}
    assert list(errors_for(line="Ana\r\nBcc: x@evil.example")) == ["line"]


@pytest.mark.parametrize(
    "good", ["Ana Reyes", "Zoë O'Brien-Łukasz", "北京协和医院", "مستشفى", "a\u200db", "🙂", ""]
)
def test_what_people_type_is_accepted(good):
    assert errors_for(line=good, lines=good) == {}


@given(st.text())
def test_the_characters_found_are_exactly_the_control_characters(text):
    found = control_characters_in(text)
    assert "".join(found) == "".join(
        c for c in text if (ord(c) < 32 and c != "\t") or 127 <= ord(c) < 160
    )
