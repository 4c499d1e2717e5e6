"""Stand-alone pages such as About: Markdown files in content/pages/, rendered once per change."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import markdown

from consult.frontmatter import ContentFileError, read_text_file, split_front_matter

log = logging.getLogger("consult.site")


class PageError(ValueError):
    """A page file that cannot be shown: missing, unreadable, or with broken front matter.

    `line` is the file's line the problem is on, when known; the message does not name the file.
    """

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Page:
    title: str
    html: str


def render_page(text: str) -> Page:
    """Parse front matter and render the Markdown body to HTML."""
    try:
        data, body, _ = split_front_matter(text)
    except ContentFileError as error:
        raise PageError(str(error), error.line) from None
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise PageError("front matter needs a title", line=1)
    html = markdown.markdown(
        body, extensions=["extra", "smarty", "sane_lists"], output_format="html"
    )
    return Page(title=title.strip(), html=html)


def load_page(path: Path) -> Page:
    """The page at `path`, rendered again only when the file's modification time or size changes.

    Whatever the file holds, the only exception is PageError.
    """
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise PageError("does not exist") from None
    except OSError as error:
        raise PageError(f"cannot be read ({error.strerror})") from None
    return _render_file(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _render_file(path: Path, _mtime_ns: int, _size: int) -> Page:
    try:
        return render_page(read_text_file(path))
    except ContentFileError as error:
        raise PageError(str(error), error.line) from None
    except PageError:
        raise
    except RecursionError:  # Markdown nests a level of Python per level of lists or quotes
        raise PageError("is nested too deeply (lists or quotes) to be shown") from None
    except Exception as error:  # a case the renderer does not expect: still the file's problem
        log.exception("page %s could not be rendered", path)
        raise PageError(f"could not be rendered ({type(error).__name__})") from None
