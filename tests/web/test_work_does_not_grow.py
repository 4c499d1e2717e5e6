"""Each main page does the same work whether the site holds some data or ten or a hundred times as
much: its work follows what it shows (a page of rows, one stretch of days, one round's figures),
not what is stored.

Not timed: the SQL statements each page sends are counted (a `before_cursor_execute` listener)
and so are the rows it loads as model objects (the ORM's `load` event), on SQLite and PostgreSQL,
over the benchmark's own data set and pages at three sizes (up to 200 posts, 3,000 bookings
with their past days off and time off, and 200 organisations with a closed round each).
"""

from dataclasses import dataclass

import pytest
from sqlalchemy import event
from sqlmodel import SQLModel

from bench.blog import WORDS
from bench.dataset import CONSULTANT_EMAIL, OWNER_EMAIL
from bench.queries import NOT_QUERIES
from bench.routes import ANONYMOUS, CONSULTANT, OWNER, Route, site_routes
from consult.audit.web import PER_PAGE
from consult.db import ENGINE_KEY
from tests.conftest import Auth
from tests.web.render_work import drawn_afresh
from tests.web.scaled_site import Size, build_scaled_site

ONE_TIMES = Size(posts=2, bookings=30, organisations=2, respondents=4)
FACTORS = (1, 10, 100)
# Short posts: rendering 200 full ones would take seconds more, and no page's database work
# depends on a post's length.
WORDS_PER_POST = 40
POST = 1  # a post, and its first tag, that every size holds
# Lists that load a page of rows (PER_PAGE), each with a related row, and the visitor.
LOADS_ONE_PAGE = {"admin bookings", "admin organisations"}
MOST_ROWS_OF_A_LIST = 2 * (PER_PAGE + 1) + 1  # one more row tells if a next page exists


@pytest.fixture(scope="module")
def shared_folder(tmp_path_factory):
    """Each size's content folder, and the instance folder with its render cache of posts, made
    once for both databases (as a restarted server keeps them).
    """
    return tmp_path_factory.mktemp("scaled-sites")


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
    """What each page does when drawn again (the first request fills the caches of what does
    not depend on the data: the posts' index, the tables each page reads).
    """
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
            with drawn_afresh(app):  # its own work, not a copy kept of it
                assert client.get(route.path).status_code == 200, route.path
            work[route.label] = Work(len(sent), len(loaded))
    finally:
        event.remove(engine, "before_cursor_execute", record_statement)
        event.remove(SQLModel, "load", record_load)
        engine.dispose()  # done with the database: the next size empties it
    return work


def test_no_page_does_more_work_for_ten_or_a_hundred_times_the_data(
    request, make_app, shared_folder, clock
):
    today = clock().date()
    work = {}
    for factor in FACTORS:
        app, dataset = build_scaled_site(
            request,
            make_app,
            shared_folder,
            clock,
            ONE_TIMES.times(factor),
            words=WORDS_PER_POST,
            CONSULT_INSTANCE_DIR=str(shared_folder / "instance"),
        )
        work[factor] = work_per_page(app, dataset, today)
    assert set(work[1]) == {route.label for route in pages(dataset, today)}

    for factor in FACTORS[1:]:
        for page in work[1]:
            assert work[factor][page].statements == work[1][page].statements, (factor, page)
            if page in LOADS_ONE_PAGE:
                assert work[factor][page].rows_loaded <= MOST_ROWS_OF_A_LIST, (factor, page)
            else:
                assert work[factor][page].rows_loaded == work[1][page].rows_loaded, (factor, page)
