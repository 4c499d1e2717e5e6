"""No cache keeps a private page: every route of the private blueprints and the booking links
answers `Cache-Control: no-store` (whatever its status), as does every page a signed-in person
sees; public copies and static files keep their own headers.
"""

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from consult.site.private_pages import PRIVATE_BLUEPRINTS, is_private_endpoint
from tests.conftest import signed_in_client


def placeholder(converter) -> object:
    """A value the argument's converter takes: a number, one of its choices, or a word."""
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "placeholder"


def private_addresses(app) -> list[tuple[str, str]]:
    """(method, path) of every private route, its arguments filled with placeholders."""
    adapter = app.url_map.bind("consult.test")
    addresses = []
    for rule in app.url_map.iter_rules():
        if not is_private_endpoint(rule.endpoint):
            continue
        values = {name: placeholder(rule._converters[name]) for name in rule.arguments}
        path = adapter.build(rule.endpoint, values)
        addresses.extend((method, path) for method in sorted(rule.methods & {"GET", "POST"}))
    return addresses


def test_every_private_blueprint_has_routes(app):
    blueprints = {rule.endpoint.rpartition(".")[0] for rule in app.url_map.iter_rules()}
    assert blueprints >= PRIVATE_BLUEPRINTS
    assert len(private_addresses(app)) > 60


@pytest.mark.parametrize("who", ["visitor", "consultant", "client"])
def test_every_private_route_answers_no_store(app, make_user, who):
    if who == "visitor":
        client = app.test_client()
    else:
        role = "consultant" if who == "consultant" else "client"
        client = signed_in_client(app, make_user(email=f"{who}@example.org", role=role))
    for method, path in private_addresses(app):
        response = client.open(path, method=method)
        assert response.headers.get("Cache-Control") == "no-store", (method, path, who)


def test_a_signed_in_person_gets_no_store_on_public_pages_too(app, make_user):
    member = signed_in_client(app, make_user(email="reader@example.org"))
    for path in ("/", "/about/", "/book/", "/no-such-page"):
        assert member.get(path).headers.get("Cache-Control") == "no-store", path


def test_public_copies_and_static_files_keep_their_headers(app, make_user):
    visitor = app.test_client()
    home = visitor.get("/")
    assert home.headers["Cache-Control"].startswith("public") and "no-store" not in str(
        home.headers["Cache-Control"]
    )
    member = signed_in_client(app, make_user(email="styled@example.org"))
    stylesheet = [
        line.split('href="')[1].split('"')[0]
        for line in member.get("/").get_data(as_text=True).splitlines()
        if "css/site.css" in line
    ][0]
    cache_control = member.get(stylesheet).headers["Cache-Control"]
    assert "immutable" in cache_control and "no-store" not in cache_control
