"""The blog read and indexed ahead of the first reader, e.g. by a server before it forks workers."""

from __future__ import annotations

from flask import Flask

from consult.blog.library import PostLibrary
from consult.blog.versions import view_last_modified, view_version


def warm_blog(app: Flask) -> None:
    """Read every post (rendering only those the cache lacks), then build what pages compute once.

    Done in a preloading server's master process, the workers fork with it in memory: none reads
    the posts folder on its first request.
    """
    library: PostLibrary = app.extensions["consult.blog"]
    index = library.index()
    view = index.public_view(app.config["CLOCK"]())
    view_version(index, view)
    view_last_modified(view)
    view.search_index()
