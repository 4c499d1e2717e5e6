"""The consultant's own changes in a real browser: booking someone in, moving the booking for
them, blocking time off and reading the week's agenda, each step checked for accessibility.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.accessibility import check_page
from tests.browser.outbox import wait_for_email
from tests.browser.pages import sign_in

CHICAGO = ZoneInfo("America/Chicago")


def a_quiet_wednesday():
    """A Wednesday about six weeks ahead: inside the booking window, past other journeys' times."""
    day = datetime.now(CHICAGO).date() + timedelta(days=42)
    return day + timedelta(days=(2 - day.weekday()) % 7)


def test_the_consultant_books_someone_in_moves_them_blocks_time_and_reads_the_week(
    browser, live_site
):
    journey = "consultant's own changes"
    day = a_quiet_wednesday()
    context = browser.new_context(base_url=live_site.url)
    page = context.new_page()
    sign_in(page, live_site)

    page.goto("/admin/")
    page.get_by_role("link", name="Book someone in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book someone in")
    check_page(page, journey, "book someone in")
    page.get_by_label("Consultation", exact=True).select_option(label="Discovery call")
    page.get_by_label("Starts").fill(f"{day.isoformat()}T15:00")
    page.get_by_label("Free of charge").check()
    page.get_by_label("Guest's name").fill("Rosa Lindqvist")
    page.get_by_label("Guest's e-mail address").fill("rosa@northshore.example")
    page.get_by_label("Organisation").fill("North Shore Health")
    page.get_by_label("Role", exact=True).fill("Director of nursing")
    page.get_by_role("button", name="Book and tell the guest").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rosa Lindqvist")
    expect(page.get_by_text("Video call: https://meet.example.org/")).to_be_visible()
    check_page(page, journey, "booked in")
    wait_for_email(live_site, "rosa@northshore.example", "Confirmed")

    page.get_by_role("link", name="Move to another time").click()
    chosen = page.get_by_role("link", name=day.strftime("%a %-d %b"))
    while not chosen.count():  # the page shows four weeks at a time
        page.get_by_role("link", name="Later days").click()
    chosen.click()
    check_page(page, journey, "move")
    page.get_by_label("9:00 AM").check()
    page.get_by_role("button", name="Move and tell the guest").click()
    expect(page.get_by_text("Moved. The guest has been sent")).to_be_visible()
    wait_for_email(live_site, "rosa@northshore.example", "Moved")

    page.goto("/admin/time-off/")
    page.get_by_label("From").fill(f"{day.isoformat()}T13:00")
    page.get_by_label("Until").fill(f"{day.isoformat()}T14:30")
    page.get_by_label("Note for yourself (optional)").fill("Board preparation")
    page.get_by_role("button", name="Block this time").click()
    expect(page.get_by_text("Time off blocked")).to_be_visible()
    check_page(page, journey, "time off")

    page.goto(f"/admin/agenda?week={day.isocalendar().year}-W{day.isocalendar().week:02d}")
    section = page.get_by_role("region", name=day.strftime("%A %-d %B"))
    expect(section.get_by_role("link", name="Discovery call: Rosa Lindqvist")).to_be_visible()
    expect(section.get_by_text("09:00–09:30")).to_be_visible()
    expect(section.get_by_text("Board preparation")).to_be_visible()
    check_page(page, journey, "agenda")
    page.get_by_role("link", name="Next week").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Agenda: week of")
    context.close()
