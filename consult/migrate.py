"""Alembic, driven from consult's settings: apply migrations and write new ones."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext

from consult.config import PROJECT_ROOT
from consult.db import make_engine

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for `database_url`, with no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Alembic's config is ConfigParser-based: a literal % must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_to_head(database_url: str) -> bool:
    """Apply every migration not yet applied; whether any was."""
    before = _revisions(database_url)
    command.upgrade(alembic_config(database_url), "head")
    return _revisions(database_url) != before


def _revisions(database_url: str) -> tuple[str, ...]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_heads()
    finally:
        engine.dispose()
