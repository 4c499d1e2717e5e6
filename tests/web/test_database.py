"""The schema: migrations match the models, run both ways, and the columns keep their promises."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError, StatementError

from consult.accounts.models import User
from consult.db import get_session, make_engine
from consult.migrate import alembic_config, upgrade_to_head
from consult.models import metadata
from consult.site.data_versions import COUNTERS_KEY


def schema_differences(database_url: str) -> list:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), metadata
        )
    engine.dispose()
    return differences


def test_migrations_and_models_agree(database_url):
    assert schema_differences(database_url) == []


def test_migrations_run_down_to_nothing_and_back_up(database_url):
    config = alembic_config(database_url)
    command.downgrade(config, "base")
    assert len(schema_differences(database_url)) >= len(metadata.tables)
    command.upgrade(config, "head")
    assert schema_differences(database_url) == []


def test_times_come_back_aware_in_utc_and_naive_times_are_refused(app, clock):
    with app.app_context():
        session = get_session()
        chicago = timezone(timedelta(hours=-6))
        user = User(
            email="t@example.org",
            name="T",
            password_hash="x",
            role="client",
            session_token="t" * 32,
            created_at=datetime(2026, 11, 25, 9, 0, tzinfo=chicago),
        )
        session.add(user)
        session.commit()
        session.expire_all()
        assert session.get(User, user.id).created_at == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
        session.add(
            User(
                email="n@example.org",
                name="N",
                password_hash="x",
                role="client",
                session_token="n" * 32,
                created_at=datetime(2026, 11, 25, 9, 0),  # noqa: DTZ001  naive on purpose: it must be refused
            )
        )
        with pytest.raises(StatementError, match="naive datetime"):
            session.commit()


def test_the_database_itself_refuses_a_mixed_case_address(app, clock):
    with app.app_context():
        session = get_session()
        session.add(
            User(
                email="Mixed@Example.org",
                name="M",
                password_hash="x",
                role="client",
                session_token="m" * 32,
                created_at=clock(),
            )
        )
        with pytest.raises(IntegrityError):
            session.commit()


def test_db_upgrade_moves_every_change_counter(app):
    """A migration may change rows behind the sessions' backs: no page kept from before stands."""
    counters = app.extensions[COUNTERS_KEY]
    tables = sorted(metadata.tables)
    before = counters.read(tables)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert all(now > then for now, then in zip(counters.read(tables), before, strict=True))


def test_upgrading_says_whether_a_migration_ran(tmp_path):
    """A local start moves every counter only when a migration changed the database."""
    database_url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    assert upgrade_to_head(database_url) is True
    assert upgrade_to_head(database_url) is False
