"""Demo data: loaded only when serving, the sign-in printed in a box, and `demo reset`.

Any first `flask --app consult …` command, even `--help`, used to load the demo data and print the
consultant's password among its own output.
"""

import os
import re
import subprocess
import sys

import click
import pytest
from flask.cli import run_command
from sqlalchemy import create_engine, text
from sqlmodel import select

from consult.accounts.models import User
from consult.config import PROJECT_ROOT
from consult.db import ENGINE_KEY, get_session
from consult.demo import DEMO_CONSULTANT_EMAIL, load_demo_data_when_serving
from consult.portal.models import Organisation
from tests.conftest import PRODUCTION_SERVICES, Auth
from tests.web.two_factor_steps import turn_on

SIGN_IN = re.compile(r"e-mail\s+(\S+@\S+)\s.*?password\s+(\S+)\s", re.S)


def users(app) -> list[str]:
    with app.app_context():
        return list(get_session().exec(select(User.email)).all())


def flask_command(instance, *arguments) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CONSULT_", "DATABASE_URL", "SITE_URL", "SECRET_KEY", "FLASK_"))
    }
    environment["CONSULT_INSTANCE_DIR"] = str(instance)
    return subprocess.run(  # noqa: S603  this interpreter running our own app's CLI
        [sys.executable, "-m", "flask", "--app", "consult", *arguments],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("arguments", [("--help",), ("content", "check")])
def test_commands_other_than_serving_load_no_demo_data_and_print_no_password(tmp_path, arguments):
    instance = tmp_path / "instance"
    result = flask_command(instance, *arguments)
    assert "password" not in (result.stdout + result.stderr).lower()
    engine = create_engine(f"sqlite:///{instance / 'consult.sqlite3'}")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM users")).scalar() == 0
    engine.dispose()


def test_serving_an_empty_database_loads_the_demo_and_prints_the_sign_in_in_a_box(make_app, capsys):
    app = make_app()
    with click.Context(run_command, info_name="run"), app.app_context():
        load_demo_data_when_serving()
    printed = capsys.readouterr().err
    frame = [line for line in printed.splitlines() if line.strip()]
    assert frame[0].startswith("+--") and frame[-1] == frame[0]
    assert all(line.startswith("|") and line.endswith("|") for line in frame[1:-1])
    assert len({len(line) for line in frame}) == 1
    assert "http://consult.test/accounts/sign-in" in printed
    email, password = SIGN_IN.search(printed).groups()
    assert email == DEMO_CONSULTANT_EMAIL
    assert Auth(app.test_client()).sign_in(email, password).status_code == 302
    # Served again: the data is there, nothing is loaded or printed twice.
    with app.app_context():
        load_demo_data_when_serving()
    assert "password" not in capsys.readouterr().err
    assert users(app).count(DEMO_CONSULTANT_EMAIL) == 1


def test_loaded_for_another_command_nothing_is_loaded(make_app, capsys):
    app = make_app()
    with click.Context(click.Command("mail"), info_name="mail"), app.app_context():
        load_demo_data_when_serving()
    assert users(app) == [] and capsys.readouterr().err == ""


def test_demo_reset_empties_the_database_and_loads_fresh_demo_data(make_app, make_user):
    app = make_app()
    make_user(email="someone@clinic.example")
    outbox = app.extensions["consult.settings"].outbox_dir
    outbox.mkdir(parents=True, exist_ok=True)
    (outbox / "old.eml").write_text("Subject: old\n")
    result = app.test_cli_runner().invoke(args=["demo", "reset", "--yes"])
    assert result.exit_code == 0, result.output
    assert users(app)[0] == DEMO_CONSULTANT_EMAIL and "someone@clinic.example" not in users(app)
    with app.app_context():
        assert get_session().exec(select(Organisation)).first() is not None
    assert not list(outbox.glob("*.eml"))
    email, password = SIGN_IN.search(result.output).groups()
    assert Auth(app.test_client()).sign_in(email, password).status_code == 302


def test_demo_reset_asks_first_and_keeps_everything_when_told_no(make_app, make_user):
    app = make_app()
    make_user(email="someone@clinic.example")
    result = app.test_cli_runner().invoke(args=["demo", "reset"], input="n\n")
    assert result.exit_code == 1 and "Continue?" in result.output
    assert users(app) == ["someone@clinic.example"]


def test_demo_reset_refuses_in_production(make_app, make_user):
    app = make_app(
        CONSULT_ENV="production",
        SITE_URL="https://partner.example.org",
        **PRODUCTION_SERVICES,
    )
    make_user(email="someone@clinic.example")
    result = app.test_cli_runner().invoke(args=["demo", "reset", "--yes"])
    assert result.exit_code == 1 and "refuses to run in production" in result.output
    assert users(app) == ["someone@clinic.example"]
    app.extensions[ENGINE_KEY].dispose()


def test_the_demo_organisation_has_a_programme_with_a_session_booked_from_it_and_notes(
    make_app, clock
):
    from consult.booking.models import Booking
    from consult.demo_engagement import PRIVATE_NOTE, SHARED_NOTE
    from consult.engagements.models import ProgrammeCredit, ProgrammePurchase

    app = make_app()
    result = app.test_cli_runner().invoke(args=["demo", "reset", "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db = get_session()
        organisation = db.exec(select(Organisation)).one()
        purchase = db.exec(select(ProgrammePurchase)).one()
        booking = db.exec(select(Booking)).one()
        used = [credit for credit in db.exec(select(ProgrammeCredit)).all() if credit.booking_id]
    assert (purchase.organisation_id, purchase.status, purchase.source) == (
        organisation.id,
        "active",
        "grant",
    )
    assert [credit.booking_id for credit in used] == [booking.id]
    assert (booking.status, booking.payment_state, booking.programme_purchase_id) == (
        "confirmed",
        "not_required",
        purchase.id,
    )
    assert booking.organisation_id == organisation.id

    consultant = app.test_client()
    email, password = SIGN_IN.search(result.output).groups()
    assert Auth(consultant).sign_in(email, password).status_code == 302
    turn_on(consultant, clock)  # the consultant's first sign-in sets up two-step sign-in
    client_view = consultant.get(f"/admin/organisations/{organisation.public_id}/").get_data(
        as_text=True
    )
    assert "Partnership quarter</a> (running until" in client_view
    assert "1 session used, 2 left of 3" in client_view
    assert "Working session on your action plan" in client_view
    assert SHARED_NOTE in client_view and PRIVATE_NOTE in client_view
    timeline = consultant.get(f"/portal/o/{organisation.public_id}/").get_data(as_text=True)
    assert SHARED_NOTE in timeline and PRIVATE_NOTE not in timeline
    assert "Partnership quarter: 2 of 3 sessions left" in timeline
