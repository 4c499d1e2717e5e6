"""The audit log records sign-in, sign-out, passwords and accounts: who, what, when, from where."""

import logging
import re

import pytest
import sqlalchemy
from sqlalchemy import text

from consult.audit.events import SYSTEM, UnknownEventType
from consult.audit.models import AuditEntry
from consult.audit.service import record_event
from consult.db import get_engine, get_session
from tests.conftest import TEST_PASSWORD, Auth, submit_form
from tests.web.audit_fixtures import audit_entries, audit_log_lines, only_entry
from tests.web.booking_flow import emails

BROWSER = {"User-Agent": "TestBrowser/1.0 (audit)"}


def sign_in(client, email, password=TEST_PASSWORD, **request_options):
    """Sign in through the form, with headers or environ of the test's choosing."""
    data = {"email": email, "password": password}
    return submit_form(client, "/accounts/sign-in", data, **request_options)


def test_sign_in_failure_success_and_sign_out_say_who_when_and_from_where(
    app, make_user, clock, caplog
):
    caplog.set_level(logging.INFO, logger="consult.audit")
    user = make_user(email="jo@example.org")
    client = app.test_client()
    assert sign_in(client, "jo@example.org", "not the password", headers=BROWSER).status_code == 422
    assert sign_in(client, "nobody@example.org", "not the password").status_code == 422
    assert sign_in(client, "JO@example.org", headers=BROWSER).status_code == 302
    Auth(client).sign_out()

    refused_known, refused_unknown = audit_entries(app, "sign_in.failed")
    assert (refused_known.actor_kind, refused_known.actor_user_id) == ("guest", None)
    assert refused_known.subject_email == "jo@example.org"
    assert refused_unknown.subject_email == "nobody@example.org"
    signed_in = only_entry(app, "sign_in.succeeded")
    assert (signed_in.actor_kind, signed_in.actor_user_id) == ("user", user.id)
    assert signed_in.actor_email == signed_in.subject_email == "jo@example.org"
    for entry in (refused_known, signed_in):
        assert entry.occurred_at == clock() and entry.occurred_at.utcoffset().total_seconds() == 0
        assert entry.client_address == "127.0.0.1"
        assert entry.user_agent == BROWSER["User-Agent"]
    signed_out = only_entry(app, "sign_out")
    assert signed_out.actor_user_id == user.id

    lines = audit_log_lines(caplog)
    assert [line["event"] for line in lines] == [
        "sign_in.failed",
        "sign_in.failed",
        "sign_in.succeeded",
        "sign_out",
    ]
    assert lines[2]["actor"] == "jo@example.org" and lines[2]["client_address"] == "127.0.0.1"
    assert lines[2]["audit_id"] == signed_in.id and lines[2]["at"] == clock().isoformat()


@pytest.mark.parametrize(("proxies", "recorded"), [("0", "10.0.0.2"), ("1", "198.51.100.7")])
def test_the_client_address_honours_trusted_proxy_count(make_app, make_user, proxies, recorded):
    app = make_app(TRUSTED_PROXY_COUNT=proxies)
    make_user(email="jo@example.org")
    client = app.test_client()
    # A visitor's own X-Forwarded-For claim (1.2.3.4) is never believed: only the trusted
    # proxy's last hop is, and without a proxy only the connection's address.
    forwarded = {"X-Forwarded-For": "1.2.3.4, 198.51.100.7"}
    response = sign_in(
        client, "jo@example.org", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.2"}
    )
    assert response.status_code == 302
    assert only_entry(app, "sign_in.succeeded").client_address == recorded


def test_hostile_text_from_the_request_is_stored_cleaned(app, make_user):
    make_user(email="jo@example.org")
    client = app.test_client()
    # Straight into the WSGI environ: a raw server hands on what the test client would refuse.
    hostile = {"HTTP_USER_AGENT": "Evil\x00Agent\r\nX-Forged: 1" + "x" * 1000}
    response = sign_in(client, "jo@example.org", "not the password", environ_base=hostile)
    assert response.status_code == 422
    entry = only_entry(app, "sign_in.failed")
    assert entry.user_agent.startswith("Evil Agent  X-Forged: 1") and len(entry.user_agent) == 300
    # A line break in the address itself is refused at the form, before anything is recorded.
    refused = sign_in(client, "jo\r\n@example.org", "not the password")
    assert refused.status_code == 422 and len(audit_entries(app, "sign_in.failed")) == 1


