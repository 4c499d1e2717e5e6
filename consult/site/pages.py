"""Stand-alone pages such as About: Markdown files in content/pages/, rendered once per change."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import markdown

from consult.frontmatter import FrontMatterError, split_front_matter


class PageError(ValueError):
    """A page file that cannot be shown: missing, or with broken front matter."""


@dataclass(frozen=True)
class Page:
    title: str
    html: str


def render_page(text: str) -> Page:
    """Parse front matter and render the Markdown body to HTML."""
    try:
        data, body, _ = split_front_matter(text)
    except FrontMatterError as error:
        raise PageError(str(error)) from None
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise PageError("front matter needs a title")
    html = markdown.markdown(
        body, extensions=["extra", "smarty", "sane_lists"], output_format="html"
    )
    return Page(title=title.strip(), html=html)


def load_page(path: Path) -> Page:
    """The page at `path`, rendered again only when the file's modification time or size changes."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise PageError(f"{path} does not exist") from None
    return _render_file(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _render_file(path: Path, _mtime_ns: int, _size: int) -> Page:
    try:
        return render_page(path.read_text(encoding="utf-8"))
    except PageError as error:
        raise PageError(f"{path}: {error}") from None
