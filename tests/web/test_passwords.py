"""Passwords: asking for a reset link, using it once within the hour, and changing a password."""

import re

from sqlmodel import select

from consult.accounts.models import PasswordResetToken
from consult.db import get_session
from tests.conftest import TEST_PASSWORD, Auth, submit_form
from tests.web.account_mail import link_in, outbox


def test_password_reset_answers_the_same_whether_or_not_the_account_exists(app, client, make_user):
    make_user(email="known@example.org")
    known = submit_form(client, "/accounts/reset", {"email": "known@example.org"}).get_data(
        as_text=True
    )
    unknown = submit_form(client, "/accounts/reset", {"email": "unknown@example.org"}).get_data(
        as_text=True
    )

    def comparable(
        html: str, address: str
    ) -> str:  # form tokens carry a timestamp, so they may differ by a second
        return re.sub(r'name="csrf_token" value="[^"]+"', "", html).replace(address, "X@")

    assert comparable(known, "known@") == comparable(unknown, "unknown@")
    assert [email.to_address for email in outbox(app)] == ["known@example.org"]


def test_password_reset_link_works_once_and_signs_out_other_sessions(app, client, clock, make_user):
    user = make_user(email="reset@example.org")
    other_device = app.test_client()
    Auth(other_device).sign_in(user.email)
    assert other_device.get("/accounts/password").status_code == 200

    submit_form(client, "/accounts/reset", {"email": "Reset@Example.org"})
    email = outbox(app)[0]
    assert email.subject == "Reset your password" and "<a href=" in email.html_body
    reset_path = link_in(email, "/accounts/reset/")

    weak = submit_form(client, reset_path, {"password": "password", "confirm": "password"})
    assert weak.status_code == 422 and "most common" in weak.get_data(as_text=True)
    done = submit_form(
        client, reset_path, {"password": "new and quiet words", "confirm": "new and quiet words"}
    )
    assert done.status_code == 302

    assert client.get(reset_path).status_code == 410
    assert other_device.get("/accounts/password").status_code == 302  # signed out everywhere else
    fresh = app.test_client()
    assert Auth(fresh).sign_in(user.email, TEST_PASSWORD).status_code == 422
    assert Auth(fresh).sign_in(user.email, "new and quiet words").status_code == 302


def test_password_reset_link_expires_after_an_hour(app, client, clock, make_user):
    make_user(email="late@example.org")
    submit_form(client, "/accounts/reset", {"email": "late@example.org"})
    reset_path = link_in(outbox(app)[0], "/accounts/reset/")
    clock.advance(minutes=59)
    assert client.get(reset_path).status_code == 200
    clock.advance(minutes=2)
    assert client.get(reset_path).status_code == 410


def test_an_older_reset_link_dies_when_the_password_changes(app, client, make_user):
    make_user(email="twice@example.org")
    submit_form(client, "/accounts/reset", {"email": "twice@example.org"})
    submit_form(client, "/accounts/reset", {"email": "twice@example.org"})
    first, second = (link_in(email, "/accounts/reset/") for email in outbox(app))
    submit_form(client, second, {"password": "a brand new phrase", "confirm": "a brand new phrase"})
    assert client.get(first).status_code == 410
    with app.app_context():
        assert all(token.used_at for token in get_session().exec(select(PasswordResetToken)).all())


def test_changing_the_password_needs_the_current_one(client, auth, make_user):
    user = make_user(email="change@example.org")
    auth.sign_in(user.email)
    wrong = submit_form(
        client,
        "/accounts/password",
        {
            "current_password": "guess",
            "password": "fresh calm words",
            "confirm": "fresh calm words",
        },
    )
    assert wrong.status_code == 422 and "not your current password" in wrong.get_data(as_text=True)
    right = submit_form(
        client,
        "/accounts/password",
        {
            "current_password": TEST_PASSWORD,
            "password": "fresh calm words",
            "confirm": "fresh calm words",
        },
    )
    assert right.status_code == 302
    assert client.get("/accounts/password").status_code == 200  # this session survives


def test_the_practices_name_is_refused_as_a_password(client, auth, make_user):
    user = make_user(email="change@example.org")
    auth.sign_in(user.email)
    practice = "Irons Consulting Group"  # content/site.yaml's practice_name
    refused = submit_form(
        client,
        "/accounts/password",
        {"current_password": TEST_PASSWORD, "password": practice, "confirm": practice},
    )
    assert refused.status_code == 422
    assert "should not be the name of this site" in refused.get_data(as_text=True)
