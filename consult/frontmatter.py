"""Content files as the consultant writes them: read safely, YAML, and front matter. No Flask.

Everything here turns whatever a file holds into a value or a ContentFileError that says what is
wrong and on which line: no file's content may raise anything else into the site.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from yaml.error import Mark
from yaml.nodes import Node

MAX_FILE_BYTES = 1_000_000
MAX_NESTING = 32  # far beyond any real front matter or definition; keeps recursion bounded
# Control characters (other than tab and line breaks) and lone surrogates ("\ud800" escapes):
# no page, feed or e-mail can carry them.
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class ContentFileError(ValueError):
    """A content file that cannot be read; `line` is the line it is about, when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class FrontMatterError(ContentFileError):
    """Front matter that cannot be read; `line` is the file's line number when known."""


class _ContentLoader(yaml.SafeLoader):
    """PyYAML's safe loader, minus what hostile text can use against us.

    Aliases are refused (a few lines of them can stand for billions of values), nesting is
    bounded, and an exception raised while building a value (an impossible date raises
    ValueError, not YAMLError) becomes a ConstructorError that points at the value's line.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed here", self._next_event_mark()
            )
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nested more than {MAX_NESTING} levels deep",
                    self._next_event_mark(),
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def _next_event_mark(self) -> Mark:
        mark: Mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]  # untyped stub
        return mark

    def construct_object(self, node: Node, deep: bool = False) -> object:
        try:
            value = super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except Exception as error:  # any value the constructors cannot build is the file's fault
            text = node.value if isinstance(node.value, str) else node.tag
            raise yaml.constructor.ConstructorError(
                None, None, f"{text[:60]!r} cannot be read ({str(error)[:120]})", node.start_mark
            ) from None
        found = NOT_TEXT.search(value) if isinstance(value, str) else None
        if found:
            raise yaml.constructor.ConstructorError(
                None, None, f"{found.group()!r} is not allowed in text", node.start_mark
            )
        return value


def read_yaml(text: str) -> object:
    """The value of a YAML document; ContentFileError (with the line, from 1) if it has none."""
    try:
        loader = _ContentLoader(text)
    except yaml.reader.ReaderError as error:  # the reader checks every character up front
        line = text[: error.position].count("\n") + 1
        raise ContentFileError(f"character #x{error.character:04x} is not allowed", line) from None
    try:
        return loader.get_single_data()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        opened = getattr(error, "context_mark", None)
        if opened is not None and mark is not None and opened.line != mark.line:
            problem += f"; opened on line {opened.line + 1}"
        raise ContentFileError(problem, line=mark.line + 1 if mark else None) from None
    except RecursionError:  # flow collections nest inside the scanner before the composer
        raise ContentFileError(f"nested more than {MAX_NESTING} levels deep") from None
    finally:
        loader.dispose()


def printable(text: str) -> str:
    """`text` with each character a terminal or page cannot show as itself escaped (\\x1b)."""
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )


def read_text_file(path: Path) -> str:
    """The text of a content file: UTF-8, at most MAX_FILE_BYTES; ContentFileError otherwise."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ContentFileError(f"cannot be read ({error.strerror or error})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ContentFileError(f"is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ContentFileError("is not UTF-8 text", line=line) from None


def split_front_matter(text: str) -> tuple[dict[str, object], str, int]:
    """Separate a leading `---` YAML block from the Markdown body.

    Returns the parsed mapping, the body, and the file line on which the body starts.
    """
    if not text.startswith("---"):
        return {}, text, 1
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip() == "---":
            front, body = "".join(lines[1:number]), "".join(lines[number + 1 :])
            break
    else:
        raise FrontMatterError("front matter is not closed with a line of ---", line=1)
    try:
        data = read_yaml(front) or {}
    except ContentFileError as error:
        raise FrontMatterError(
            f"front matter is not valid YAML ({error})",
            line=error.line + 1 if error.line else None,  # the block starts on the file's line 2
        ) from None
    if not isinstance(data, dict):
        raise FrontMatterError("front matter must be a set of `name: value` lines", line=2)
    return data, body, number + 2
