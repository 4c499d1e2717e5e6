"""Two-step sign-in end to end: set-up, the code after the password, replay, recovery codes."""

import re

import pyotp
from sqlmodel import select

from consult.accounts.models import RecoveryCode, User
from consult.accounts.two_factor import hash_recovery_code
from consult.db import get_session
from tests.conftest import Auth, signed_in_client, submit_form
from tests.web.audit_fixtures import audit_entries, only_entry
from tests.web.two_factor_steps import (
    CODE_STEP,
    SET_UP,
    SETTINGS,
    recovery_codes_shown,
    secret_shown,
    sign_in_with_code,
    turn_on,
)


def stored_user(app, email: str) -> User:
    with app.app_context():
        return get_session().exec(select(User).where(User.email == email)).one()


def test_set_up_shows_an_inline_qr_code_and_the_key_then_ten_codes_stored_as_hashes(
    app, client_member, client_member_client, clock
):
    member = client_member_client
    assert "Off." in member.get(SETTINGS).get_data(as_text=True)
    submit_form(member, f"{SET_UP}/start", {}, page=SETTINGS)
    page = member.get(SET_UP).get_data(as_text=True)
    assert "<svg" in page and "<title>QR code to add this account" in page
    assert "data:image" not in page and "<img" not in page.split('class="qr-code-frame"')[1][:200]
    secret = secret_shown(page)
    assert secret_shown(member.get(SET_UP).get_data(as_text=True)) == secret  # a reload keeps it

    on = turn_on_from_the_page(member, secret, clock)
    assert len(set(on)) == 10
    with app.app_context():
        stored = get_session().exec(select(RecoveryCode)).all()
    assert len(stored) == 10 and all(code not in row.code_hash for row in stored for code in on)
    assert stored_user(app, client_member.email).two_factor_enabled_at == clock()
    assert only_entry(app, "two_factor.enabled").subject_email == client_member.email
    settings = member.get(SETTINGS).get_data(as_text=True)
    assert "10 unused recovery codes" in settings and secret not in settings
    assert member.get(SET_UP).status_code == 302  # the key is never shown again


def turn_on_from_the_page(client, secret, clock) -> list[str]:
    response = submit_form(client, SET_UP, {"code": pyotp.TOTP(secret).at(clock())})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return recovery_codes_shown(response.get_data(as_text=True))


