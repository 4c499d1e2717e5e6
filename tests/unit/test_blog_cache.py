"""The render cache: a restart renders only the files that changed, and a new parser renders all."""

from zoneinfo import ZoneInfo

import pytest

from consult.blog import post_cache, posts
from consult.blog.library import PostLibrary
from consult.blog.post_cache import post_from_json, post_to_json
from tests.fakes.content import write_post

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """Every Markdown body rendered from now on (a spy on the renderer posts call)."""
    rendered: list[str] = []
    real_render = posts.render_markdown

    def counting_render(body: str) -> tuple[str, str]:
        rendered.append(body)
        return real_render(body)

    monkeypatch.setattr(posts, "render_markdown", counting_render)
    return rendered


@pytest.fixture
def posts_dir(tmp_path):
    directory = tmp_path / "posts"
    directory.mkdir()
    write_post(directory, "first", "2026-11-03 09:00", tags=("Listening", "Trust"))
    write_post(
        directory,
        "second",
        "2026-11-10 09:00",
        series="Three steps",
        extra=(
            "updated: 2026-11-12\naliases: [/2026/11/old/]\ntoc: true\n"
            "epigraph:\n  text: Believe me first.\n  attribution: a patient advisor\n"
            "cover:\n  src: /media/hands.jpg\n  alt: Two hands"
        ),
        body="## A heading\n\nWords with a [link](https://example.org) and a table:\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n",
    )
    write_post(directory, "third", "2026-11-17 09:00", draft=True)
    return directory


def start_library(posts_dir, cache_dir) -> PostLibrary:
    """A library as a newly started process has it: nothing in memory, the cache on disk."""
    return PostLibrary(posts_dir, time_zone=CHICAGO, words_per_minute=200, cache_dir=cache_dir)


def test_a_restart_with_a_warm_cache_renders_no_post_and_serves_the_same_posts(
    posts_dir, tmp_path, renders
):
    first_run = start_library(posts_dir, tmp_path / "cache").index()
    assert len(renders) == 3

    renders.clear()
    restarted = start_library(posts_dir, tmp_path / "cache").index()
    assert renders == []
    assert restarted.posts == first_run.posts  # every field, the HTML and dates included
    assert restarted.problems == ()


def test_a_changed_file_is_rendered_again_and_only_it(posts_dir, tmp_path, renders):
    ticks = [0.0]
    library = PostLibrary(
        posts_dir,
        time_zone=CHICAGO,
        words_per_minute=200,
        cache_dir=tmp_path / "cache",
        monotonic=lambda: ticks[0],
    )
    library.index()
    renders.clear()
    write_post(posts_dir, "second", "2026-11-10 09:00", body="Rewritten about stewardship.")
    ticks[0] = 10.0
    changed = library.index()
    assert renders == ["Rewritten about stewardship.\n"]
    assert "stewardship" in changed.get_any("second").html
    assert [
        hit.post.slug
        for hit in changed.public_view(changed.posts[0].published_at).search("stewardship").hits
    ] == ["second"]

    renders.clear()
    restarted = start_library(posts_dir, tmp_path / "cache").index()
    assert renders == []  # the new text was cached; the old entry is gone
    assert "stewardship" in restarted.get_any("second").html
    assert len(list(library._cache.directory.glob("*.json"))) == 3


def test_a_new_parser_version_renders_every_post_and_removes_the_old_entries(
    posts_dir, tmp_path, renders, monkeypatch
):
    start_library(posts_dir, tmp_path / "cache").index()
    old_folders = list((tmp_path / "cache").iterdir())
    monkeypatch.setattr(post_cache, "CACHE_FORMAT", post_cache.CACHE_FORMAT + 1)
    renders.clear()
    start_library(posts_dir, tmp_path / "cache").index()
    assert len(renders) == 3
    assert all(not folder.exists() for folder in old_folders)


def test_an_unreadable_entry_is_a_miss_and_an_unwritable_folder_only_costs_speed(
    posts_dir, tmp_path, renders
):
    library = start_library(posts_dir, tmp_path / "cache")
    library.index()
    for entry in library._cache.directory.glob("*.json"):
        entry.write_text('{"title": "half a')
    renders.clear()
    assert len(start_library(posts_dir, tmp_path / "cache").index().posts) == 3
    assert len(renders) == 3

    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    assert len(start_library(posts_dir, blocked).index().posts) == 3


def test_a_post_survives_its_round_trip_through_json(posts_dir):
    for post in start_library(posts_dir, None).index().posts:
        assert post_from_json(post_to_json(post)) == post
