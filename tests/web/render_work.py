"""What a page does when it is drawn: for counting its work, the copies kept of it are set
aside for the request (signed-in pages kept per session, public pages kept in front of Flask
and inside it) and the visitor's account is read as on a first request.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from sqlalchemy import event

from consult.accounts.known_accounts import KNOWN_ACCOUNTS_KEY
from consult.db import ENGINE_KEY
from consult.site.caching import RENDERED_KEY
from consult.site.kept_pages import KEPT_KEY

NOT_QUERIES = ("BEGIN", "BEGIN IMMEDIATE")  # SQLite's own


@contextmanager
def drawn_afresh(app) -> Iterator[None]:
    """Inside the block every request renders its page and reads its visitor's account."""
    app.extensions[KNOWN_ACCOUNTS_KEY]._accounts.clear()
    nothing_kept = mock.Mock(return_value=None)
    with (
        mock.patch.object(app.extensions[KEPT_KEY], "get", nothing_kept),
        mock.patch.object(app.extensions[RENDERED_KEY], "get", nothing_kept),
        mock.patch.object(app.page_cache.pages, "get", nothing_kept),
    ):
        yield


def statements_drawing(app, client, path) -> tuple[list[str], str]:
    """The SQL statements a fresh drawing of `path` sends, and the page."""
    statements: list[str] = []

    def record(_connection, _cursor, statement, *_arguments):
        if statement.strip().upper() not in NOT_QUERIES:
            statements.append(statement)

    engine = app.extensions[ENGINE_KEY]
    event.listen(engine, "before_cursor_execute", record)
    try:
        with drawn_afresh(app):
            response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, (path, response.status_code)
    return statements, response.get_data(as_text=True)
