"""A consultant's account opens nothing until its two-step sign-in is on (ASVS 6.3.3): every page
sends her to set it up, which she can, or sign out; clients are offered it, not made to.
"""

from consult.accounts.access import OPEN_BEFORE_SECOND_STEP_BLUEPRINTS
from tests.conftest import Auth, signed_in_client, submit_form
from tests.web.test_private_pages import placeholder
from tests.web.two_factor_steps import SET_UP, SETTINGS, turn_on


def every_get_address(app) -> list[str]:
    """The path of every GET route but the set-up's own, its arguments filled with placeholders."""
    adapter = app.url_map.bind("consult.test")
    return [
        adapter.build(
            rule.endpoint, {name: placeholder(rule._converters[name]) for name in rule.arguments}
        )
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and rule.endpoint != "static"
        and rule.endpoint.partition(".")[0] not in OPEN_BEFORE_SECOND_STEP_BLUEPRINTS
    ]


def test_without_it_every_page_sends_the_consultant_to_set_it_up(app, make_user):
    consultant = make_user(email="new@example.org", role="consultant", two_factor=False)
    browser = signed_in_client(app, consultant)  # the password alone, as before set-up
    addresses = every_get_address(app)
    assert {"/admin/", "/admin/bookings/", "/portal/", "/"} <= set(addresses)
    for path in addresses:
        response = browser.get(path)
        assert (response.status_code, response.headers.get("Location")) == (302, SETTINGS), path
    settings = browser.get(SETTINGS)
    assert settings.status_code == 200
    assert "opens nothing else until two-step sign-in is on" in settings.get_data(as_text=True)
    assert browser.get("/static/css/site.css").status_code == 200


def test_she_sets_it_up_from_there_and_the_admin_opens(app, make_user, clock):
    consultant = make_user(email="new@example.org", role="consultant", two_factor=False)
    browser = signed_in_client(app, consultant)
    assert browser.get("/admin/").headers["Location"] == SETTINGS
    turn_on(browser, clock)
    set_up_page = browser.get(SET_UP)  # on now: the set-up page leads back to the settings
    assert set_up_page.headers["Location"] == SETTINGS
    assert browser.get("/admin/").status_code == 200


def test_she_can_sign_out_before_setting_it_up(app, make_user):
    consultant = make_user(email="new@example.org", role="consultant", two_factor=False)
    browser = signed_in_client(app, consultant)
    signed_out = submit_form(browser, "/accounts/sign-out", {}, page=SETTINGS)
    assert signed_out.status_code == 302 and signed_out.headers["Location"] == "/"
    assert browser.get("/admin/").headers["Location"].startswith("/accounts/sign-in")


def test_a_consultant_made_by_create_admin_sets_it_up_at_her_first_sign_in(app, runner):
    made = runner.invoke(
        args=["create-admin", "irons@example.org", "--password-stdin"],
        input="steady hands heal\n",
    )
    assert made.exit_code == 0 and "set up two-step sign-in" in made.output
    browser = app.test_client()
    assert Auth(browser).sign_in("irons@example.org", "steady hands heal").status_code == 302
    assert browser.get("/admin/").headers["Location"] == SETTINGS


def test_a_client_is_offered_it_and_not_made_to(app, client_member_client):
    assert client_member_client.get("/accounts/password").status_code == 200
    settings = client_member_client.get(SETTINGS).get_data(as_text=True)
    assert "Set up two-step sign-in" in settings and "opens nothing else" not in settings
