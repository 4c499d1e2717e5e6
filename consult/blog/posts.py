"""Blog posts: a file's front matter checked and its body rendered. No Flask, no database."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cached_property
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from consult.blog.rendering import plain_text_of, render_markdown
from consult.frontmatter import FrontMatterError, split_front_matter

KNOWN_FIELDS = {
    "title",
    "date",
    "slug",
    "summary",
    "tags",
    "series",
    "epigraph",
    "cover",
    "author",
    "updated",
    "draft",
    "aliases",
    "toc",
}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Dates a post may carry: wide enough for any real post, narrow enough that converting one to
# any time zone (for pages, feeds and the sitemap) stays inside what datetime can hold.
EARLIEST_YEAR, LATEST_YEAR = 1900, 9000
RESERVED_SLUGS = {"archive", "tag", "series", "search", "subscribe", "unsubscribe", "feed"}


class PostError(ValueError):
    """Why a post file is left out; `line` points into the file when it can."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Epigraph:
    text: str
    attribution: str | None


@dataclass(frozen=True)
class Cover:
    src: str
    alt: str


@dataclass(frozen=True)
class Post:
    slug: str
    title: str
    published_at: datetime
    summary: str
    tags: tuple[str, ...]
    series: str | None
    epigraph: Epigraph | None
    cover: Cover | None
    author: str | None
    updated_at: datetime | None
    draft: bool
    aliases: tuple[str, ...]
    show_toc: bool
    html: str
    toc_html: str
    plain_text: str
    reading_minutes: int
    source: str
    # What is wrong but not enough to leave the post out, e.g. a cover it is shown without:
    # (message, line of the file) for `content check` and the dashboard.
    problems: tuple[tuple[str, int | None], ...] = ()

    def __hash__(self) -> int:
        # Posts are keys of the per-post caches (digests, search words): hashing a few fields
        # rather than the whole HTML keeps a rebuilt index cheap. Equal posts still hash equal.
        return hash((self.source, self.slug, self.published_at))

    def is_public(self, now: datetime) -> bool:
        """Public once it is not a draft and its date has come."""
        return not self.draft and self.published_at <= now

    @property
    def last_modified(self) -> datetime:
        return max(self.updated_at or self.published_at, self.published_at)

    # Cached on the object (not fields: equality, repr and digests ignore them); every public
    # view and page asks again.
    @cached_property
    def series_slug(self) -> str | None:
        return slugify(self.series) if self.series else None

    @cached_property
    def tag_slugs(self) -> tuple[str, ...]:
        return tuple(slugify(tag) for tag in self.tags)


def slugify(text: str) -> str:
    """`Chronic illness` → `chronic-illness`; accents dropped, anything else becomes a hyphen."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def parse_moment(value: object, time_zone: ZoneInfo, field: str) -> datetime:
    """A front-matter date or date-time; without an offset it is in the site's time zone."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise PostError(
                f"{field} {value!r} is not a date (use 2026-11-24 or 2026-11-24 09:00)"
            ) from None
    else:
        raise PostError(f"{field} must be a date such as 2026-11-24 or 2026-11-24 09:00")
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise PostError(f"{field} must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=time_zone)
    return moment.astimezone(UTC)


def _text_list(value: object, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(item, (str, int)) and str(item).strip() for item in value
    ):
        raise PostError(f"{field} must be a list of words, e.g. [Partnership, Listening]")
    return tuple(dict.fromkeys(str(item).strip() for item in value))


def _named_list(value: object, field: str) -> tuple[str, ...]:
    """Words that each become part of an address (tags): each needs a letter or digit."""
    names = _text_list(value, field)
    if not all(slugify(name) for name in names):
        raise PostError(f"{field} must each have a letter or digit (a-z, 0-9) to make an address")
    return names


def _optional_text(data: Mapping[str, object], field: str) -> str | None:
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, (str, int, float)):
        raise PostError(f"{field} must be text")
    return str(value).strip() or None


def _epigraph(value: object) -> Epigraph | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = {"text": value}
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("text"), str)
        or not value["text"].strip()
    ):
        raise PostError("epigraph needs text (and may have an attribution)")
    attribution = value.get("attribution")
    if attribution is not None and not isinstance(attribution, (str, int, float)):
        raise PostError("epigraph attribution must be text")
    return Epigraph(
        text=value["text"].strip(), attribution=str(attribution).strip() if attribution else None
    )