def test_a_wrong_code_at_set_up_is_refused_on_the_same_page(
    app, client_member, client_member_client
):
    member = client_member_client
    submit_form(member, f"{SET_UP}/start", {}, page=SETTINGS)
    secret = secret_shown(member.get(SET_UP).get_data(as_text=True))
    response = submit_form(member, SET_UP, {"code": "000000"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "does not match" in html
    assert secret_shown(html) == secret
    assert stored_user(app, client_member.email).two_factor_enabled_at is None


def test_set_up_is_a_post_and_the_setup_page_needs_it_first(client_member_client):
    assert client_member_client.get(SET_UP).headers["Location"] == SETTINGS
    assert client_member_client.get(f"{SET_UP}/start").status_code == 405


def test_once_on_the_password_alone_signs_no_one_in(app, client_member, clock):
    browser = signed_in_client(app, client_member)
    on = turn_on(browser, clock)
    clock.advance(seconds=30)
    other = app.test_client()
    passed = Auth(other).sign_in(client_member.email)
    assert passed.status_code == 302 and passed.headers["Location"] == CODE_STEP
    assert other.get("/accounts/data").status_code == 302  # not signed in yet

    wrong = submit_form(other, CODE_STEP, {"code": "123456"})
    assert wrong.status_code == 422 and "does not match" in wrong.get_data(as_text=True)
    failed = only_entry(app, "two_factor.failed")
    assert failed.subject_email == client_member.email and failed.actor_kind == "guest"

    right = submit_form(other, CODE_STEP, {"code": on.code_at(clock())})
    assert right.status_code == 302 and right.headers["Location"] == "/"
    assert other.get("/accounts/data").status_code == 200
    signed_in = audit_entries(app, "sign_in.succeeded")[-1]
    assert signed_in.details == {"second_step": "app code"}


def test_turning_it_on_signs_out_every_other_browser(app, client_member, clock):
    elsewhere = signed_in_client(app, client_member)
    here = signed_in_client(app, client_member)
    turn_on(here, clock)
    assert elsewhere.get("/accounts/data").status_code == 302
    assert here.get("/accounts/data").status_code == 200


def test_a_code_works_once_even_within_its_thirty_seconds(app, client_member, clock):
    on = turn_on(signed_in_client(app, client_member), clock)
    clock.advance(seconds=30)
    code = on.code_at(clock())
    assert sign_in_with_code(app.test_client(), client_member.email, code).status_code == 302
    replayed = sign_in_with_code(app.test_client(), client_member.email, code)
    assert replayed.status_code == 422
    clock.advance(seconds=30)
    fresh = sign_in_with_code(app.test_client(), client_member.email, on.code_at(clock()))
    assert fresh.status_code == 302


def test_a_code_from_the_step_before_or_after_is_accepted(app, client_member, clock):
    on = turn_on(signed_in_client(app, client_member), clock)
    clock.advance(minutes=2)
    late_phone = on.code_at(clock().timestamp() - 30)
    assert sign_in_with_code(app.test_client(), client_member.email, late_phone).status_code == 302
    clock.advance(minutes=2)
    too_old = on.code_at(clock().timestamp() - 90)
    assert sign_in_with_code(app.test_client(), client_member.email, too_old).status_code == 422


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(app, client_member, clock):
    on = turn_on(signed_in_client(app, client_member), clock)
    browser = app.test_client()
    typed = on.recovery_codes[3].upper().replace("-", " ")  # case and spacing do not matter
    response = sign_in_with_code(browser, client_member.email, typed)
    assert response.status_code == 302
    assert "9 codes left" in browser.get("/").get_data(as_text=True)
    assert only_entry(app, "two_factor.recovery_code_used").subject_email == client_member.email
    again = sign_in_with_code(app.test_client(), client_member.email, on.recovery_codes[3])
    assert again.status_code == 422


def test_a_recovery_code_of_the_older_shorter_kind_still_signs_in_once(app, client_member, clock):
    """Codes made before they grew to six groups are stored the same way: they keep working."""
    on = turn_on(signed_in_client(app, client_member), clock)
    assert all(len(code.split("-")) == 6 for code in on.recovery_codes)
    older = "abcd-efgh-jkmn-pqrs"
    with app.app_context():
        session = get_session()
        user = session.exec(select(User).where(User.email == client_member.email)).one()
        session.add(
            RecoveryCode(user_id=user.id, code_hash=hash_recovery_code(older), created_at=clock())
        )
        session.commit()
    assert sign_in_with_code(app.test_client(), client_member.email, older).status_code == 302
    assert sign_in_with_code(app.test_client(), client_member.email, older).status_code == 422


def test_the_code_page_expires_and_needs_the_password_first(app, client_member, clock):
    on = turn_on(signed_in_client(app, client_member), clock)
    assert app.test_client().get(CODE_STEP).headers["Location"] == "/accounts/sign-in"
    browser = app.test_client()
    Auth(browser).sign_in(client_member.email)
    page = browser.get(CODE_STEP).get_data(as_text=True)
    clock.advance(minutes=6)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    late = browser.post(CODE_STEP, data={"code": on.code_at(clock()), "csrf_token": token})
    assert late.status_code == 302 and late.headers["Location"] == "/accounts/sign-in"
    assert browser.get("/accounts/data").status_code == 302


def test_a_password_change_elsewhere_voids_the_waiting_sign_in(app, client_member, clock):
    owner = signed_in_client(app, client_member)
    on = turn_on(owner, clock)
    clock.advance(seconds=30)
    intruder = app.test_client()
    Auth(intruder).sign_in(client_member.email)
    submit_form(
        owner,
        "/accounts/password",
        {
            "current_password": "a calm morning walk",
            "password": "a brighter evening path",
            "confirm": "a brighter evening path",
        },
    )
    page = intruder.get(CODE_STEP)
    assert page.status_code == 302 and page.headers["Location"] == "/accounts/sign-in"
    assert on.secret  # the app still works for the owner's next sign-in


def test_a_password_reset_link_still_asks_for_the_code(app, client_member, clock):
    on = turn_on(signed_in_client(app, client_member), clock)
    clock.advance(seconds=30)
    browser = app.test_client()
    submit_form(browser, "/accounts/reset", {"email": client_member.email})
    from tests.web.account_mail import link_in, outbox

    reset_path = link_in(outbox(app)[-1], "/accounts/reset/")
    new_password = {"password": "a brighter evening path", "confirm": "a brighter evening path"}
    reset = submit_form(browser, reset_path, new_password)
    assert reset.status_code == 302 and reset.headers["Location"] == CODE_STEP
    assert browser.get("/accounts/data").status_code == 302
    done = submit_form(browser, CODE_STEP, {"code": on.code_at(clock())})
    assert done.status_code == 302 and browser.get("/accounts/data").status_code == 200


def test_odd_input_in_the_code_field_is_refused_calmly(app, client_member, clock):
    turn_on(signed_in_client(app, client_member), clock)
    browser = app.test_client()
    Auth(browser).sign_in(client_member.email)
    for typed in ("１２３４５６", "12\x0034", "x" * 41, "' OR 1=1 --", "   "):
        response = submit_form(browser, CODE_STEP, {"code": typed})
        assert response.status_code == 422, typed
