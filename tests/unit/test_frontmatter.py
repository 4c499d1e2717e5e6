"""Reading content files: every way a file can be wrong is a ContentFileError with its line."""

import pytest

from consult.frontmatter import (
    MAX_FILE_BYTES,
    ContentFileError,
    FrontMatterError,
    printable,
    read_text_file,
    read_yaml,
    split_front_matter,
)


@pytest.mark.parametrize(
    ("text", "complaint", "line"),
    [
        ("a: 1\nb: 2026-02-30\n", "'2026-02-30' cannot be read (day is out of range", 2),
        ("a: 0000-01-01", "year 0 is out of range", 1),
        ("a: !!timestamp 2026-13-01", "month must be in 1..12", 1),
        ("a: " + "9" * 5000, "Exceeds the limit", 1),
        ("a: !!int nope", "invalid literal", 1),
        ("a: !!binary not-base64!", "base64", 1),
        ("a: !!python/object/apply:os.getcwd []", "could not determine a constructor", 1),
        ("a: &x [1]\nb: *x\n", "aliases (*name) are not allowed", 2),
        ("a: " + "[" * 200 + "]" * 200, "nested more than 32 levels", 1),
        ("a:\n" + "".join("  " * depth + "- \n" for depth in range(1, 60)), "nested more", 33),
        ("a: [1,\n2", "expected ',' or ']'", 2),
        ("a: 1\n\x00", "character #x0000 is not allowed", 2),
        ('a: "\\ud800"', "'\\ud800' is not allowed in text", 1),
        ('a: "\\e[31m red"', "'\\x1b' is not allowed in text", 1),
        ("{[1]: 2}", "found unhashable key", 1),
    ],
)
def test_yaml_that_cannot_be_read_says_why_and_where(text, complaint, line):
    with pytest.raises(ContentFileError) as raised:
        read_yaml(text)
    assert complaint in str(raised.value)
    assert raised.value.line == line


def test_ordinary_yaml_is_read():
    assert read_yaml("title: T\ntags: [a, b]\nnote: |\n  two\n  lines\n") == {
        "title": "T",
        "tags": ["a", "b"],
        "note": "two\nlines\n",
    }


def test_front_matter_errors_count_lines_of_the_file():
    with pytest.raises(FrontMatterError) as raised:
        split_front_matter("---\ntitle: T\ndate: 2026-02-30\n---\nbody\n")
    assert raised.value.line == 3 and "not valid YAML" in str(raised.value)


def test_files_that_are_too_large_or_not_utf8_are_refused(tmp_path):
    large = tmp_path / "large.md"
    large.write_bytes(b"x" * (MAX_FILE_BYTES + 1))
    with pytest.raises(ContentFileError, match="larger than 1 MB"):
        read_text_file(large)
    latin = tmp_path / "latin.md"
    latin.write_bytes(b"one\ntwo \xe9\n")
    with pytest.raises(ContentFileError, match="not UTF-8") as raised:
        read_text_file(latin)
    assert raised.value.line == 2
    with pytest.raises(ContentFileError, match="cannot be read"):
        read_text_file(tmp_path / "absent.md")


def test_printable_escapes_what_a_terminal_would_obey():
    assert printable("posts/\x1b[31mred.md: bad") == "posts/\\x1b[31mred.md: bad"
    assert printable("é\udcff") == "é\\udcff"
