"""What consult writes on the server is for its own user only, whatever the umask."""

import os

import pytest
from sqlalchemy import text

from consult.config import load_settings
from consult.db import make_engine


@pytest.fixture
def open_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path):
    return path.stat().st_mode & 0o777


def test_a_new_instance_folder_and_its_secret_key_are_private(tmp_path, open_umask):
    instance = tmp_path / "deep" / "instance"
    load_settings({"CONSULT_INSTANCE_DIR": str(instance)})
    assert mode(instance) == 0o700 and mode(instance / "secret_key") == 0o600


def test_a_new_sqlite_database_and_its_journal_are_private(tmp_path, open_umask):
    database = tmp_path / "consult.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("PRAGMA journal_mode=WAL"))
        connection.execute(text("CREATE TABLE kept (value TEXT)"))
        connection.execute(text("INSERT INTO kept VALUES ('personal data')"))
        written = [path for path in tmp_path.iterdir() if path.name.startswith("consult.sqlite3")]
        assert len(written) >= 2 and all(mode(path) == 0o600 for path in written), written
    engine.dispose()


def test_an_existing_database_keeps_the_mode_its_owner_gave_it(tmp_path, open_umask):
    database = tmp_path / "shared.sqlite3"
    database.touch(mode=0o640)
    make_engine(f"sqlite:///{database}").dispose()
    assert mode(database) == 0o640
