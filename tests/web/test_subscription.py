"""E-mail subscription: double opt-in, one-click unsubscribe, the newsletter sent exactly once."""

import re
import threading

from sqlmodel import select

from consult.blog.models import NewsletterDelivery, Subscriber
from consult.blog.service import send_newsletter
from consult.db import get_engine, get_session
from consult.mail.models import OutboxEmail
from tests.conftest import signed_in_client, submit_form
from tests.fakes.content import write_post


def emails(app, to=None) -> list[OutboxEmail]:
    with app.app_context():
        query = select(OutboxEmail).order_by(OutboxEmail.id)
        if to:
            query = query.where(OutboxEmail.to_address == to)
        return list(get_session().exec(query).all())


def subscribers(app) -> list[Subscriber]:
    with app.app_context():
        return list(get_session().exec(select(Subscriber)).all())


def path_in(email: OutboxEmail, prefix: str) -> str:
    match = re.search(rf"http://consult\.test({re.escape(prefix)}[^\s<\"]+)", email.text_body)
    assert match, email.text_body
    return match.group(1)


def subscribe(reader, address, page="/blog/public-one/"):
    """Subscribe from `page`'s form as its script does: fetch the form's token, then post."""
    html = reader.get(page).get_data(as_text=True)
    assert 'data-token-url="/blog/subscribe/token"' in html
    token = reader.get("/blog/subscribe/token").get_json()["token"]
    return reader.post("/blog/subscribe", data={"email": address, "csrf_token": token})


def confirm(reader, app, address):
    confirm_path = path_in(emails(app, address)[-1], "/blog/subscribe/confirm/")
    assert (
        reader.get(confirm_path).status_code == 200
    )  # a page with a button: following the link changes nothing
    assert [s.status for s in subscribers(app) if s.email == address] == ["pending"]
    return submit_form(reader, confirm_path, {})


def newsletter(app, clock) -> int:
    with app.app_context():
        view = app.extensions["consult.blog"].index().public_view(clock())
        return send_newsletter(engine=get_engine(), posts=view.posts, now=clock)


def test_subscribing_needs_a_confirmation_and_then_new_posts_arrive(
    blog_app, reader, clock, content_dir
):
    write_post(content_dir / "posts", "later-post", "2026-11-25 10:00")
    response = subscribe(reader, "Reader@Example.org")
    assert response.status_code == 200 and "check your e-mail" in response.get_data(as_text=True)
    [confirmation] = emails(blog_app)
    assert (
        confirmation.to_address == "reader@example.org"
        and confirmation.subject == "Please confirm your subscription"
    )
    assert confirmation.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    clock.advance(minutes=5)  # scheduled-soon goes live while the address is unconfirmed
    assert newsletter(blog_app, clock) == 0  # unconfirmed: nothing else is sent
    assert "You are subscribed" in confirm(reader, blog_app, "reader@example.org").get_data(
        as_text=True
    )
    assert subscribers(blog_app)[0].status == "confirmed"

    assert newsletter(blog_app, clock) == 0  # posts from before the confirmation are not sent
    clock.advance(hours=1)  # later-post goes live
    assert newsletter(blog_app, clock) == 1
    [post_email] = [email for email in emails(blog_app) if email.subject == "Later Post"]
    assert "http://consult.test/blog/later-post/" in post_email.text_body
    unsubscribe_url = post_email.extra_headers["List-Unsubscribe"].strip("<>")
    assert (
        unsubscribe_url.startswith("http://consult.test/blog/unsubscribe/")
        and unsubscribe_url in post_email.text_body
    )


def test_subscribing_twice_creates_nothing_new_and_says_the_same(blog_app, reader, clock):
    first = subscribe(reader, "twice@example.org").get_data(as_text=True)
    second = subscribe(reader, "TWICE@example.org").get_data(as_text=True)
    assert len(subscribers(blog_app)) == 1 and len(emails(blog_app)) == 1
    confirm(reader, blog_app, "twice@example.org")
    third = subscribe(reader, "twice@example.org").get_data(as_text=True)

    def strip(html: str) -> str:
        return re.sub(
            r'name="csrf_token" value="[^"]+"|twice@example\.org|TWICE@example\.org', "", html
        )

    assert strip(first) == strip(second) == strip(third)
    assert len(emails(blog_app)) == 1
    clock.advance(minutes=11)
    subscribe(reader, "new@example.org")
    assert len(emails(blog_app)) == 2


