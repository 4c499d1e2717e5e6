"""`flask --app consult create-admin EMAIL`: create or promote a consultant account."""

import sys

import click
from flask.cli import with_appcontext

from consult.accounts.policy import password_problem
from consult.accounts.service import create_or_promote_consultant
from consult.clock import app_now
from consult.db import get_session


@click.command("create-admin")
@click.argument("email")
@click.option("--name", help="The name shown on the site (default: the part of EMAIL before @).")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of prompting.",
)
@with_appcontext
def create_admin_command(email: str, name: str | None, password_stdin: bool) -> None:
    """Create a consultant account for EMAIL, or make an existing account a consultant."""
    if "@" not in email:
        raise click.BadParameter("must be an e-mail address", param_hint="EMAIL")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, email=email, name=name or "")
    if problem:
        raise click.ClickException(problem)
    session = get_session()
    user, created = create_or_promote_consultant(
        session=session, email=email, password=password, name=name, now=app_now()
    )
    session.commit()
    click.echo(f"{'Created' if created else 'Updated'} consultant account {user.email}.")
