"""Blog benchmark: 1,000 generated posts; cold load, then serving the busiest pages from memory.

Run: python -m bench.blog [--posts 1000] [--requests 200]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.timing import timed
from consult.config import PROJECT_ROOT, load_settings

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


def generate_posts(directory: Path, count: int) -> None:
    first_day = date(2020, 1, 7)  # each post at 09:00 in the site's time zone, a day apart
    for number in range(count):
        tags = [WORDS[number % 7], WORDS[(number * 3) % 11]]
        words = " ".join(WORDS[(number + offset) % len(WORDS)] for offset in range(700))
        body = "\n\n".join(
            [
                "## A heading",
                words[:1500],
                "- one\n- two\n- three",
                words[1500:],
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    arguments = parser.parse_args()

    from consult import create_app

    with tempfile.TemporaryDirectory() as scratch:
        content = Path(scratch) / "content"
        (content / "posts").mkdir(parents=True)
        shutil.copy(PROJECT_ROOT / "content" / "site.yaml", content / "site.yaml")
        shutil.copytree(PROJECT_ROOT / "content" / "pages", content / "pages")
        generate_posts(content / "posts", arguments.posts)
        settings = load_settings(
            {"CONTENT_DIR": str(content), "CONSULT_INSTANCE_DIR": scratch, "SECRET_KEY": "b" * 40}
        )
        app = create_app(
            {
                "SETTINGS": settings,
                "PREPARE_DATABASE": False,
                "CLOCK": lambda: datetime(2030, 1, 1, tzinfo=UTC),
            }
        )

        began = time.perf_counter()
        index = app.extensions["consult.blog"].index()
        elapsed_ms = (time.perf_counter() - began) * 1000
        print(
            f"cold load of {len(index.posts)} posts    {elapsed_ms:8.0f} ms "
            f"({len(index.problems)} problems)"
        )

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


if __name__ == "__main__":
    main()
