"""Blog benchmark: 1,000 generated posts; cold start without and with the render cache, serving
the busiest pages from memory, and one changed file reaching its page and search.

Run: python -m bench.blog [--posts 1000] [--requests 200]
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask

from bench.timing import timed
from consult.blog.library import CHECK_INTERVAL_SECONDS
from consult.blog.warming import warm_blog
from consult.config import PROJECT_ROOT, Settings, load_settings

WORDS = [
    "partnership",
    "listening",
    "leadership",
    "patients",
    "providers",
    "trust",
    "dignity",
    "equity",
    "chronic",
    "illness",
    "support",
    "visits",
    "questions",
    "decisions",
    "transparency",
    "presence",
    "believing",
    "measuring",
    "teams",
    "care",
]


def generate_posts(directory: Path, count: int, words: int = 700) -> None:
    """`count` posts of about `words` words, with headings, a list and a table."""
    first_day = date(2020, 1, 7)  # each post at 09:00 in the site's time zone, a day apart
    for number in range(count):
        tags = [WORDS[number % 7], WORDS[(number * 3) % 11]]
        text = " ".join(WORDS[(number + offset) % len(WORDS)] for offset in range(words))
        body = "\n\n".join(
            [
                "## A heading",
                text[:1500],
                "- one\n- two\n- three",
                text[1500:],
                "| a | b |\n|---|---|\n| 1 | 2 |",
            ]
        )
        front = (
            f"title: Post number {number}\n"
            f"date: {(first_day + timedelta(days=number)).isoformat()}T09:00:00\n"
            f"summary: A generated post about {tags[0]}.\ntags: [{', '.join(tags)}]\n"
            + (f"series: Series {number // 5}\n" if number % 3 == 0 else "")
        )
        (directory / f"post-{number}.md").write_text(f"---\n{front}---\n{body}\n")


BENCH_NOW = datetime(2030, 1, 1, tzinfo=UTC)


def start_app(settings: Settings) -> Flask:
    from consult import create_app

    return create_app({"SETTINGS": settings, "PREPARE_DATABASE": False, "CLOCK": lambda: BENCH_NOW})


def cold_start_ms(settings: Settings) -> tuple[float, float]:
    """Build the app, then warm its blog as a preloading server does before forking: the
    milliseconds of each.
    """
    began = time.perf_counter()
    app = start_app(settings)
    built = time.perf_counter()
    warm_blog(app)
    return (built - began) * 1000, (time.perf_counter() - built) * 1000


def cold_start_in_new_process(label: str, settings: Settings) -> None:
    """Time a cold start in a fresh interpreter: nothing of an earlier start is in memory."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as process:
        app_ms, blog_ms = process.submit(cold_start_ms, settings).result()
    print(f"{label:<40} {blog_ms:8.0f} ms   (the app itself: {app_ms:.0f} ms more)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        content = Path(scratch) / "content"
        (content / "posts").mkdir(parents=True)
        shutil.copy(PROJECT_ROOT / "content" / "site.yaml", content / "site.yaml")
        shutil.copytree(PROJECT_ROOT / "content" / "pages", content / "pages")
        generate_posts(content / "posts", arguments.posts)
        settings = load_settings(
            {"CONTENT_DIR": str(content), "CONSULT_INSTANCE_DIR": scratch, "SECRET_KEY": "b" * 40}
        )
        cold_start_in_new_process(f"cold start, {arguments.posts} posts, no cache", settings)
        cold_start_in_new_process("cold start, with the render cache", settings)

        app = start_app(settings)
        warm_blog(app)
        index = app.extensions["consult.blog"].index()
        if index.problems:
            raise SystemExit(f"posts left out: {index.problems[0]}")

        client = app.test_client()
        middle = index.posts[len(index.posts) // 2]
        pages = {
            "/blog/": "/blog/",
            "a post": f"/blog/{middle.slug}/",
            "a tag page": f"/blog/tag/{middle.tag_slugs[0]}/",
            "/feed.xml": "/feed.xml",
            "search": "/blog/search?q=listening+trust",
        }
        for label, path in pages.items():
            if client.get(path).status_code != 200:
                raise SystemExit(f"{path} does not answer 200")
            timed(f"GET {label}", lambda path=path: client.get(path), arguments.requests)

        changed = content / "posts" / middle.source
        changed.write_text(changed.read_text() + "\nA newly written paragraph on stewardship.\n")
        time.sleep(CHECK_INTERVAL_SECONDS)  # the next request checks the folder

        def reflect_change() -> None:
            post_page = client.get(f"/blog/{middle.slug}/").get_data(as_text=True)
            found = client.get("/blog/search?q=stewardship").get_data(as_text=True)
            if "stewardship" not in post_page or f"/blog/{middle.slug}/" not in found:
                raise SystemExit("the changed post is not in its page and search")

        began = time.perf_counter()
        reflect_change()
        elapsed_ms = (time.perf_counter() - began) * 1000
        print(f"{'one changed file: its page and search':<40} {elapsed_ms:8.0f} ms")


if __name__ == "__main__":
    main()
