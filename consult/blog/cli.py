"""`flask --app consult content check` and `flask --app consult newsletter send`."""

from collections.abc import Iterator

import click
from flask import current_app
from flask.cli import AppGroup

from consult.blog.routes import LIBRARY_KEY
from consult.blog.service import send_newsletter
from consult.clock import app_now
from consult.content_check import content_problems
from consult.db import get_engine

content_commands = AppGroup("content", help="Check the content folder.")
newsletter_commands = AppGroup("newsletter", help="E-mail new posts to subscribers.")


@content_commands.command("check")
def check() -> None:
    """Print every problem in the content files; exit 1 if any (for a content repository's CI)."""
    settings = current_app.extensions["consult.settings"]
    problems = content_problems(
        settings.content_dir,
        current_app.extensions[LIBRARY_KEY],
        current_app.extensions["consult.assessments"],
    )
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {settings.content_dir}")
    click.echo(f"Content is fine: {len(current_app.extensions[LIBRARY_KEY].index().posts)} posts.")


@newsletter_commands.command("send")
def send() -> None:
    """Queue each newly published post for each confirmed subscriber once (safe to re-run)."""
    view = current_app.extensions[LIBRARY_KEY].index().public_view(app_now())

    def progress_bar(work: list[tuple[int, str]]) -> Iterator[tuple[int, str]]:
        with click.progressbar(work, label="Queueing new posts for subscribers") as bar:
            yield from bar

    queued = send_newsletter(engine=get_engine(), posts=view.posts, now=app_now, track=progress_bar)
    click.echo(
        f"newsletter: {queued} e-mail(s) queued; `flask --app consult mail send` delivers them."
    )
