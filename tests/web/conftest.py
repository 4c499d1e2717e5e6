"""Fixtures for the blog's web tests: a content folder of the test's own, and an app serving it."""

import shutil

import pytest

from consult.config import PROJECT_ROOT
from consult.db import get_session
from consult.demo import add_demo_booking_calendar
from tests.fakes.content import write_post


@pytest.fixture
def content_dir(tmp_path):
    """site.yaml and pages from the project, and a posts folder of this test's own."""
    directory = tmp_path / "content"
    (directory / "posts").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "content" / "site.yaml", directory / "site.yaml")
    shutil.copytree(PROJECT_ROOT / "content" / "pages", directory / "pages")
    posts = directory / "posts"
    write_post(
        posts,
        "public-one",
        "2026-11-10 09:00",
        tags=("Listening", "Leadership"),
        series="Three steps",
    )
    write_post(
        posts,
        "public-two",
        "2026-11-17 09:00",
        tags=("Leadership",),
        series="Three steps",
        extra=(
            "aliases: [/2026/11/old-address/]\n"
            "epigraph:\n"
            "  text: Believe me first.\n"
            "  attribution: a patient advisor"
        ),
    )
    write_post(
        posts, "scheduled-soon", "2026-11-25 09:01", tags=("Listening",), series="Three steps"
    )
    write_post(posts, "secret-draft", "2026-11-01 09:00", tags=("Listening",), draft=True)
    return directory


@pytest.fixture
def blog_app(make_app, content_dir):
    return make_app(CONTENT_DIR=str(content_dir))


@pytest.fixture
def reader(blog_app):
    return blog_app.test_client()


@pytest.fixture
def booking_app(app):
    """The app with the demo consultation types and office hours."""
    with app.app_context():
        add_demo_booking_calendar(get_session())
        get_session().commit()
    return app


@pytest.fixture
def guest(booking_app):
    return booking_app.test_client()
