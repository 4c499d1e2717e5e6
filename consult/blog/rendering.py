"""A post's Markdown body as sanitised HTML, its table of contents and its plain words.

No Flask, no database. Python-Markdown does not sanitise: nh3 keeps only the tags listed here.
"""

from __future__ import annotations

import html as html_lib
import re

import markdown
import nh3

# Control characters have no place in a page or feed, and Markdown uses some internally.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MARKDOWN_EXTENSIONS = [
    "toc",
    "fenced_code",
    "codehilite",
    "tables",
    "footnotes",
    "smarty",
    "attr_list",
    "sane_lists",
    "abbr",
    "def_list",
]
MARKDOWN_CONFIG: dict[str, dict[str, object]] = {
    "toc": {"permalink": "#", "permalink_title": "Link to this section", "toc_depth": "2-3"},
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "footnotes": {"BACKLINK_TITLE": "Back to the text"},
}
TABLE_REGION_OPEN = (
    '<div class="table-scroll" role="region" tabindex="0" aria-label="Table"><table>'
)
ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"div", "span", "sup", "figure", "figcaption", "del", "ins", "hr"}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "th": {"align", "scope"},
    "td": {"align"},
    "ol": {"start"},
}


def render_markdown(body: str) -> tuple[str, str]:
    """The body's HTML (sanitised) and its table of contents."""
    converter = markdown.Markdown(
        extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG, output_format="html"
    )
    html = converter.convert(CONTROL_CHARACTERS.sub("", body))
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None)
    # A wide table scrolls inside a region that keyboard users can focus, never the page.
    clean = clean.replace("<table>", TABLE_REGION_OPEN).replace("</table>", "</table></div>")
    toc: str = converter.toc  # type: ignore[attr-defined]  # the toc extension sets it
    return clean, toc if "<li>" in toc else ""


PERMALINKS = re.compile(r'<a class="(?:headerlink|footnote-backref)"[^>]*>.*?</a>')


def plain_text_of(html: str) -> str:
    """The words of rendered HTML, for search and reading time (no permalink or back-link marks)."""
    text = nh3.clean(PERMALINKS.sub("", html), tags=set())
    return re.sub(r"\s+", " ", html_lib.unescape(text)).strip()
