"""`flask --app consult db …`: apply and write Alembic migrations with consult's settings."""

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask.cli import AppGroup

from consult.migrate import alembic_config

db_commands = AppGroup("db", help="Apply or write database migrations.")


def _config() -> Config:
    return alembic_config(current_app.extensions["consult.settings"].database_url)


@db_commands.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    command.upgrade(_config(), revision)
    click.echo(f"Database is at {revision}.")


@db_commands.command("current")
def current() -> None:
    """Show the revision the database is at."""
    command.current(_config(), verbose=False)


@db_commands.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
def revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    command.revision(_config(), message=message, autogenerate=True)
