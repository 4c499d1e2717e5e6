"""`flask --app consult rounds close-due`: close the rounds whose date has passed (for cron)."""

import click
from flask import current_app
from flask.cli import AppGroup

from consult.clock import app_now
from consult.db import get_engine
from consult.portal.rounds import close_due_rounds

round_commands = AppGroup("rounds", help="Assessment round jobs for cron.")


@round_commands.command("close-due")
def close_due() -> None:
    """Close every open round whose closing date has passed, and make its plan."""
    now = app_now()
    today = now.astimezone(current_app.extensions["consult.site"].time_zone).date()
    closed = close_due_rounds(
        engine=get_engine(),
        today=today,
        now=now,
        definitions=current_app.extensions["consult.assessments"],
    )
    click.echo(f"rounds: {closed} closed")
