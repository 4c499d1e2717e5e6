"""The version of what readers see of the blog: a digest that changes exactly when a page may.

Pure: no Flask. A public view is determined by its index (every post's content) and by how
many posts are live at that moment, so the digest of the two is the version of every blog page.
Digests are kept per index and per post object, so a changed file re-hashes only itself, and
each process computes the same value from the same files (no per-process salt).
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from datetime import datetime

from consult.blog.index import BlogIndex, PublicView
from consult.blog.posts import Post

_post_digests: weakref.WeakKeyDictionary[Post, str] = weakref.WeakKeyDictionary()
_index_digests: weakref.WeakKeyDictionary[BlogIndex, str] = weakref.WeakKeyDictionary()
_view_dates: weakref.WeakKeyDictionary[PublicView, datetime | None] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def post_digest(post: Post) -> str:
    """A digest of everything a post shows: its front matter, body, HTML and source file."""
    with _lock:
        known = _post_digests.get(post)
    if known is None:
        known = hashlib.sha256(repr(post).encode()).hexdigest()
        with _lock:
            _post_digests[post] = known
    return known


def index_digest(index: BlogIndex) -> str:
    """A digest of every post in the index, drafts and scheduled ones included."""
    with _lock:
        known = _index_digests.get(index)
    if known is None:
        digest = hashlib.sha256()
        for post in index.posts:
            digest.update(post_digest(post).encode())
        known = digest.hexdigest()
        with _lock:
            _index_digests[index] = known
    return known


def view_version(index: BlogIndex, view: PublicView) -> str:
    """The version of the blog as `view` shows it: its index's digest and how many are live."""
    return f"{index_digest(index)}:{len(view.posts)}"


def view_last_modified(view: PublicView) -> datetime | None:
    """The newest change among the view's posts, computed once per view (it walks every post)."""
    with _lock:
        if view in _view_dates:
            return _view_dates[view]
    newest = view.last_modified
    with _lock:
        _view_dates[view] = newest
    return newest
