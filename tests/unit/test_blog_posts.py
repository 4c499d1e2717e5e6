"""One post file: front matter, validation with file lines, and Markdown rendering."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from consult.blog.posts import PostError, parse_post, slugify

CHICAGO = ZoneInfo("America/Chicago")


def parse(text: str, file_name: str = "a-post.md", words_per_minute: int = 200):
    return parse_post(
        file_name=file_name, text=text, time_zone=CHICAGO, words_per_minute=words_per_minute
    )


def post_text(front: str, body: str = "Some words.") -> str:
    return f"---\n{front.strip()}\n---\n{body}\n"


def test_a_full_post_is_parsed():
    post = parse(
        post_text("""
title: "Listening first"
date: 2026-11-24 09:00
slug: listening-first
summary: Why we start with questions.
tags: [Listening, Chronic illness]
series: Building a listening organisation
epigraph:
  text: Ask me what my days are like.
  attribution: a patient advisor
cover:
  src: /media/hands.jpg
  alt: Two hands resting on a table
author: Ms. Irons
updated: 2026-11-26
aliases: [/2026/11/listening/]
toc: true
""")
    )
    assert post.slug == "listening-first" and post.title == "Listening first"
    assert post.published_at == datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 09:00 in Chicago
    assert post.updated_at == datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    assert post.tags == ("Listening", "Chronic illness") and post.tag_slugs == (
        "listening",
        "chronic-illness",
    )
    assert post.series_slug == "building-a-listening-organisation"
    assert (
        post.epigraph.text == "Ask me what my days are like."
        and post.epigraph.attribution == "a patient advisor"
    )
    assert post.cover.alt == "Two hands resting on a table"
    assert post.aliases == ("/2026/11/listening/",) and post.show_toc and not post.draft


def test_defaults_slug_from_file_name_and_dates_with_offsets_or_without_time():
    post = parse(post_text("title: T\ndate: 2026-03-08"), file_name="spring-forward.md")
    assert post.slug == "spring-forward"
    assert post.published_at == datetime(2026, 3, 8, 6, 0, tzinfo=UTC)  # midnight CST
    summer = parse(post_text("title: T\ndate: 2026-07-01 09:00"))
    assert summer.published_at.hour == 14  # CDT is UTC-5
    offset = parse(post_text("title: T\ndate: 2026-07-01T09:00:00+05:30"))
    assert offset.published_at == datetime(2026, 7, 1, 3, 30, tzinfo=UTC)


def test_reading_time_uses_the_configured_speed():
    body = "word " * 450
    assert (
        parse(post_text("title: T\ndate: 2026-01-01", body), words_per_minute=200).reading_minutes
        == 3
    )
    assert (
        parse(
            post_text("title: T\ndate: 2026-01-01", "Short."), words_per_minute=200
        ).reading_minutes
        == 1
    )


def test_markdown_features_render():
    body = """
## A heading

Smart "quotes" -- and dashes.

```python
print("hello")
```

| Prescribe | Partner |
|-----------|---------|
| tells     | asks    |

A claim[^1].

[^1]: The note.

<script>alert("x")</script>
"""
    post = parse(post_text("title: T\ndate: 2026-01-01\ntoc: true", body))
    assert '<h2 id="a-heading">' in post.html and 'class="headerlink"' in post.html
    assert "“quotes”" in post.html and "–" in post.html
    assert '<div class="highlight">' in post.html
    assert (
        '<div class="table-scroll" role="region" tabindex="0" aria-label="Table"><table>'
        in post.html
    )
    assert 'class="footnote-ref"' in post.html and 'id="fn:1"' in post.html
    assert "<script" not in post.html and 'href="#a-heading"' in post.toc_html
    assert "#" not in post.plain_text.split("heading")[0]  # permalink marks are not words


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("No front matter at all.", "no front matter", 1),
        ("---\ntitle: T\ndate: 2026-01-01\n", "not closed", 1),
        ("---\ntitle: [unclosed\ndate: 2026-01-01\n---\nx", "not valid YAML", 3),
        (post_text("date: 2026-01-01"), "title is missing", None),
        (post_text("title: T"), "date is missing", None),
        (post_text("title: T\ndate: next tuesday"), "is not a date", 3),
        (
            post_text("title: T\ndate: 2026-01-01\ncover:\n  src: /media/x.jpg"),
            "cover has no alt text",
            4,
        ),
        (post_text("title: T\ndate: 2026-01-01\ncover: /media/x.jpg"), "cover has no alt text", 4),
        (post_text("title: T\ndate: 2026-01-01\nslug: Not A Slug"), "slug 'Not A Slug'", 4),
        (post_text("title: T\ndate: 2026-01-01\nslug: archive"), "name of a blog page", 4),
        (
            post_text("title: T\ndate: 2026-01-01\ntitel: typo"),
            "unknown front matter field(s): titel",
            None,
        ),
        (post_text("title: T\ndate: 2026-01-01\ndraft: maybe"), "draft must be true or false", 4),
        (post_text("title: T\ndate: 2026-01-01\naliases: [old-post]"), "aliases must be paths", 4),
        (post_text("title: T\ndate: 2026-01-01\ntags: {a: 1}"), "tags must be a list", 4),
    ],
)
def test_each_broken_file_is_refused_with_a_reason_and_line(text, message, line):
    with pytest.raises(PostError) as raised:
        parse(text)
    assert message in str(raised.value)
    assert raised.value.line == line


def test_slugify():
    assert slugify("Chronic illness") == "chronic-illness"
    assert slugify("  Équité & dignité! ") == "equite-dignite"
