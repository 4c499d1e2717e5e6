"""The blog as a whole: which posts are public at a moment; their tags, series, archive and search.

No Flask, no database. Visibility changes only when a scheduled post's time comes, so the
public view is computed once per such moment and reused until the next.
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from consult.blog.posts import Post, slugify
from consult.blog.search import SearchIndex, SearchResult

POSTS_PER_PAGE = 10


@dataclass(frozen=True)
class ContentProblem:
    """A content file left out (or, as its message says, shown without a part), and why."""

    file: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Tag:
    slug: str
    name: str
    posts: tuple[Post, ...]


@dataclass(frozen=True)
class Series:
    slug: str
    name: str
    parts: tuple[Post, ...]  # public parts, oldest first
    total_parts: int  # public and scheduled (not drafts)
    next_part_at: datetime | None  # when the next scheduled part goes live

    def part_number(self, post: Post) -> int:
        return self.parts.index(post) + 1


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    posts: tuple[Post, ...]


class PublicView:
    """The posts a reader can see at one moment, newest first, with everything derived from them."""

    def __init__(
        self, public: tuple[Post, ...], scheduled: tuple[Post, ...], unpublished: tuple[Post, ...]
    ):
        self.posts = public
        self.unpublished = unpublished  # drafts and scheduled posts, for the consultant's eyes
        self._by_slug = {post.slug: post for post in public}
        tags: dict[str, list[Post]] = defaultdict(list)
        tag_names: dict[str, str] = {}
        for post in public:
            for name, slug in zip(post.tags, post.tag_slugs, strict=True):
                tags[slug].append(post)
                tag_names.setdefault(slug, name)
        self.tags = {
            slug: Tag(slug, tag_names[slug], tuple(posts)) for slug, posts in sorted(tags.items())
        }
        self.series = self._build_series(public, scheduled)
        months: dict[tuple[int, int], list[Post]] = defaultdict(list)
        for post in public:
            months[(post.published_at.year, post.published_at.month)].append(post)
        self.archive = tuple(
            Month(year, month, tuple(posts)) for (year, month), posts in months.items()
        )
        self._search: SearchIndex | None = None
        self._search_lock = threading.Lock()

    @staticmethod
    def _build_series(public: tuple[Post, ...], scheduled: tuple[Post, ...]) -> dict[str, Series]:
        parts: dict[str, list[Post]] = defaultdict(list)
        names: dict[str, str] = {}
        for post in reversed(public):
            if post.series and post.series_slug is not None:  # never None for a series
                parts[post.series_slug].append(post)
                names.setdefault(post.series_slug, post.series)
        upcoming: dict[str, list[Post]] = defaultdict(list)
        for post in scheduled:
            if post.series and post.series_slug is not None:
                upcoming[post.series_slug].append(post)
        return {
            slug: Series(
                slug=slug,
                name=names[slug],
                parts=tuple(posts),
                total_parts=len(posts) + len(upcoming[slug]),
                next_part_at=min((post.published_at for post in upcoming[slug]), default=None),
            )
            for slug, posts in parts.items()
        }

    def get(self, slug: str) -> Post | None:
        return self._by_slug.get(slug)

    def page(self, number: int, per_page: int = POSTS_PER_PAGE) -> tuple[Post, ...] | None:
        """Posts of page `number` (from 1); None past the last page (page 1 always exists)."""
        return page_of(self.posts, number, per_page)

    def page_count(self, per_page: int = POSTS_PER_PAGE) -> int:
        return page_count_of(self.posts, per_page)

    def related(self, post: Post, limit: int = 3) -> tuple[Post, ...]:
        """Other public posts sharing the most tags with `post`, newer first among equals."""
        shared: dict[str, int] = defaultdict(int)
        for slug in post.tag_slugs:
            for other in self.tags.get(slug, Tag(slug, slug, ())).posts:
                if other.slug != post.slug:
                    shared[other.slug] += 1
        ranked = sorted(
            shared, key=lambda slug: (-shared[slug], -self._by_slug[slug].published_at.timestamp())
        )
        return tuple(self._by_slug[slug] for slug in ranked[:limit])

    def search_index(self) -> SearchIndex:
        """The view's search index, built on first use (from each post's words, kept per post)."""
        with self._search_lock:
            if self._search is None:
                self._search = SearchIndex(self.posts)
            return self._search

    def search(self, query: str) -> SearchResult:
        """Ranked search over titles, summaries and bodies."""
        return self.search_index().search(query)

    @property
    def last_modified(self) -> datetime | None:
        return max((post.last_modified for post in self.posts), default=None)


class BlogIndex:
    """Every valid post file (drafts and scheduled ones included) and the problems of the others."""

    def __init__(self, posts: tuple[Post, ...], problems: tuple[ContentProblem, ...]):
        self.posts = tuple(sorted(posts, key=lambda post: post.published_at, reverse=True))
        self.problems = problems
        self._views: dict[int, PublicView] = {}
        self._by_slug = {post.slug: post for post in self.posts}
        self.aliases = {
            alias.rstrip("/") or "/": post.slug for post in self.posts for alias in post.aliases
        }
        self._schedule = sorted(
            (post.published_at, post.slug) for post in self.posts if not post.draft
        )
        self._lock = threading.Lock()

    def get_any(self, slug: str) -> Post | None:
        """A post whatever its state: for the consultant's preview."""
        return self._by_slug.get(slug)

    def public_view(self, now: datetime) -> PublicView:
        """What readers see at `now`; recomputed only when a scheduled post has gone live."""
        published = bisect.bisect_right(self._schedule, (now, "\uffff"))
        with self._lock:
            view = self._views.get(published)
            if view is None:
                live = {slug for _, slug in self._schedule[:published]}
                scheduled = {slug for _, slug in self._schedule[published:]}
                view = PublicView(
                    public=tuple(post for post in self.posts if post.slug in live),
                    scheduled=tuple(post for post in self.posts if post.slug in scheduled),
                    unpublished=tuple(post for post in self.posts if post.slug not in live),
                )
                self._views = {published: view}
            return view


