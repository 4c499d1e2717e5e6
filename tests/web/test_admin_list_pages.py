"""The consultant's long lists (bookings, organisations) come a page at a time, none missed."""

import re

from bench.dataset import CONSULTANT_EMAIL
from consult.audit.web import PER_PAGE
from tests.conftest import Auth
from tests.web.scaled_site import Size, build_scaled_site

NEXT_PAGE = re.compile(r'<a rel="next" href="([^"]+)"')
PREVIOUS_PAGE = re.compile(r'<a rel="prev" href="([^"]+)"')


def signed_in_consultant(app, password):
    client = app.test_client()
    assert Auth(client).sign_in_all_steps(CONSULTANT_EMAIL, password).status_code == 302
    return client


def walk_pages(client, first_page: str, row_link: re.Pattern[str]) -> list[list[str]]:
    """The rows of every page, following each page's next link from `first_page`."""
    pages, address = [], first_page
    while address:
        html = client.get(address.replace("&amp;", "&")).get_data(as_text=True)
        pages.append(row_link.findall(html))
        following = NEXT_PAGE.search(html)
        if len(pages) > 1:
            assert PREVIOUS_PAGE.search(html), "a later page links back"
        address = following.group(1) if following else None
    return pages


def test_bookings_and_organisations_are_listed_a_page_at_a_time(request, make_app, tmp_path, clock):
    size = Size(posts=1, bookings=PER_PAGE + 7, organisations=PER_PAGE + 3, respondents=2)
    app, dataset = build_scaled_site(request, make_app, tmp_path, clock, size)
    consultant = signed_in_consultant(app, dataset.password)

    booking_pages = walk_pages(
        consultant,
        "/admin/bookings/?view=upcoming",
        re.compile(r'href="/admin/bookings/([^"/?]+)/"'),
    )
    assert [len(rows) for rows in booking_pages] == [PER_PAGE, 7]
    assert len({row for rows in booking_pages for row in rows}) == PER_PAGE + 7

    organisation_pages = walk_pages(
        consultant, "/admin/organisations/", re.compile(r'href="/admin/organisations/([^"/]+)/"')
    )
    assert [len(rows) for rows in organisation_pages] == [PER_PAGE, 3]
    assert len({row for rows in organisation_pages for row in rows}) == PER_PAGE + 3
    assert "Bench Health 0<" in consultant.get("/admin/organisations/").get_data(as_text=True)


def test_a_page_past_the_end_or_not_a_number_is_calm(request, make_app, tmp_path, clock):
    app, dataset = build_scaled_site(request, make_app, tmp_path, clock, Size(1, 3, 2, 2))
    consultant = signed_in_consultant(app, dataset.password)
    for address in ("/admin/bookings/?page=999", "/admin/organisations/?page=nonsense"):
        assert consultant.get(address).status_code == 200
    assert "None." in consultant.get("/admin/bookings/?page=999").get_data(as_text=True)
