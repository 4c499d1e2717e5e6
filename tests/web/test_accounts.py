"""Accounts end to end via the test client: sign-in, sign-out, invitations, limits, CSRF (passwords:
test_passwords.py)."""

import pytest
from flask import session as flask_session
from sqlmodel import select

from consult.accounts.models import Invitation, User
from consult.accounts.service import create_invitation
from consult.db import get_session
from tests.conftest import CODE_STEP, TEST_PASSWORD, Auth, app_code, submit_form
from tests.web.account_mail import outbox


def test_sign_in_with_any_case_of_the_address_lands_the_consultant_on_the_dashboard(
    auth, consultant, client
):
    response = auth.sign_in_all_steps("CONSULTANT@Example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_wrong_password_is_refused_on_the_same_page_with_the_address_kept(auth, consultant):
    response = auth.sign_in(consultant.email, "not the password")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "do not match an account" in html and 'value="consultant@example.org"' in html
    assert (
        auth.sign_in("nobody@example.org", "not the password")
        .get_data(as_text=True)
        .count("do not match an account")
        >= 1
    )


def test_an_inactive_account_cannot_sign_in(app, auth, make_user):
    user = make_user(email="left@example.org")
    with app.app_context():
        stored = get_session().get(User, user.id)
        stored.is_active = False
        get_session().commit()
    assert auth.sign_in("left@example.org").status_code == 422


def test_sign_in_starts_a_new_session(app, client, auth, consultant):
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
    auth.sign_in_all_steps(consultant.email)
    with client.session_transaction() as after:
        assert "planted" not in after and "_user_id" in after


@pytest.mark.parametrize(
    ("next_path", "expected"),
    [
        ("/admin/?tab=mail", "/admin/?tab=mail"),
        ("//evil.example/", "/admin/"),
        ("https://evil.example", "/admin/"),
    ],
)
def test_next_redirects_only_within_the_site(client, consultant, next_path, expected):
    passed = submit_form(
        client,
        f"/accounts/sign-in?next={next_path}",
        {"email": consultant.email, "password": TEST_PASSWORD},
    )
    assert passed.headers["Location"] == CODE_STEP  # `next` waits for the code
    response = submit_form(
        client, CODE_STEP, {"code": app_code(client.application, "consultant@example.org")}
    )
    assert response.headers["Location"] == expected


def test_remember_me_sets_a_long_lived_http_only_cookie(client, auth, consultant):
    response = auth.sign_in_all_steps(consultant.email, remember="y")
    cookie = next(
        value
        for value in response.headers.getlist("Set-Cookie")
        if value.startswith("remember_token=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    session_cookie = next(
        value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")
    )
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def test_sign_out_is_a_post_and_ends_the_session(client, auth, consultant):
    auth.sign_in(consultant.email)
    assert client.get("/accounts/sign-out").status_code == 405
    assert auth.sign_out().status_code == 302
    assert client.get("/admin/").status_code == 302


def test_a_form_without_its_csrf_token_is_refused(client, consultant):
    response = client.post(
        "/accounts/sign-in", data={"email": consultant.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 400
    assert "form had expired" in response.get_data(as_text=True)


def invite(app, clock, email="invitee@example.org", role="client") -> str:
    with app.app_context():
        _, token = create_invitation(
            session=get_session(), email=email, role=role, invited_by=None, now=clock()
        )
        get_session().commit()
    return f"/accounts/invitation/{token}"


def test_an_invitee_sets_name_and_password_and_is_signed_in(app, client, clock):
    path = invite(app, clock)
    assert "/accounts/invitation/" in outbox(app)[0].text_body
    page = client.get(path).get_data(as_text=True)
    assert "invitee@example.org" in page

    mismatch = submit_form(
        client, path, {"name": "Sam Rivera", "password": "river stones rest", "confirm": "other"}
    )
    assert mismatch.status_code == 422 and 'value="Sam Rivera"' in mismatch.get_data(as_text=True)
    accepted = submit_form(
        client,
        path,
        {"name": "Sam Rivera", "password": "river stones rest", "confirm": "river stones rest"},
    )
    assert accepted.status_code == 302
    with client:
        client.get("/")
        assert flask_session.get("_user_id")
    with app.app_context():
        user = get_session().exec(select(User).where(User.email == "invitee@example.org")).one()
        invitation = get_session().exec(select(Invitation)).one()
        assert (
            user.name == "Sam Rivera"
            and user.role == "client"
            and invitation.accepted_user_id == user.id
        )
    assert app.test_client().get(path).status_code == 410


def test_an_invitation_expires_after_seven_days(app, client, clock):
    path = invite(app, clock)
    clock.advance(days=7, seconds=1)
    assert client.get(path).status_code == 410


def test_an_invitee_with_an_account_accepts_by_signing_in(app, client, clock, make_user):
    make_user(email="existing@example.org")
    path = invite(app, clock, email="existing@example.org")
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith(
        "/accounts/sign-in?next="
    )
    Auth(client).sign_in("existing@example.org")
    assert submit_form(client, path, {}).status_code == 302
    with app.app_context():
        assert get_session().exec(select(Invitation)).one().accepted_at is not None


def test_sign_in_is_rate_limited(make_app, consultant):
    app = make_app({"RATELIMIT_ENABLED": True})
    client = app.test_client()
    statuses = [
        Auth(client).sign_in(consultant.email, "wrong password").status_code for _ in range(11)
    ]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429
    refused = submit_form(client, "/accounts/sign-in", {"email": "x@example.org", "password": "y"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "many attempts in a short time" in page
    assert 'value="x@example.org"' in page  # the form again, the address kept


def test_failures_by_others_never_lock_the_owner_out(make_app, consultant):
    """Failures on an address from many clients reach its limit; the right password still
    opens it, from anywhere, and a wrong one stays refused.
    """
    app = make_app({"RATELIMIT_ENABLED": True})

    def client_at(address):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return client

    attackers = [Auth(client_at(f"198.51.100.{number}")) for number in range(1, 4)]
    statuses = [
        attacker.sign_in(consultant.email, "a wrong guess").status_code
        for attacker in attackers
        for _ in range(4)
    ]
    assert statuses[:10] == [422] * 10 and statuses[10:] == [429, 429]  # counted per address
    owner = client_at("203.0.113.7")
    assert Auth(owner).sign_in_all_steps(consultant.email).status_code == 302
    assert owner.get("/admin/").status_code == 200
    assert Auth(client_at("192.0.2.1")).sign_in(consultant.email, "guess").status_code == 429
    for _ in range(3):  # the owner's own successes are never counted against the address
        assert Auth(client_at("192.0.2.2")).sign_in(consultant.email).status_code == 302


def test_create_admin_creates_then_promotes(app, runner, make_user):
    result = runner.invoke(
        args=["create-admin", "New.Consultant@example.org", "--password-stdin"],
        input="steady hands heal\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created consultant account new.consultant@example.org" in result.output
    assert (
        Auth(app.test_client())
        .sign_in("new.consultant@example.org", "steady hands heal")
        .headers["Location"]
        == "/admin/"
    )

    make_user(email="client@example.org")
    result = runner.invoke(
        args=["create-admin", "client@example.org", "--password-stdin"], input="\n"
    )
    assert result.exit_code != 0 and "at least 8" in result.output
    result = runner.invoke(
        args=["create-admin", "client@example.org"],
        input="quiet harbour light\nquiet harbour light\n",
    )
    assert result.exit_code == 0 and "Updated consultant account" in result.output
    with app.app_context():
        assert (
            get_session().exec(select(User).where(User.email == "client@example.org")).one().role
            == "consultant"
        )


def test_an_older_password_hash_is_replaced_at_the_next_sign_in(app, auth, make_user):
    from werkzeug.security import generate_password_hash

    user = make_user(email="older@example.org")
    with app.app_context():
        stored = get_session().get(User, user.id)
        stored.password_hash = generate_password_hash(TEST_PASSWORD, method="scrypt")
        get_session().commit()
    assert auth.sign_in(user.email).status_code == 302
    with app.app_context():
        assert get_session().get(User, user.id).password_hash.startswith("$argon2id$")
