"""Blog pages, feeds, sitemap and subscription. Pages are served from memory: no database query."""

from __future__ import annotations

import calendar
from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import escape
from werkzeug.wrappers import Response

from consult.blog import service
from consult.blog.forms import SubscribeForm
from consult.blog.index import BlogIndex, PublicView
from consult.blog.library import PostLibrary
from consult.blog.posts import Post
from consult.clock import app_now
from consult.db import get_session
from consult.extensions import csrf, limiter
from consult.urls import absolute_url

blueprint = Blueprint("blog", __name__)
LIBRARY_KEY = "consult.blog"
MEDIA_MAX_AGE = 365 * 24 * 3600


def blog_index() -> BlogIndex:
    library: PostLibrary = current_app.extensions[LIBRARY_KEY]
    return library.index()


def public_posts() -> PublicView:
    return blog_index().public_view(app_now())


def _cacheable(body: str, last_modified: datetime | None, mimetype: str = "text/html") -> Response:
    """A response that carries ETag and Last-Modified and answers 304 to a revalidation."""
    response = make_response(body)
    response.mimetype = mimetype
    response.add_etag()
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.no_cache = True  # revalidate each time: scheduled posts appear on time
    if mimetype == "text/html":
        response.cache_control.private = True  # the page carries the reader's own form token
    return response.make_conditional(request)


def _no_page_answers() -> bool:
    """The request's path matches no route, or is the address of a post that is not public."""
    if request.url_rule is None:
        return True
    slug = (request.view_args or {}).get("slug")
    return request.endpoint == "blog.post" and public_posts().get(str(slug)) is None


@blueprint.before_app_request
def redirect_old_addresses() -> ResponseReturnValue | None:
    """An old URL listed in a post's `aliases` moves permanently to the post.

    Only where no page of the site answers, so a post can never hide a page (nor /healthz),
    and the pages that do not show posts never wait on the blog.
    """
    if request.method == "GET" and LIBRARY_KEY in current_app.extensions and _no_page_answers():
        slug = blog_index().aliases.get(request.path.rstrip("/") or "/")
        if slug and public_posts().get(slug):
            return redirect(url_for("blog.post", slug=slug), 301)
    return None


@blueprint.app_context_processor
def subscription_context() -> dict[str, bool]:
    return {"subscribe_form_enabled": True}


@blueprint.app_template_global()
def post_json_ld(post: Post) -> dict[str, object]:
    """schema.org BlogPosting, for search engines."""
    site = current_app.extensions["consult.site"]
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "datePublished": post.published_at.isoformat(),
        "dateModified": post.last_modified.isoformat(),
        "author": {"@type": "Person", "name": post.author or site.consultant_name},
        "publisher": {"@type": "Organization", "name": site.practice_name},
        "mainEntityOfPage": absolute_url("blog.post", slug=post.slug),
        "keywords": list(post.tags),
        "wordCount": len(post.plain_text.split()),
    }
    if post.summary:
        data["description"] = post.summary
    if post.cover:
        data["image"] = post.cover.src
    return data


@blueprint.app_template_global()
def post_feed_html(post: Post) -> str:
    """The post as it appears in a feed reader: epigraph, then body."""
    if not post.epigraph:
        return post.html
    attribution = (
        f"<p>— {escape(post.epigraph.attribution)}</p>" if post.epigraph.attribution else ""
    )
    return f"<blockquote><p>{escape(post.epigraph.text)}</p>{attribution}</blockquote>{post.html}"


@blueprint.app_template_global()
def month_name(month: int) -> str:
    return calendar.month_name[month]


@blueprint.get("/blog/")
def index() -> str:
    view = public_posts()
    page_number = request.args.get("page", default=1, type=int)
    posts = view.page(page_number)
    if posts is None:
        abort(404)
    return render_template(
        "blog/index.html", posts=posts, page=page_number, page_count=view.page_count()
    )


@blueprint.get("/blog/<slug>/")
def post(slug: str) -> ResponseReturnValue:
    view = public_posts()
    found = view.get(slug)
    if found is not None:
        series = view.series.get(found.series_slug) if found.series_slug is not None else None
        html = render_template(
            "blog/post.html", post=found, series=series, related=view.related(found), preview=False
        )
        return _cacheable(html, found.last_modified)
    draft_or_scheduled = blog_index().get_any(slug)
    if draft_or_scheduled is None or not (
        current_user.is_authenticated and current_user.is_consultant
    ):
        abort(404)
    response = make_response(
        render_template(
            "blog/post.html", post=draft_or_scheduled, series=None, related=(), preview=True
        )
    )
    response.cache_control.no_store = True
    return response


