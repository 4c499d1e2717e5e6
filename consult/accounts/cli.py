"""`flask --app consult create-admin EMAIL`: create or promote a consultant account, or reset its
two-step sign-in.
"""

import sys
from typing import Any

import click
from flask.cli import with_appcontext
from sqlmodel import Session

from consult.accounts.forms import site_words
from consult.accounts.models import User
from consult.accounts.policy import password_problem
from consult.accounts.service import (
    create_or_promote_consultant,
    end_sessions,
    find_user_by_email,
)
from consult.accounts.two_factor_service import turn_off
from consult.audit.events import SYSTEM
from consult.audit.service import record_event
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
@click.option(
    "--reset-two-factor",
    is_flag=True,
    help="Only turn off two-step sign-in of EMAIL's account (a lost phone), ending its "
    "sessions; the password stays. Its next sign-in makes it set it up again.",
)
@with_appcontext
def create_admin_command(
    email: str, name: str | None, password_stdin: bool, reset_two_factor: bool
) -> None:
    """Create a consultant account for EMAIL, or make an existing account a consultant."""
    if "@" not in email:
        raise click.BadParameter("must be an e-mail address", param_hint="EMAIL")
    if reset_two_factor:
        _reset_two_factor(email)
        return
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, email=email, name=name or "", site_words=site_words())
    if problem:
        raise click.ClickException(problem)
    session = get_session()
    before = find_user_by_email(session=session, email=email)
    previous = (before.role, before.is_active) if before else None
    user, created = create_or_promote_consultant(
        session=session, email=email, password=password, name=name, now=app_now()
    )
    _record(session, "account.created" if created else "password.changed", user)
    if previous is not None and previous != ("consultant", True):
        role, active = previous
        _record(session, "account.role_changed", user, role=[role, "consultant"], active=active)
    session.commit()
    click.echo(f"{'Created' if created else 'Updated'} consultant account {user.email}.")
    if not user.has_two_factor:
        click.echo("Its first sign-in asks it to set up two-step sign-in before anything else.")


def _reset_two_factor(email: str) -> None:
    session = get_session()
    user = find_user_by_email(session=session, email=email)
    if user is None:
        raise click.ClickException(f"No account has the address {email}.")
    if not user.has_two_factor:
        click.echo(f"Two-step sign-in is not on for {user.email}; nothing to reset.")
        return
    turn_off(session=session, user=user)
    end_sessions(session=session, user=user)
    _record(session, "two_factor.reset", user)
    session.commit()
    click.echo(
        f"Two-step sign-in of {user.email} is off and every session of it ended: after its "
        "password, the site opens nothing until two-step sign-in is set up again."
    )


def _record(session: Session, event_type: str, user: User, **details: Any) -> None:
    record_event(
        session=session,
        event_type=event_type,
        actor=SYSTEM,
        now=app_now(),
        subject_user_id=user.id,
        subject_email=user.email,
        details={"by": "create-admin", **details},
    )
