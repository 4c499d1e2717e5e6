"""Blog pages, feeds and sitemap. Pages are served from memory: no database query.

Every public page is cacheable (consult.site.caching): its version is the digest of the posts
readers can see, so a revalidation is answered 304 without rendering.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

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

from consult.blog.index import BlogIndex, PublicView, page_count_of, page_of
from consult.blog.library import PostLibrary
from consult.blog.posts import Post
from consult.blog.versions import view_last_modified, view_version
from consult.clock import app_now
from consult.site.caching import PageVersion, public_page
from consult.urls import absolute_url

blueprint = Blueprint("blog", __name__)
LIBRARY_KEY = "consult.blog"
MEDIA_MAX_AGE = 365 * 24 * 3600
# A feed's <updated> when no post is public yet: fixed, so the empty feed's bytes never change.
EMPTY_FEED_UPDATED = datetime(2000, 1, 1, tzinfo=UTC)


def blog_index() -> BlogIndex:
    library: PostLibrary = current_app.extensions[LIBRARY_KEY]
    return library.index()


def public_posts() -> PublicView:
    return blog_index().public_view(app_now())


def blog_version() -> PageVersion:
    """The version of every blog page: what readers can see of the posts right now."""
    index = blog_index()
    return PageVersion(view_version(index, index.public_view(app_now())))


def dated_blog_version() -> PageVersion:
    """The blog's version with the newest change date, for pages that also send Last-Modified."""
    index = blog_index()
    view = index.public_view(app_now())
    return PageVersion(view_version(index, view), view_last_modified(view))


def _with_type(body: str, mimetype: str) -> Response:
    response = make_response(body)
    response.mimetype = mimetype
    return response


def _alias_redirect() -> Response | None:
    slug = blog_index().aliases.get(request.path.rstrip("/") or "/")
    if slug and public_posts().get(slug):
        return redirect(url_for("blog.post", slug=slug), 301)
    return None


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
        return _alias_redirect()
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
@public_page(blog_version)
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
@public_page(dated_blog_version)
def post(slug: str) -> ResponseReturnValue:
    view = public_posts()
    found = view.get(slug)
    if found is not None:
        series = view.series.get(found.series_slug) if found.series_slug is not None else None
        return render_template(
            "blog/post.html", post=found, series=series, related=view.related(found), preview=False
        )
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
@public_page(blog_version)
def tag(tag: str) -> str:
    found = public_posts().tags.get(tag)
    page_number = request.args.get("page", default=1, type=int)
    posts = page_of(found.posts, page_number) if found is not None else None
    if found is None or posts is None:
        abort(404)
    return render_template(
        "blog/tag.html",
        tag=found,
        posts=posts,
        page=page_number,
        page_count=page_count_of(found.posts),
    )


@blueprint.get("/blog/series/<series>/")
@public_page(blog_version)
def series(series: str) -> str:
    found = public_posts().series.get(series)
    if found is None:
        abort(404)
    return render_template("blog/series.html", series=found)


@blueprint.get("/blog/archive/")
@public_page(blog_version)
def archive() -> str:
    return render_template(
        "blog/archive.html", months=public_posts().archive, tags=public_posts().tags.values()
    )


@blueprint.get("/blog/search")
@public_page(blog_version)
def search() -> str:
    query = request.args.get("q", "")
    result = public_posts().search(query) if "q" in request.args else None
    return render_template("blog/search.html", query=query, result=result)


@blueprint.get("/feed.xml")
@public_page(dated_blog_version)
def feed() -> Response:
    view = public_posts()
    updated = view.last_modified or EMPTY_FEED_UPDATED
    xml = render_template(
        "blog/feed.xml",
        posts=view.posts[:20],
        feed_title=None,
        self_endpoint=("blog.feed", {}),
        updated=updated,
    )
    return _with_type(xml, "application/atom+xml")


@blueprint.get("/blog/tag/<tag>/feed.xml")
@public_page(dated_blog_version)
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
    return _with_type(xml, "application/atom+xml")


@blueprint.get("/sitemap.xml")
@public_page(dated_blog_version)
def sitemap() -> Response:
    xml = render_template("blog/sitemap.xml", view=public_posts())
    return _with_type(xml, "application/xml")


@blueprint.get("/robots.txt")
@public_page(lambda: PageVersion(""))
def robots() -> Response:
    body = render_template("blog/robots.txt")
    return current_app.response_class(body, mimetype="text/plain")


@blueprint.get("/media/<path:filename>")
def media(filename: str) -> Response:
    media_dir = current_app.extensions["consult.settings"].content_dir / "media"
    return send_from_directory(media_dir, filename, max_age=MEDIA_MAX_AGE)


from consult.blog import subscribing as _subscription_pages  # noqa: E402,F401