def _cover(value: object) -> Cover | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = {"src": value}
    if not isinstance(value, dict) or not isinstance(value.get("src"), str):
        raise PostError("cover needs src (an image path) and alt (its description)")
    alt = value.get("alt")
    if not isinstance(alt, str) or not alt.strip():
        raise PostError("cover has no alt text: describe the image for people who cannot see it")
    return Cover(src=value["src"].strip(), alt=alt.strip())


def is_site_path(src: str) -> bool:
    """A path on this site (`/media/…`, `/static/…`): no scheme (`javascript:`, `data:`), no
    other host (`//elsewhere`), nothing the Content-Security-Policy would block.
    """
    return (
        src.startswith("/")
        and not src.startswith(("//", "/\\"))
        and not urlsplit(src).scheme
        and src.isprintable()
    )


def _checked_cover(cover: Cover | None) -> tuple[Cover | None, str | None]:
    """The cover when its src is a path on this site; else none, and why (the post is kept)."""
    if cover is None or is_site_path(cover.src):
        return cover, None
    shown = cover.src if len(cover.src) <= 60 else cover.src[:60] + "…"
    return None, (
        f"cover src {shown!r} must be a path on this site (/media/… or /static/…): "
        "the post is shown without its cover"
    )


def _line_of_field(text: str, field: str) -> int | None:
    """The line of the file on which front-matter `field:` is written."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f"{field}:"):
            return number
        if number > 1 and line.rstrip() == "---":
            return None
    return None


def parse_post(*, file_name: str, text: str, time_zone: ZoneInfo, words_per_minute: int) -> Post:
    """Parse and render one post file; raise PostError saying what is wrong and where."""
    try:
        return _parse_post(
            file_name=file_name, text=text, time_zone=time_zone, words_per_minute=words_per_minute
        )
    except PostError as error:
        if error.line is None:  # every message starts with the field it is about
            error.line = _line_of_field(text, str(error).split(" ", 1)[0])
        raise


def _parse_post(*, file_name: str, text: str, time_zone: ZoneInfo, words_per_minute: int) -> Post:
    try:
        data, body, _ = split_front_matter(text)
    except FrontMatterError as error:
        raise PostError(str(error), line=error.line) from None
    if not data:
        raise PostError("no front matter: start the file with --- and a title and date", line=1)
    unknown = sorted(str(name) for name in set(data) - KNOWN_FIELDS)
    if unknown:
        raise PostError(f"unknown front matter field(s): {', '.join(unknown)}")
    title = _optional_text(data, "title")
    if not title:
        raise PostError("title is missing")
    if data.get("date") is None:
        raise PostError("date is missing")
    slug = _optional_text(data, "slug") or file_name.rsplit(".", 1)[0]
    if not SLUG.match(slug):
        raise PostError(f"slug {slug!r} may use only lower-case letters, digits and single hyphens")
    if slug in RESERVED_SLUGS:
        raise PostError(f"slug {slug!r} is the name of a blog page; choose another")
    aliases = _text_list(data.get("aliases"), "aliases")
    if any(not alias.startswith("/") for alias in aliases):
        raise PostError("aliases must be paths on this site, starting with /")
    draft = data.get("draft", False)
    if not isinstance(draft, bool):
        raise PostError("draft must be true or false")
    series = _optional_text(data, "series")
    if series is not None and not slugify(series):
        raise PostError("series must have a letter or digit (a-z, 0-9) to make an address")

    cover, cover_problem = _checked_cover(_cover(data.get("cover")))
    html, toc_html = render_markdown(body)
    plain_text = plain_text_of(html)
    return Post(
        slug=slug,
        title=title,
        published_at=parse_moment(data["date"], time_zone, "date"),
        summary=_optional_text(data, "summary") or "",
        tags=_named_list(data.get("tags"), "tags"),
        series=series,
        epigraph=_epigraph(data.get("epigraph")),
        cover=cover,
        author=_optional_text(data, "author"),
        updated_at=parse_moment(data["updated"], time_zone, "updated")
        if data.get("updated")
        else None,
        draft=draft,
        aliases=aliases,
        show_toc=bool(data.get("toc", False)),
        html=html,
        toc_html=toc_html,
        plain_text=plain_text,
        reading_minutes=max(1, math.ceil(len(plain_text.split()) / words_per_minute)),
        source=file_name,
        problems=((cover_problem, _line_of_field(text, "cover")),) if cover_problem else (),
    )