@blueprint.get("/blog/tag/<tag>/")
def tag(tag: str) -> str:
    found = public_posts().tags.get(tag)
    if found is None:
        abort(404)
    return render_template("blog/tag.html", tag=found)


@blueprint.get("/blog/series/<series>/")
def series(series: str) -> str:
    found = public_posts().series.get(series)
    if found is None:
        abort(404)
    return render_template("blog/series.html", series=found)


@blueprint.get("/blog/archive/")
def archive() -> str:
    return render_template(
        "blog/archive.html", months=public_posts().archive, tags=public_posts().tags.values()
    )


@blueprint.get("/blog/search")
def search() -> str:
    query = request.args.get("q", "")
    result = public_posts().search(query) if "q" in request.args else None
    return render_template("blog/search.html", query=query, result=result)


@blueprint.get("/feed.xml")
def feed() -> Response:
    view = public_posts()
    updated = view.last_modified or app_now()
    xml = render_template(
        "blog/feed.xml",
        posts=view.posts[:20],
        feed_title=None,
        self_endpoint=("blog.feed", {}),
        updated=updated,
    )
    return _cacheable(xml, updated, "application/atom+xml")


@blueprint.get("/blog/tag/<tag>/feed.xml")
def tag_feed(tag: str) -> Response:
    found = public_posts().tags.get(tag)
    if found is None:
        abort(404)
    updated = max(post.last_modified for post in found.posts)
    xml = render_template(
        "blog/feed.xml",
        posts=found.posts[:20],
        feed_title=found.name,
        self_endpoint=("blog.tag_feed", {"tag": tag}),
        updated=updated,
    )
    return _cacheable(xml, updated, "application/atom+xml")


@blueprint.get("/sitemap.xml")
def sitemap() -> Response:
    view = public_posts()
    xml = render_template("blog/sitemap.xml", view=view)
    return _cacheable(xml, view.last_modified, "application/xml")


@blueprint.get("/robots.txt")
def robots() -> Response:
    body = render_template("blog/robots.txt")
    return current_app.response_class(body, mimetype="text/plain")


@blueprint.get("/media/<path:filename>")
def media(filename: str) -> Response:
    media_dir = current_app.extensions["consult.settings"].content_dir / "media"
    return send_from_directory(media_dir, filename, max_age=MEDIA_MAX_AGE)


@blueprint.route("/blog/subscribe", methods=["GET", "POST"])
@limiter.limit("5 per 10 minutes; 30 per day", methods=["POST"])
def subscribe() -> ResponseReturnValue:
    form = SubscribeForm()
    if form.validate_on_submit():
        email = form.email.data or ""  # never empty once DataRequired has passed
        service.subscribe(session=get_session(), email=email, now=app_now())
        get_session().commit()
        return render_template("blog/subscribe_sent.html", email=email.strip())
    # One form on this page: the footer's copy is left out.
    return render_template(
        "blog/subscribe.html", form=form, subscribe_form_enabled=False
    ), 200 if not form.errors else 422


@blueprint.route("/blog/subscribe/confirm/<token>", methods=["GET", "POST"])
def confirm_subscription(token: str) -> ResponseReturnValue:
    """GET shows a button (mail scanners follow links); the POST confirms."""
    if request.method == "GET":
        return render_template("blog/confirm.html", confirmed=None)
    subscriber = service.confirm_subscription(session=get_session(), token=token, now=app_now())
    get_session().commit()
    return render_template(
        "blog/confirm.html", confirmed=subscriber is not None
    ), 200 if subscriber else 410


@blueprint.route("/blog/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> ResponseReturnValue:
    if request.method == "GET":
        known = service.find_by_unsubscribe_token(session=get_session(), token=token) is not None
        return render_template(
            "blog/unsubscribe.html", done=False, known=known
        ), 200 if known else 404
    if not service.unsubscribe(session=get_session(), token=token, now=app_now()):
        abort(404)
    get_session().commit()
    return render_template("blog/unsubscribe.html", done=True, known=True)


# The signed token is the authority: mail programs post here without a form (RFC 8058).
csrf.exempt(unsubscribe)
