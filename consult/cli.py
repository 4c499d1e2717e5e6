"""`flask --app consult db …` (Alembic migrations with consult's settings) and `demo reset`."""

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import text

from consult.config import Settings
from consult.db import get_engine
from consult.demo import DEMO_CONSULTANT_EMAIL, load_demo_data, sign_in_box, sign_in_url
from consult.migrate import alembic_config, upgrade_to_head
from consult.models import metadata
from consult.site.change_counters import every_table_changed

db_commands = AppGroup("db", help="Apply or write database migrations.")
demo_commands = AppGroup("demo", help="The local demo data.")


def _config() -> Config:
    return alembic_config(current_app.extensions["consult.settings"].database_url)


def _every_table_changed() -> None:
    """No page kept from the rows before may stand (see change_counters.every_table_changed)."""
    settings: Settings = current_app.extensions["consult.settings"]
    every_table_changed(
        metadata.tables,
        storage_uri=settings.ratelimit_storage_uri,
        database_url=settings.database_url,
    )


@db_commands.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    command.upgrade(_config(), revision)
    _every_table_changed()  # a migration may change rows behind the sessions' backs
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


@demo_commands.command("reset")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reset(yes: bool) -> None:
    """Delete every row of the local database and load fresh demo data (never in production)."""
    settings: Settings = current_app.extensions["consult.settings"]
    if settings.is_production:
        raise click.ClickException(
            "demo reset deletes every row of the database: it refuses to run in production."
        )
    if not yes:
        click.confirm(
            "This deletes every account, booking, organisation and e-mail in the local "
            "database and instance/outbox, then loads fresh demo data. Continue?",
            abort=True,
        )
    engine = get_engine()
    metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    upgrade_to_head(settings.database_url)
    for written in settings.outbox_dir.glob("*.eml"):
        written.unlink()
    password = load_demo_data()
    _every_table_changed()
    click.echo(sign_in_box(sign_in_url(), DEMO_CONSULTANT_EMAIL, password), err=True)