def test_a_bad_address_is_explained_with_the_input_kept(reader):
    response = subscribe(reader, "not-an-address")
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 422
        and "Enter a valid e-mail address" in html
        and 'value="not-an-address"' in html
    )


def test_one_click_unsubscribe_works_without_a_form_token_and_stops_the_newsletter(
    blog_app, reader, clock
):
    subscribe(reader, "leaving@example.org")
    confirm(reader, blog_app, "leaving@example.org")
    unsubscribe_path = path_in(emails(blog_app)[0], "/blog/unsubscribe/")
    assert "Stop receiving" in reader.get(unsubscribe_path).get_data(as_text=True)
    assert subscribers(blog_app)[0].status == "confirmed"
    response = blog_app.test_client().post(unsubscribe_path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and subscribers(blog_app)[0].status == "unsubscribed"
    clock.advance(minutes=1)
    assert newsletter(blog_app, clock) == 0
    assert reader.get("/blog/unsubscribe/forged-token").status_code == 404
    assert blog_app.test_client().post("/blog/unsubscribe/forged-token").status_code == 404


def test_the_newsletter_is_safe_to_rerun_and_to_run_twice_at_once(blog_app, reader, clock):
    for number in range(6):
        subscribe(reader, f"reader{number}@example.org")
        confirm(reader, blog_app, f"reader{number}@example.org")
    clock.advance(minutes=1)
    results = []
    runs = [
        threading.Thread(target=lambda: results.append(newsletter(blog_app, clock)))
        for _ in range(2)
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert sum(results) == 6
    assert newsletter(blog_app, clock) == 0
    with blog_app.app_context():
        assert len(get_session().exec(select(NewsletterDelivery)).all()) == 6
    assert len([email for email in emails(blog_app) if email.subject == "Scheduled Soon"]) == 6


def test_the_newsletter_command_shows_progress(blog_app, reader, clock):
    subscribe(reader, "cli@example.org")
    confirm(reader, blog_app, "cli@example.org")
    clock.advance(minutes=1)
    result = blog_app.test_cli_runner().invoke(args=["newsletter", "send"])
    assert result.exit_code == 0 and "newsletter: 1 e-mail(s) queued" in result.output
    assert (
        "1 e-mail(s)" not in blog_app.test_cli_runner().invoke(args=["newsletter", "send"]).output
    )


def test_subscribing_is_rate_limited(make_app, content_dir):
    app = make_app({"RATELIMIT_ENABLED": True}, CONTENT_DIR=str(content_dir))
    client = app.test_client()
    statuses = [subscribe(client, f"r{number}@example.org").status_code for number in range(6)]
    assert statuses == [200] * 5 + [429]


def test_the_consultant_sees_and_exports_subscribers(blog_app, reader, make_user):
    subscribe(reader, "=cmd@example.org")
    subscribe(reader, "plain@example.org")
    consultant = signed_in_client(blog_app, make_user(role="consultant"))
    page = consultant.get("/admin/subscribers/").get_data(as_text=True)
    assert "plain@example.org" in page and "waiting to confirm" in page
    export = consultant.get("/admin/subscribers.csv")
    assert export.mimetype == "text/csv" and "attachment" in export.headers["Content-Disposition"]
    lines = export.get_data(as_text=True).splitlines()
    assert lines[0] == "email,status,subscribed_at,confirmed_at,unsubscribed_at"
    assert lines[1].startswith("'=cmd@example.org,pending,")
    assert (
        signed_in_client(blog_app, make_user(role="client"))
        .get("/admin/subscribers.csv")
        .status_code
        == 403
    )
