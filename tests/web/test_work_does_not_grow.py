"""Each main page does the same work whether the site holds some data or ten times as much: its
work follows what it shows (a page of rows, one stretch of days), not what is stored.

Not timed: the SQL statements each page sends are counted (a `before_cursor_execute` listener)
and so are the rows it loads as model objects (the ORM's `load` event), on SQLite and PostgreSQL,
over the benchmark's own data set and pages at two sizes.
"""

from dataclasses import dataclass

from sqlalchemy import event
from sqlmodel import SQLModel

from bench.blog import WORDS
from bench.dataset import CONSULTANT_EMAIL, OWNER_EMAIL
from bench.queries import NOT_QUERIES
from bench.routes import ANONYMOUS, CONSULTANT, OWNER, Route, site_routes
from consult.audit.web import PER_PAGE
from consult.db import ENGINE_KEY
from tests.conftest import Auth
from tests.web.scaled_site import Size, build_scaled_site

ONE_TIMES = Size(posts=12, bookings=30, organisations=3, respondents=4)
POST = 6  # a post, and its first tag, that both sizes hold
# Lists that load a page of rows: up to PER_PAGE, each with a related row, and the visitor.
LOADS_ONE_PAGE = {"admin bookings", "admin organisations"}
# Not yet bounded: the results page ranks the round against every other organisation's latest
# stored result, so it loads one round per organisation (a stored benchmark would bound it).
LOADS_GROWING = {"results and plan"}


@dataclass(frozen=True)
class Work:
    statements: int
    rows_loaded: int


def pages(dataset, today) -> list[Route]:
    organisation = f"/portal/o/{dataset.organisation_id}"
    return [
        *site_routes(dataset, f"post-{POST}", WORDS[POST % 7], today=today),
        Route("a tag's feed", f"/blog/tag/{WORDS[POST % 7]}/feed.xml"),
        Route("the plan", f"{organisation}/r/{dataset.round_id}/plan.csv", OWNER),
    ]


def work_per_page(app, dataset, today) -> dict[str, Work]:
    """What each page does on its second request (the first fills caches)."""
    clients = {ANONYMOUS: app.test_client()}
    for visitor, email in ((CONSULTANT, CONSULTANT_EMAIL), (OWNER, OWNER_EMAIL)):
        clients[visitor] = app.test_client()
        signed_in = Auth(clients[visitor]).sign_in_all_steps(email, dataset.password)
        assert signed_in.status_code == 302
    sent: list[str] = []
    loaded: list[object] = []

    def record_statement(connection, cursor, statement, *arguments):
        if statement.strip().upper() not in NOT_QUERIES:
            sent.append(statement)

    def record_load(target, context):
        loaded.append(target)

    engine = app.extensions[ENGINE_KEY]
    event.listen(engine, "before_cursor_execute", record_statement)
    event.listen(SQLModel, "load", record_load, propagate=True)
    work = {}
    try:
        for route in pages(dataset, today):
            client = clients[route.visitor]
            assert client.get(route.path).status_code == 200, route.path
            sent.clear()
            loaded.clear()
            assert client.get(route.path).status_code == 200, route.path
            work[route.label] = Work(len(sent), len(loaded))
    finally:
        event.remove(engine, "before_cursor_execute", record_statement)
        event.remove(SQLModel, "load", record_load)
        engine.dispose()  # done with the database: the next size empties it
    return work


def test_no_page_does_more_work_for_ten_times_the_data(request, make_app, tmp_path, clock):
    today = clock().date()
    work = {}
    for factor in (1, 10):
        size = ONE_TIMES.times(factor)
        app, dataset = build_scaled_site(request, make_app, tmp_path, clock, size)
        work[factor] = work_per_page(app, dataset, today)
    assert set(work[1]) == {route.label for route in pages(dataset, today)}

    statements = [{page: done.statements for page, done in work[f].items()} for f in (1, 10)]
    assert statements[0] == statements[1]
    for page in work[1].keys() - LOADS_ONE_PAGE - LOADS_GROWING:
        assert work[10][page].rows_loaded == work[1][page].rows_loaded, page
    for page in LOADS_ONE_PAGE:
        assert work[10][page].rows_loaded <= 2 * PER_PAGE + 1, page
