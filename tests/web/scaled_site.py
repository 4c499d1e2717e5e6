"""Sites filled from the benchmark's data set at a chosen size, for tests that compare sizes."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from bench.dataset import Dataset, build_content, fill_database
from consult.db import ENGINE_KEY
from tests.postgres_leg import empty_postgres


@dataclass(frozen=True)
class Size:
    posts: int
    bookings: int
    organisations: int
    respondents: int

    def times(self, factor: int) -> Size:
        return Size(
            self.posts * factor,
            self.bookings * factor,
            self.organisations * factor,
            self.respondents,
        )


def build_scaled_site(
    request, make_app, folder: Path, clock, size: Size, *, words: int = 700, **environment: str
) -> tuple[Flask, Dataset]:
    """A fresh database holding `size`, a content folder of `size.posts` posts of about `words`
    words, and the app serving them (with any further `environment` settings).

    Each call starts from an empty database: a copy of the migrated SQLite template, or the
    PostgreSQL test database emptied (so an earlier call's app must be done with it). The content
    folder is made in `folder` once per size and words, and kept for later calls.
    """
    database_url = request.getfixturevalue("database_url")
    name = f"{size.posts}-{size.bookings}-{size.organisations}"
    if database_url.startswith("sqlite"):
        path = folder / f"scaled-{name}.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        database_url = f"sqlite:///{path}"
    else:
        empty_postgres(database_url)
    content = folder / f"content-{size.posts}-{words}"
    if not content.exists():
        content.mkdir()
        build_content(content, size.posts, words)
    app = make_app(DATABASE_URL=database_url, CONTENT_DIR=str(content), **environment)
    definition = app.extensions["consult.assessments"].current()
    dataset = fill_database(
        app.extensions[ENGINE_KEY],
        definition,
        app.extensions["consult.site"].time_zone,
        now=clock(),
        bookings=size.bookings,
        organisations=size.organisations,
        respondents=size.respondents,
    )
    return app, dataset
