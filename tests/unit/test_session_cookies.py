"""Session cookies remembered once verified (consult/accounts/session_cookies.py): the same
cookie opens the same session without being checked again, anything else is checked as Flask
checks it, and a remembered cookie still expires on time.
"""

import time
from datetime import timedelta
from unittest import mock

from flask import Flask, session

from consult.accounts.session_cookies import RememberedCookieSessions


def make_app(lifetime=timedelta(days=31)) -> Flask:
    app = Flask(__name__)
    app.secret_key = "a-secret-key-long-enough-for-the-test-0123456789"
    app.permanent_session_lifetime = lifetime
    app.session_interface = RememberedCookieSessions()

    @app.post("/set")
    def set_value():
        session["name"] = "Ada"
        session["_flashes"] = [("info", "Hello")]
        return ""

    @app.get("/read")
    def read():
        shown = f"{session.get('name')}|{len(session.get('_flashes', []))}"
        session.get("_flashes", []).clear()  # changing this request's copy only
        return shown

    return app


def cookie_of(app) -> str:
    client = app.test_client()
    client.post("/set")
    return client.get_cookie("session").value


def test_a_cookie_is_verified_once_then_remembered_and_each_request_gets_its_own_copy():
    app = make_app()
    value = cookie_of(app)
    reader = app.test_client()
    reader.set_cookie("session", value)
    serializer = app.session_interface.get_signing_serializer(app)
    with mock.patch.object(
        type(serializer), "loads", autospec=True, side_effect=type(serializer).loads
    ) as loads:
        assert reader.get("/read").get_data(as_text=True) == "Ada|1"
        assert reader.get("/read").get_data(as_text=True) == "Ada|1"
    assert loads.call_count == 1


def test_a_changed_cookie_opens_no_session():
    app = make_app()
    value = cookie_of(app)
    reader = app.test_client()
    reader.set_cookie("session", value)
    reader.get("/read")
    reader.set_cookie("session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert reader.get("/read").get_data(as_text=True) == "None|0"


def test_a_remembered_cookie_still_expires_with_the_session_lifetime():
    app = make_app(lifetime=timedelta(seconds=60))
    value = cookie_of(app)
    reader = app.test_client()
    reader.set_cookie("session", value)
    assert reader.get("/read").get_data(as_text=True) == "Ada|1"
    with mock.patch("consult.accounts.session_cookies.time.time") as now:
        now.return_value = 10**10
        assert reader.get("/read").get_data(as_text=True) == "None|0"


def test_the_same_contents_signed_within_one_second_give_the_same_cookie():
    app = make_app()
    serializer = app.session_interface.get_signing_serializer(app)
    assert app.session_interface.get_signing_serializer(app) is serializer  # made once
    now = time.time()
    with mock.patch("time.time", return_value=float(int(now)) + 0.1):
        first = serializer.dumps({"name": "Ada", "active_at": 1})
    with mock.patch("time.time", return_value=float(int(now)) + 0.9):
        assert serializer.dumps({"active_at": 1, "name": "Ada"}) == first
        assert serializer.dumps({"name": "Ben", "active_at": 1}) != first
    with mock.patch("time.time", return_value=float(int(now)) + 1.1):
        later = serializer.dumps({"name": "Ada", "active_at": 1})
        assert later != first and serializer.loads(later) == {"name": "Ada", "active_at": 1}