def test_password_change_and_reset_are_recorded(app, make_user, caplog):
    user = make_user(email="jo@example.org")
    client = app.test_client()
    Auth(client).sign_in("jo@example.org")
    new_password = "a brisk autumn swim"
    response = submit_form(
        client,
        "/accounts/password",
        {"current_password": TEST_PASSWORD, "password": new_password, "confirm": new_password},
    )
    assert response.status_code == 302
    changed = only_entry(app, "password.changed")
    assert changed.actor_user_id == changed.subject_user_id == user.id

    visitor = app.test_client()
    submit_form(visitor, "/accounts/reset", {"email": "jo@example.org"})
    [body] = [email.text_body for email in emails(app) if email.subject.startswith("Reset")]
    link = re.search(r"http://consult\.test(/accounts/reset/\S+)", body).group(1)
    third = "a quiet winter read"
    assert submit_form(visitor, link, {"password": third, "confirm": third}).status_code == 302
    reset = only_entry(app, "password.reset")
    assert reset.actor_user_id == user.id and reset.actor_kind == "user"


def test_create_admin_is_recorded_as_the_system(app, make_user):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-admin", "new@example.org", "--password-stdin"],
        input="a calm evening stroll\n",
    )
    assert result.exit_code == 0, result.output
    created = only_entry(app, "account.created")
    assert (created.actor_kind, created.subject_email) == ("system", "new@example.org")
    assert created.details == {"by": "create-admin"} and created.client_address is None

    client_user = make_user(email="client@example.org")
    runner.invoke(
        args=["create-admin", "client@example.org", "--password-stdin"],
        input="a calm evening stroll\n",
    )
    promoted = only_entry(app, "account.role_changed")
    assert promoted.subject_user_id == client_user.id
    assert promoted.details["role"] == ["client", "consultant"]
    assert only_entry(app, "password.changed").subject_email == "client@example.org"


def test_the_database_refuses_to_change_or_delete_an_entry(app):
    Auth(app.test_client()).sign_in("nobody@example.org", "not the password")
    [entry] = audit_entries(app)
    with app.app_context():
        engine = get_engine()
        for statement in (
            "UPDATE audit_log SET actor_kind = 'system'",
            "DELETE FROM audit_log",
        ):
            with (
                pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"),
                engine.begin() as connection,
            ):
                connection.execute(text(statement))
    [still] = audit_entries(app)
    assert (still.id, still.actor_kind) == (entry.id, "guest")


def test_an_event_lives_and_dies_with_its_transaction(app, clock, caplog):
    caplog.set_level(logging.INFO, logger="consult.audit")
    with app.app_context():
        session = get_session()
        record_event(session=session, event_type="retention.applied", actor=SYSTEM, now=clock())
        assert audit_log_lines(caplog) == []  # not before the commit
        session.rollback()
        with session.begin_nested():
            record_event(session=session, event_type="retention.applied", actor=SYSTEM, now=clock())
            session.begin_nested().rollback()  # an inner savepoint changes nothing
        try:
            with session.begin_nested():
                record_event(
                    session=session, event_type="sign_out", actor=SYSTEM, now=clock(), details={}
                )
                raise RuntimeError("the caller's change failed")
        except RuntimeError:
            pass
        session.commit()
        with pytest.raises(UnknownEventType):
            record_event(session=session, event_type="made.up", actor=SYSTEM, now=clock())
    assert [entry.event_type for entry in audit_entries(app)] == ["retention.applied"]
    assert [line["event"] for line in audit_log_lines(caplog)] == ["retention.applied"]


def test_a_released_savepoint_logs_nothing_before_the_outer_commit(app, clock, caplog):
    caplog.set_level(logging.INFO, logger="consult.audit")
    with app.app_context():
        session = get_session()
        record_event(session=session, event_type="retention.applied", actor=SYSTEM, now=clock())
        with session.begin_nested():  # e-mails queued in a savepoint, as a change's are
            pass
        assert audit_log_lines(caplog) == []  # nothing is committed yet
        session.rollback()
    assert audit_entries(app) == [] and audit_log_lines(caplog) == []


def test_the_table_has_no_foreign_keys_so_the_log_outlives_what_it_names():
    assert not AuditEntry.__table__.foreign_keys
