"""Ranked full-text search over public posts, in memory, matched words highlighted. No Flask."""

from __future__ import annotations

import bisect
import math
import re
import threading
import unicodedata
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass

from markupsafe import Markup, escape

from consult.blog.posts import Post

WORD = re.compile(r"\w+", re.UNICODE)
FIELD_WEIGHTS = {"title": 5.0, "summary": 3.0, "tags": 3.0, "body": 1.0}
MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
EXCERPT_WORDS = 36


def fold(word: str) -> str:
    """Lower-case without accents, so `Décision` finds `decision`."""
    return (
        unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode()
        or word.lower()
    )


@dataclass(frozen=True)
class SearchHit:
    post: Post
    score: float
    title_html: Markup
    excerpt_html: Markup


@dataclass(frozen=True)
class SearchResult:
    query: str
    terms: tuple[str, ...]
    hits: tuple[SearchHit, ...]
    problem: str | None = None


def query_terms(query: str) -> tuple[tuple[str, ...], str | None]:
    """The words to look for, or a friendly reason there are none."""
    query = query.strip()
    if not query:
        return (), "Type a word or two to search the blog."
    if len(query) > MAX_QUERY_LENGTH:
        return (), "That search is longer than any post title. Try a few words instead."
    terms = tuple(dict.fromkeys(fold(word) for word in WORD.findall(query) if len(word) >= 2))
    if not terms:
        return (), "Try searching for words, such as “listening” or “leadership”."
    return terms[:MAX_TERMS], None


_weighted_words: weakref.WeakKeyDictionary[Post, dict[str, float]] = weakref.WeakKeyDictionary()
_weighted_words_lock = threading.Lock()


def weighted_words(post: Post) -> dict[str, float]:
    """Each folded word of the post with its field-weighted count, computed once per post.

    Kept per post object, so an index rebuilt after one file changed reads only that file's words.
    """
    with _weighted_words_lock:
        known = _weighted_words.get(post)
    if known is None:
        counts: dict[str, float] = defaultdict(float)
        fields = {
            "title": post.title,
            "summary": post.summary,
            "tags": " ".join(post.tags),
            "body": post.plain_text,
        }
        for name, text in fields.items():
            # Folding is the slow part: fold each distinct word once, however often it occurs.
            for word, times in Counter(WORD.findall(text)).items():
                counts[fold(word)] += FIELD_WEIGHTS[name] * times
        known = dict(counts)
        with _weighted_words_lock:
            _weighted_words[post] = known
    return known


class SearchIndex:
    """An inverted index of field-weighted word counts; prefixes of three letters or more match."""

    def __init__(self, posts: tuple[Post, ...]):
        self.posts = posts
        self._postings: dict[str, dict[int, float]] = defaultdict(dict)
        for number, post in enumerate(posts):
            for word, weight in weighted_words(post).items():
                self._postings[word][number] = weight
        self._vocabulary = sorted(self._postings)

    def _expand(self, term: str) -> list[str]:
        if len(term) < 3:
            return [term] if term in self._postings else []
        start = bisect.bisect_left(self._vocabulary, term)
        end = bisect.bisect_left(self._vocabulary, term + "\uffff")
        return self._vocabulary[start:end]

    def search(self, query: str, limit: int = 50) -> SearchResult:
        terms, problem = query_terms(query)
        if problem:
            return SearchResult(query=query, terms=(), hits=(), problem=problem)
        scores: dict[int, float] = defaultdict(float)
        matched_terms: dict[int, int] = defaultdict(int)
        for term in terms:
            postings: dict[int, float] = defaultdict(float)
            for word in self._expand(term):
                for number, weight in self._postings[word].items():
                    postings[number] += weight
            idf = math.log(1 + len(self.posts) / (1 + len(postings)))
            for number, weight in postings.items():
                scores[number] += (1 + math.log(weight)) * idf
                matched_terms[number] += 1
        ranked = sorted(
            scores, key=lambda number: (-matched_terms[number], -scores[number], number)
        )[:limit]
        hits = tuple(
            SearchHit(
                post=self.posts[number],
                score=round(scores[number], 3),
                title_html=highlight(self.posts[number].title, terms),
                excerpt_html=excerpt(self.posts[number], terms),
            )
            for number in ranked
        )
        return SearchResult(query=query, terms=terms, hits=hits)


def _matches(word: str, terms: tuple[str, ...]) -> bool:
    folded = fold(word)
    return any(folded == term or (len(term) >= 3 and folded.startswith(term)) for term in terms)


def highlight(text: str, terms: tuple[str, ...]) -> Markup:
    """`text`, escaped, with every word that matches a term wrapped in <mark>."""
    parts, position = [], 0
    for match in WORD.finditer(text):
        if _matches(match.group(), terms):
            parts.append(escape(text[position : match.start()]))
            parts.append(Markup("<mark>") + escape(match.group()) + Markup("</mark>"))
            position = match.end()
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def excerpt(post: Post, terms: tuple[str, ...]) -> Markup:
    """The summary when it matches, else the words of the body around the first match."""
    if post.summary and any(_matches(word, terms) for word in WORD.findall(post.summary)):
        return highlight(post.summary, terms)
    words = post.plain_text.split()
    first = next(
        (
            index
            for index, word in enumerate(words)
            if any(_matches(part, terms) for part in WORD.findall(word))
        ),
        None,
    )
    if first is None:
        return highlight(post.summary, terms)
    start = max(0, first - EXCERPT_WORDS // 3)
    snippet = " ".join(words[start : start + EXCERPT_WORDS])
    ellipsis, nothing = Markup("…"), Markup("")
    return (
        (ellipsis if start else nothing)
        + highlight(snippet, terms)
        + (ellipsis if start + EXCERPT_WORDS < len(words) else nothing)
    )
