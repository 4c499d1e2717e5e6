"""Markdown files with a YAML front-matter block, as the consultant writes them. No Flask."""

from __future__ import annotations

import yaml


class FrontMatterError(ValueError):
    """Front matter that cannot be read; `line` is the file's line number when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


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
        data = yaml.safe_load(front) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise FrontMatterError(
            f"front matter is not valid YAML ({getattr(error, 'problem', error)})",
            line=mark.line + 2 if mark else None,
        ) from None
    if not isinstance(data, dict):
        raise FrontMatterError("front matter must be a set of `name: value` lines", line=2)
    return data, body, number + 2
