"""`flask --app consult mail send`: deliver the outbox, once (for cron) or continuously; and
`mail retry`: make waiting and given-up mail due again once the mail server is fixed.
"""

import time

import click
from flask.cli import AppGroup

from consult.clock import app_now
from consult.db import get_session
from consult.mail.service import deliver_outbox, make_due_again

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


@mail_commands.command("retry")
def retry() -> None:
    """Make e-mail waiting for a retry, or given up, due now (run `mail send` next)."""
    session = get_session()
    count = make_due_again(session=session, now=app_now())
    session.commit()
    click.echo(f"mail: {count} e-mails due again")
