"""What the blog does to the database: double opt-in subscriptions and the newsletter."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from consult.accounts.policy import hash_token, new_token, normalise_email
from consult.blog.models import NewsletterDelivery, Subscriber
from consult.blog.posts import Post
from consult.db import begin_as_writer
from consult.mail.service import queue_email
from consult.urls import absolute_url

CONFIRMATION_RESEND_AFTER = timedelta(minutes=10)


def _unsubscribe_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="blog.unsubscribe")


def unsubscribe_url(subscriber: Subscriber) -> str:
    """The subscriber's unsubscribe link: signed, so every e-mail ever sent keeps a working one."""
    return absolute_url("blog.unsubscribe", token=_unsubscribe_signer().dumps(subscriber.id))


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: mail programs POST to the link."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def subscribe(*, session: Session, email: str, now: datetime) -> None:
    """Ask `email` to confirm its subscription. Says nothing about whether it was known.

    A new or unsubscribed address gets a confirmation link; a pending one gets it again at
    most every ten minutes; a confirmed one gets nothing (it is already subscribed).
    """
    email = normalise_email(email)
    subscriber = session.exec(select(Subscriber).where(Subscriber.email == email)).first()
    if subscriber is not None and (
        subscriber.status == "confirmed"
        or (
            subscriber.status == "pending"
            and now - subscriber.confirmation_sent_at < CONFIRMATION_RESEND_AFTER
        )
    ):
        return
    confirm_token, confirm_hash = new_token()
    if subscriber is None:
        subscriber = Subscriber(
            email=email, created_at=now, confirm_token_hash=confirm_hash, confirmation_sent_at=now
        )
    subscriber.status = "pending"
    subscriber.confirm_token_hash = confirm_hash
    subscriber.confirmation_sent_at = now
    session.add(subscriber)
    session.flush()
    leave_url = unsubscribe_url(subscriber)
    queue_email(
        session=session,
        to=email,
        subject="Please confirm your subscription",
        template="subscribe_confirm",
        context={
            "confirm_url": absolute_url("blog.confirm_subscription", token=confirm_token),
            "unsubscribe_url": leave_url,
        },
        now=now,
        extra_headers=unsubscribe_headers(leave_url),
    )


def confirm_subscription(*, session: Session, token: str, now: datetime) -> Subscriber | None:
    """Confirm the subscription behind `token` (idempotent). None: an unknown or replaced link."""
    subscriber = session.exec(
        select(Subscriber).where(Subscriber.confirm_token_hash == hash_token(token))
    ).first()
    if subscriber is None or subscriber.status == "unsubscribed":
        return None
    if subscriber.status == "pending":
        subscriber.status = "confirmed"
        subscriber.confirmed_at = now
        session.add(subscriber)
        session.flush()
    return subscriber


def find_by_unsubscribe_token(*, session: Session, token: str) -> Subscriber | None:
    """The subscriber behind a signed unsubscribe token; None for a forged or unknown one."""
    try:
        subscriber_id = _unsubscribe_signer().loads(token)
    except BadSignature:
        return None
    return session.get(Subscriber, subscriber_id) if isinstance(subscriber_id, int) else None


def unsubscribe(*, session: Session, token: str, now: datetime) -> bool:
    """Stop all mail to the subscriber behind `token`; False when the link is unknown."""
    subscriber = find_by_unsubscribe_token(session=session, token=token)
    if subscriber is None:
        return False
    if subscriber.status != "unsubscribed":
        subscriber.status = "unsubscribed"
        subscriber.unsubscribed_at = now
        session.add(subscriber)
        session.flush()
    return True


def newsletter_work(*, session: Session, posts: tuple[Post, ...]) -> list[tuple[int, str]]:
    """(subscriber id, post slug) pairs still to send.

    Each public post published after the subscriber confirmed, not yet sent to them.
    """
    subscribers = session.exec(
        select(Subscriber.id, Subscriber.confirmed_at).where(Subscriber.status == "confirmed")
    ).all()
    sent = set(
        session.exec(select(NewsletterDelivery.subscriber_id, NewsletterDelivery.post_slug)).all()
    )
    return [
        (subscriber_id, post.slug)
        for post in sorted(posts, key=lambda post: post.published_at)
        for subscriber_id, confirmed_at in subscribers
        # A stored, confirmed subscriber always has both: the checks only tell mypy so.
        if subscriber_id is not None
        and confirmed_at is not None
        and confirmed_at < post.published_at
        and (subscriber_id, post.slug) not in sent
    ]


def send_newsletter(
    *,
    engine: Engine,
    posts: tuple[Post, ...],
    now: Callable[[], datetime],
    track: Callable[[list[tuple[int, str]]], Iterable[tuple[int, str]]] = iter,
) -> int:
    """Queue each newly published post for each confirmed subscriber once; returns how many.

    Safe to re-run, and to run twice at the same time: the delivery record and the e-mail commit
    together, and the unique (subscriber, post) pair lets only one run record it. `track` wraps
    the work list, e.g. in a progress bar.
    """
    with Session(engine) as session:
        work = newsletter_work(session=session, posts=posts)
    by_slug = {post.slug: post for post in posts}
    return sum(
        queue_newsletter_email(
            engine=engine, subscriber_id=subscriber_id, post=by_slug[slug], now=now()
        )
        for subscriber_id, slug in track(work)
    )


def queue_newsletter_email(
    *, engine: Engine, subscriber_id: int, post: Post, now: datetime
) -> bool:
    """Queue `post` for one subscriber in its own transaction; False if another run already did."""
    with Session(engine) as session:
        begin_as_writer(session)
        subscriber = session.get(Subscriber, subscriber_id)
        if subscriber is None or subscriber.status != "confirmed":
            return False
        try:
            session.add(
                NewsletterDelivery(subscriber_id=subscriber_id, post_slug=post.slug, queued_at=now)
            )
            session.flush()
        except IntegrityError:  # another run got there first
            session.rollback()
            return False
        leave_url = unsubscribe_url(subscriber)
        queue_email(
            session=session,
            to=subscriber.email,
            subject=post.title,
            template="new_post",
            context={
                "post": post,
                "post_url": absolute_url("blog.post", slug=post.slug),
                "unsubscribe_url": leave_url,
            },
            now=now,
            extra_headers=unsubscribe_headers(leave_url),
        )
        session.commit()
        return True
