"""The site shell: home, About, health check, and what every page's layout needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from consult.clock import app_now
from consult.db import get_session
from consult.site.caching import PageVersion, public_page
from consult.site.pages import PageError, load_page
from consult.urls import absolute_url, site_root

blueprint = Blueprint("site", __name__)

# The main navigation; an entry appears once the capability behind it is installed.
NAVIGATION = (
    ("Blog", "blog.index"),
    ("Book a consultation", "booking.index"),
    ("Assessment", "portal.index"),
    ("About", "site.about"),
)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class SitePath:
    """One of the three ways into the practice shown on the home page."""

    key: str
    url: str | None


@blueprint.app_template_global("url_if_open")
def _url_if_open(endpoint: str) -> str | None:
    """The path of `endpoint`, or None while the capability behind it is not installed."""
    return url_for(endpoint) if endpoint in current_app.view_functions else None


blueprint.add_app_template_global(absolute_url, "absolute_url")


@blueprint.app_template_filter("local_date")
def local_date(moment: datetime) -> str:
    """A date as the practice says it, in the consultant's time zone: 24 November 2026."""
    return moment.astimezone(current_app.extensions["consult.site"].time_zone).strftime("%-d %B %Y")


@blueprint.app_template_filter("local_datetime")
def local_datetime(moment: datetime) -> str:
    local = moment.astimezone(current_app.extensions["consult.site"].time_zone)
    return local.strftime("%-d %B %Y at %-I:%M %p %Z")


def _is_current(endpoint: str) -> bool:
    """A capability's entry is current on all its pages; the shell's own ones on their page only."""
    section = endpoint.partition(".")[0]
    return request.endpoint == endpoint or (section != "site" and request.blueprint == section)


@blueprint.app_context_processor
def layout_context() -> dict[str, object]:
    nav_items = [
        NavItem(label=label, url=url_for(endpoint), current=_is_current(endpoint))
        for label, endpoint in NAVIGATION
        if endpoint in current_app.view_functions
    ]
    return {
        "nav_items": nav_items,
        "current_year": app_now().year,
        "site_url": site_root(),
    }


@blueprint.get("/")
@public_page(lambda: PageVersion(""))  # its text is the templates' and site.yaml's
def home() -> str:
    paths = [
        SitePath("blog", _url_if_open("blog.index")),
        SitePath("booking", _url_if_open("booking.index")),
        SitePath("portal", _url_if_open("portal.index")),
    ]
    return render_template("site/home.html", paths=paths)


def _about_path() -> Path:
    return current_app.extensions["consult.settings"].content_dir / "pages" / "about.md"


def _about_version() -> PageVersion:
    """The About page's file as it is now (its size and modification time)."""
    try:
        stat = _about_path().stat()
    except OSError:
        return PageVersion("missing")
    return PageVersion(f"{stat.st_mtime_ns}:{stat.st_size}")


@blueprint.get("/about/")
@public_page(_about_version)
def about() -> str:
    try:
        page = load_page(_about_path())
    except PageError as error:
        current_app.logger.warning(
            "the About page cannot be shown: %s (line %s)", error, error.line
        )
        abort(404)
    return render_template("site/about.html", page=page)


@blueprint.get("/healthz")
def health() -> ResponseReturnValue:
    """200 when the database answers, 503 when it does not: for load balancers and monitoring."""
    try:
        get_session().connection().execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        current_app.logger.error("health check: the database does not answer: %s", error)
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok")
