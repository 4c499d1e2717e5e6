"""The engagement loop in a real browser, end to end (issue #13's "Done when").

An owner buys a programme through the local test provider (and has its receipt, as a page and
a PDF) and opens a round; the nudges job
e-mails the members and one answers by following the e-mailed link; the owner closes the round,
is e-mailed that it closed, follows that link to the plan and books a working session from it
with a credit (no payment step) and sees a credit fewer;
the consultant finds all of it on the organisation's client page. Each new page passes the
accessibility gate (`check_page`).
"""

import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from consult.config import PROJECT_ROOT
from tests.browser.accessibility import check_page
from tests.browser.outbox import text_of, wait_for_email
from tests.browser.pages import sign_in
from tests.browser.portal_round import (
    PASSWORD,
    answer_current_section,
    live_app,
    open_organisation,
    prepare_organisation,
    sign_in_as,
    submit_early_answers,
)

pytestmark = pytest.mark.browser

JOURNEY = "engagement loop"
ORGANISATION = "Birchwood Health"
DOMAIN = "birchwood.example"
PROGRAMME = "Birchwood partnership quarter"


def offer_programme(live_site) -> None:
    """The consultant offers a programme of two working sessions and a round, for 1,200."""
    from sqlmodel import select

    from consult.booking.models import ConsultationType
    from consult.clock import utc_now
    from consult.db import get_session
    from consult.engagements.catalogue import ProgrammeTerms, save_programme

    with live_app(live_site).app_context():
        db = get_session()
        working = db.exec(
            select(ConsultationType).where(ConsultationType.slug == "working-session")
        ).one()
        save_programme(
            session=db,
            programme=None,
            terms=ProgrammeTerms(
                name=PROGRAMME,
                description="Two working sessions on your plan and one assessment round.",
                price_minor=120000,
                currency="usd",
                duration_days=90,
                included_rounds=1,
                full_refund_days=14,
                is_active=True,
            ),
            sessions_by_type={working.id: 2},
            now=utc_now(),
        )
        db.commit()


def run_command(live_site, *arguments: str) -> str:
    """A `flask --app consult …` command on the live site's instance folder, as cron runs it."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CONSULT_", "DATABASE_URL", "SMTP_URL", "SECRET_KEY", "SITE_URL"))
    }
    environment["CONSULT_INSTANCE_DIR"] = str(live_site.log.parent)
    result = subprocess.run(  # noqa: S603  this interpreter running our own app's CLI
        [sys.executable, "-m", "flask", "--app", "consult", *arguments],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def link_in(message, path: str) -> str:
    """The first link in the e-mail's text to a page under `path`."""
    return re.search(rf"http://127\.0\.0\.1:\d+{re.escape(path)}\S*", text_of(message)).group()


def owner_buys_the_programme_and_opens_a_round(page) -> None:
    open_organisation(page, ORGANISATION)
    page.get_by_role("link", name="Programmes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes")
    check_page(page, JOURNEY, "programmes to buy")
    page.get_by_role("button", name=re.compile(f"^Buy for .*{PROGRAMME}")).click()
    expect(page.get_by_text("Test payment.")).to_be_visible()
    expect(page.get_by_text(f"{PROGRAMME} for {ORGANISATION}")).to_be_visible()
    check_page(page, JOURNEY, "test payment")
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_text(f"Thank you: “{PROGRAMME}” has started.")).to_be_visible()
    expect(page.get_by_text("2 left of 2")).to_be_visible()
    check_page(page, JOURNEY, "programme bought")
    page.get_by_role("link", name="Receipt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Receipt P-"))
    expect(page.get_by_role("main")).to_contain_text("USD 1,200.00")
    check_page(page, JOURNEY, "the programme's receipt")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.go_back()

    page.get_by_role("link", name=ORGANISATION).click()
    expect(page.get_by_text(f"{PROGRAMME}: 2 of 2 sessions left")).to_be_visible()
    check_page(page, JOURNEY, "timeline with the programme")
    page.get_by_label("Name of the round").fill("Birchwood spring round")
    page.get_by_label("Closes on").fill("2099-01-31")
    page.get_by_role("button", name="Open the round").click()
    expect(page.get_by_role("link", name="Take the assessment")).to_be_visible()


def member_answers_from_the_nudge(page, live_site, sections: int) -> None:
    """The answerer follows the e-mailed invitation, signs in on the way and submits."""
    nudge = wait_for_email(live_site, f"answerer@{DOMAIN}", f"{ORGANISATION}: ")
    assert "Birchwood spring round is open" in nudge["Subject"]
    assert nudge["List-Unsubscribe"]
    page.goto(link_in(nudge, "/portal/o/"))
    expect(page).to_have_url(re.compile(r"/accounts/sign-in\?next="))
    page.get_by_label("E-mail address", exact=True).fill(f"answerer@{DOMAIN}")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ORGANISATION)
    page.get_by_role("link", name="Take the assessment").click()
    for number in range(1, sections + 1):
        answer_current_section(page, number, sections)
        page.get_by_role("button", name=re.compile("Save and (continue|review)")).click()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_text("Your answers are submitted")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()


