"""`flask --app consult mail send`: deliver the outbox, once (for cron) or continuously."""

import time

import click
from flask.cli import AppGroup

from consult.clock import app_now
from consult.mail.service import deliver_outbox

mail_commands = AppGroup("mail", help="Deliver queued e-mail.")


@mail_commands.command("send")
@click.option("--watch", is_flag=True, help="Keep running, delivering new mail as it is queued.")
@click.option(
    "--interval", default=10, show_default=True, help="Seconds between passes with --watch."
)
def send(watch: bool, interval: int) -> None:
    """Send every e-mail that is due; failures are retried later with growing delays."""
    while True:
        report = deliver_outbox(now=app_now())
        if report.sent or report.retrying or report.failed or not watch:
            click.echo(
                f"mail: {report.sent} sent, {report.retrying} to retry, {report.failed} given up"
            )
        if not watch:
            return
        time.sleep(interval)