def build_index(parsed: list[Post], problems: list[ContentProblem]) -> BlogIndex:
    """Assemble the index, leaving out every post whose slug or alias another post already uses."""
    problems = list(problems)
    by_slug: dict[str, list[Post]] = defaultdict(list)
    for post in parsed:
        by_slug[post.slug].append(post)
    kept = []
    for slug, posts in by_slug.items():
        if len(posts) > 1:
            files = ", ".join(sorted(post.source for post in posts))
            problems.extend(
                ContentProblem(
                    post.source, f"slug {slug!r} is used by more than one post ({files})"
                )
                for post in posts
            )
        else:
            kept.append(posts[0])
            problems.extend(
                ContentProblem(posts[0].source, message, line)
                for message, line in posts[0].problems
            )
    return BlogIndex(
        posts=tuple(kept),
        problems=tuple(sorted(problems, key=lambda problem: (problem.file, problem.line or 0))),
    )


__all__ = [
    "BlogIndex",
    "ContentProblem",
    "Month",
    "PublicView",
    "Series",
    "Tag",
    "build_index",
    "slugify",
]


def page_of(
    posts: tuple[Post, ...], number: int, per_page: int = POSTS_PER_PAGE
) -> tuple[Post, ...] | None:
    """The posts of page `number` (from 1) of a list; None past its last page (page 1 always
    exists, empty or not).
    """
    start = (number - 1) * per_page
    if number < 1 or (start >= len(posts) and number != 1):
        return None
    return posts[start : start + per_page]


def page_count_of(posts: tuple[Post, ...], per_page: int = POSTS_PER_PAGE) -> int:
    return max(1, -(-len(posts) // per_page))