def owner_closes_the_round(page) -> None:
    open_organisation(page, ORGANISATION)
    page.get_by_role("link", name="Close the round now and see the results").click()
    page.get_by_role("button", name="Yes, close the round and see the results").click()
    expect(page.get_by_role("heading", name="Your action plan")).to_be_visible()


def owner_books_from_the_plan_in_the_closing_notice(page, live_site) -> None:
    """The owner's e-mail that the round closed leads to its results; from the plan there, a
    working session paid with a credit.
    """
    notice = wait_for_email(live_site, f"owner@{DOMAIN}", "Birchwood spring round is closed")
    page.goto(link_in(notice, "/portal/o/"))
    expect(page.get_by_role("heading", name="Your action plan")).to_be_visible()
    page.get_by_role("link", name="Book a working session").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Working session")
    # The page shows her own zone: its script sends the zone form once; check the page it shows.
    expect(page).to_have_url(re.compile(r"[?&]tz=Europe%2FLondon"))
    page.wait_for_load_state()
    check_page(page, JOURNEY, "choose a time from the plan")
    page.get_by_role("region", name=re.compile("Free times on")).get_by_role("link").first.click()
    credit = page.get_by_role("radio", name=re.compile(r"\(2 left\), without paying"))
    expect(credit).to_be_checked()
    expect(page.get_by_label("E-mail address", exact=True)).to_have_value(f"owner@{DOMAIN}")
    page.get_by_label("Your role", exact=True).fill("Chief executive")
    page.get_by_label("What matters most to your organisation right now?").fill(
        "Acting on what our staff told us in the round."
    )
    page.get_by_label("I have read the cancellation policy and accept it").check()
    check_page(page, JOURNEY, "details, booked with a credit")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    expect(page.get_by_text("Test payment.")).to_have_count(0)
    check_page(page, JOURNEY, "booked with a credit")

    open_organisation(page, ORGANISATION)
    expect(page.get_by_text(f"{PROGRAMME}: 1 of 2 sessions left")).to_be_visible()
    coming_up = page.get_by_role("region", name="Coming up")
    expect(coming_up).to_contain_text("Working session on your action plan")
    expect(coming_up).to_contain_text("booked by Owner, from the programme")
    check_page(page, JOURNEY, "timeline after booking")
    page.get_by_role("link", name="Programmes").click()
    expect(page.get_by_text("1 left of 2")).to_be_visible()


def consultant_sees_it_all_on_the_client_page(page, live_site) -> None:
    sign_in(page, live_site)
    page.goto("/admin/organisations/")
    page.get_by_role("link", name=ORGANISATION).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ORGANISATION)
    money = page.get_by_role("region", name="Programmes and payments")
    expect(money).to_contain_text(f"{PROGRAMME} (running until")
    expect(money).to_contain_text("1 session used, 1 left of 2")
    expect(money).to_contain_text("Paid USD 1,200.00, refunded USD 0.00")
    expect(page.get_by_role("region", name="Overall index over time")).to_contain_text(
        "Birchwood spring round"
    )
    expect(page.get_by_role("region", name="Coming up")).to_contain_text(
        "Working session on your action plan"
    )
    emails = page.get_by_role("region", name="E-mails sent to them")
    expect(emails).to_contain_text(f"answerer@{DOMAIN}")
    expect(emails).to_contain_text("Birchwood spring round is open")
    expect(emails).to_contain_text("Birchwood spring round is closed: the results are ready")
    expect(emails).to_contain_text("Confirmed: Working session on your action plan")
    check_page(page, JOURNEY, "the consultant's client page")
    money.get_by_role("link", name=PROGRAMME).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{PROGRAMME}: {ORGANISATION}")
    check_page(page, JOURNEY, "the consultant's page of the purchase")


def test_an_owner_buys_a_programme_runs_a_round_books_with_a_credit_and_the_consultant_sees_it(
    browser, live_site
):
    prepare_organisation(live_site, DOMAIN, ORGANISATION)
    offer_programme(live_site)
    context = browser.new_context(
        base_url=live_site.url, timezone_id="Europe/London", accept_downloads=True
    )
    page = context.new_page()
    sign_in_as(page, f"owner@{DOMAIN}")
    owner_buys_the_programme_and_opens_a_round(page)
    page.get_by_role("button", name="Sign out").click()

    submit_early_answers(live_site, DOMAIN, ORGANISATION)
    assert "round.invitation" in run_command(live_site, "nudges", "send")
    run_command(live_site, "mail", "send")
    assert "none due" in run_command(live_site, "nudges", "send")  # each nudge once
    sections = len(live_app(live_site).extensions["consult.assessments"].current().sections)
    member_answers_from_the_nudge(page, live_site, sections)

    sign_in_as(page, f"owner@{DOMAIN}")
    owner_closes_the_round(page)
    assert "round.closed" in run_command(live_site, "nudges", "send")
    run_command(live_site, "mail", "send")
    owner_books_from_the_plan_in_the_closing_notice(page, live_site)
    page.get_by_role("button", name="Sign out").click()

    consultant_sees_it_all_on_the_client_page(page, live_site)
    context.close()
