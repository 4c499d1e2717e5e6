"""`flask --app consult nudges send`: the portal's reminders, each once (for cron)."""

import click
from flask import current_app
from flask.cli import AppGroup

from consult.clock import app_now
from consult.db import get_engine
from consult.nudges.service import send_due_nudges

nudge_commands = AppGroup("nudges", help="The portal's reminders by e-mail, for cron.")


@nudge_commands.command("send")
def send() -> None:
    """Queue every due nudge (round invitations, reminders and closing notices; actions due
    and overdue; owners' weekly summary) that was not sent before. Safe to run often and on
    several servers.
    """
    counts = send_due_nudges(
        engine=get_engine(),
        now=app_now(),
        time_zone=current_app.extensions["consult.site"].time_zone,
        definitions=current_app.extensions["consult.assessments"],
        secret_key=current_app.config["SECRET_KEY"],
    )
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
    click.echo(f"nudges: {summary or 'none due'}")
