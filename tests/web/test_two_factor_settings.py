"""Two-step sign-in around the edges: recovery codes, turning it off, the reset command, the
data download, and the limits on guessing codes.
"""

import json

from sqlmodel import select

from consult.accounts.models import RecoveryCode, User
from consult.db import get_session
from tests.conftest import Auth, signed_in_client, submit_form
from tests.web.audit_fixtures import only_entry
from tests.web.two_factor_steps import (
    CODE_STEP,
    SETTINGS,
    recovery_codes_shown,
    sign_in_with_code,
    turn_on,
)

TURN_OFF = "/accounts/two-step/turn-off"
NEW_CODES = "/accounts/two-step/recovery-codes"


def client_at(app, address: str):
    """A browser of its own at another client address (the limits count per address)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def account(app, email: str) -> User:
    with app.app_context():
        return get_session().exec(select(User).where(User.email == email)).one()


def test_new_recovery_codes_need_an_app_code_and_replace_the_old_ones(app, client_member, clock):
    browser = signed_in_client(app, client_member)
    on = turn_on(browser, clock)
    refused = submit_form(browser, NEW_CODES, {"code": "999999"}, page=SETTINGS)
    assert refused.status_code == 422 and "does not match" in refused.get_data(as_text=True)
    clock.advance(seconds=30)
    made = submit_form(browser, NEW_CODES, {"code": on.code_at(clock())}, page=SETTINGS)
    fresh = recovery_codes_shown(made.get_data(as_text=True))
    assert made.status_code == 200 and len(fresh) == 10 and not set(fresh) & set(on.recovery_codes)
    assert (
        only_entry(app, "two_factor.recovery_codes_replaced").subject_email == client_member.email
    )
    old = sign_in_with_code(app.test_client(), client_member.email, on.recovery_codes[0])
    assert old.status_code == 422
    assert sign_in_with_code(app.test_client(), client_member.email, fresh[0]).status_code == 302


def test_a_client_turns_it_off_with_password_and_code(app, client_member, clock):
    browser = signed_in_client(app, client_member)
    on = turn_on(browser, clock)
    clock.advance(seconds=30)
    wrong_password = submit_form(
        browser, TURN_OFF, {"password": "not my password", "code": on.code_at(clock())}
    )
    assert wrong_password.status_code == 422
    assert "not your password" in wrong_password.get_data(as_text=True)
    wrong_code = submit_form(browser, TURN_OFF, {"password": "a calm morning walk", "code": "1"})
    assert wrong_code.status_code == 422 and account(app, client_member.email).has_two_factor
    done = submit_form(
        browser, TURN_OFF, {"password": "a calm morning walk", "code": on.code_at(clock())}
    )
    assert done.status_code == 302 and done.headers["Location"] == SETTINGS
    after = account(app, client_member.email)
    assert after.two_factor_secret is None and not after.has_two_factor
    with app.app_context():
        assert get_session().exec(select(RecoveryCode)).all() == []
    assert only_entry(app, "two_factor.disabled").subject_email == client_member.email
    assert Auth(app.test_client()).sign_in(client_member.email).headers["Location"] == "/"


def test_a_consultants_two_step_sign_in_stays_on(app, consultant):
    browser = signed_in_client(app, consultant)
    assert browser.get(TURN_OFF).status_code == 403
    settings = browser.get(SETTINGS).get_data(as_text=True)
    assert TURN_OFF not in settings and "--reset-two-factor" in settings
    assert "Two-step sign-in</a>: on" in browser.get("/admin/").get_data(as_text=True)


def test_create_admin_resets_a_lost_phone_and_she_sets_it_up_again(app, runner, consultant):
    browser = signed_in_client(app, consultant)
    result = runner.invoke(args=["create-admin", consultant.email, "--reset-two-factor"])
    assert result.exit_code == 0, result.output
    assert "is off" in result.output
    assert not account(app, consultant.email).has_two_factor
    assert browser.get("/admin/").status_code == 302  # its sessions ended
    entry = only_entry(app, "two_factor.reset")
    assert entry.actor_kind == "system" and entry.subject_email == consultant.email
    again = app.test_client()
    signed_in = Auth(again).sign_in(consultant.email)
    assert signed_in.headers["Location"] == "/admin/"  # the password alone, as before set-up
    assert again.get("/admin/").headers["Location"] == SETTINGS  # which opens only the set-up
    unknown = runner.invoke(args=["create-admin", "nobody@example.org", "--reset-two-factor"])
    assert unknown.exit_code != 0 and "No account" in unknown.output


def test_the_data_download_says_it_is_on_without_any_secret(app, client_member, clock):
    browser = signed_in_client(app, client_member)
    on = turn_on(browser, clock)
    download = browser.get("/accounts/data.json")
    data = json.loads(download.get_data(as_text=True))
    assert data["account"]["two_step_sign_in"] == {"on": True, "since": clock().isoformat()}
    text = download.get_data(as_text=True)
    assert on.secret not in text and not any(code in text for code in on.recovery_codes)
    with app.app_context():
        hashes = [row.code_hash for row in get_session().exec(select(RecoveryCode))]
    assert not any(code_hash in text for code_hash in hashes)


def test_guessing_codes_is_limited_per_account_across_clients(make_app, make_user, clock):
    """One waiting sign-in whose cookie is shared by many addresses still gets ten guesses."""
    app = make_app({"RATELIMIT_ENABLED": True})
    member = make_user(email="guessed@example.org")
    on = turn_on(signed_in_client(app, member), clock)
    guesser = client_at(app, "10.0.0.1")
    assert Auth(guesser).sign_in(member.email).headers["Location"] == CODE_STEP
    statuses = []
    for guess in range(11):
        guesser.environ_base["REMOTE_ADDR"] = f"10.0.0.{guess + 2}"
        statuses.append(submit_form(guesser, CODE_STEP, {"code": f"{guess:06d}"}).status_code)
    assert statuses[:10] == [422] * 10 and statuses[10] == 429
    clock.advance(seconds=30)
    owner = client_at(app, "10.0.1.1")
    Auth(owner).sign_in(member.email)
    assert submit_form(owner, CODE_STEP, {"code": on.code_at(clock())}).status_code == 429


def test_guessing_codes_is_limited_per_client(make_app, make_user, clock):
    """One address guessing for three accounts, a few guesses each: its own limit stops it."""
    app = make_app({"RATELIMIT_ENABLED": True})
    members = [make_user(email=f"member{number}@example.org") for number in range(3)]
    guessers = []
    for member in members:
        turn_on(signed_in_client(app, member), clock)
        guesser = client_at(app, "10.0.2.1")
        assert Auth(guesser).sign_in(member.email).headers["Location"] == CODE_STEP
        guessers.append(guesser)
    statuses = [
        submit_form(guessers[number % 3], CODE_STEP, {"code": "000000"}).status_code
        for number in range(11)
    ]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429
