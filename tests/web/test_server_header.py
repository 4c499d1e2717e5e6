"""The site served as in production (gunicorn from the checkout) does not name its software."""

import shutil
from urllib.request import urlopen

import pytest

from tests.web.live_server import LiveServer, prepare_database


@pytest.fixture(scope="module")
def server(sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("server-header") / "consult.sqlite3"
    shutil.copyfile(sqlite_template, path)
    database_url = f"sqlite:///{path}"
    prepare_database(database_url)  # with an account, so the worker loads no demo data
    live = LiveServer(
        database_url=database_url, instance_dir=tmp_path_factory.mktemp("live"), workers=1
    )
    yield live
    live.stop()
    assert not live.errors(), "\n".join(live.errors())


@pytest.mark.parametrize("path", ["/", "/healthz", "/accounts/sign-in", "/no-such-page"])
def test_the_server_header_names_no_software(server, path):
    try:
        response = urlopen(server.url + path, timeout=30)  # noqa: S310  our own loopback server
    except OSError as error:  # urllib raises HTTPError, a response too, for the 404
        response = error
    server_headers = response.headers.get_all("Server") or []
    assert len(server_headers) <= 1
    for value in server_headers:
        assert "gunicorn" not in value.lower() and "werkzeug" not in value.lower()
        assert "python" not in value.lower()
