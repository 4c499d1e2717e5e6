"""Parsed posts kept on disk between restarts, keyed by each file's text and the parser's version.

No Flask. Rendering Markdown is most of what loading a post costs, so a restart reads each file
and, when its text and the parser are unchanged, the post as it was last parsed: only changed
files are rendered again. The version covers the Markdown extensions and their settings, the
sanitiser's allowed tags, the libraries that render, and the source of the modules that parse,
so any change to how a post is made empties the cache rather than serving stale HTML.
Entries are JSON files written atomically, so several worker processes share one folder safely;
an entry that cannot be read is a miss, and a folder that cannot be written only costs speed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from consult import frontmatter
from consult.blog import posts, rendering
from consult.blog.posts import Cover, Epigraph, Post

log = logging.getLogger("consult.blog")
# Bump when an entry's layout changes in a way the module sources below do not show.
CACHE_FORMAT = 1
RENDERING_LIBRARIES = ("markdown", "nh3", "pygments", "pyyaml")


def parser_version() -> str:
    """A digest of everything that decides what a file parses to (see the module docstring)."""
    digest = hashlib.sha256(f"format {CACHE_FORMAT}\n".encode())
    settings = {
        "extensions": rendering.MARKDOWN_EXTENSIONS,
        "config": rendering.MARKDOWN_CONFIG,
        "tags": sorted(rendering.ALLOWED_TAGS),
        "attributes": {tag: sorted(names) for tag, names in rendering.ALLOWED_ATTRIBUTES.items()},
        "libraries": [metadata.version(name) for name in RENDERING_LIBRARIES],
    }
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    for module in (frontmatter, posts, rendering):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def post_to_json(post: Post) -> dict[str, Any]:
    """The post as plain JSON values (dates as ISO 8601 text)."""
    data = dataclasses.asdict(post)
    data["published_at"] = post.published_at.isoformat()
    data["updated_at"] = post.updated_at.isoformat() if post.updated_at else None
    return data


def post_from_json(data: dict[str, Any]) -> Post:
    """The post `post_to_json` wrote; raises KeyError, TypeError or ValueError on anything else."""
    epigraph, cover, updated = data["epigraph"], data["cover"], data["updated_at"]
    return Post(
        **{
            **data,
            "published_at": datetime.fromisoformat(data["published_at"]),
            "updated_at": datetime.fromisoformat(updated) if updated else None,
            "tags": tuple(data["tags"]),
            "aliases": tuple(data["aliases"]),
            "problems": tuple((problem, line) for problem, line in data["problems"]),
            "epigraph": Epigraph(**epigraph) if epigraph else None,
            "cover": Cover(**cover) if cover else None,
        }
    )


class PostCache:
    """Posts parsed before, in `directory/<parser version>/`; other versions' folders go."""

    def __init__(self, directory: Path, *, time_zone: ZoneInfo, words_per_minute: int):
        version = parser_version()
        self.directory = directory / version[:20]
        self._salt = f"{version}\n{time_zone.key}\n{words_per_minute}\n"
        self._remove_other_versions(directory)

    def _remove_other_versions(self, parent: Path) -> None:
        if not parent.is_dir():
            return
        for folder in parent.iterdir():
            if folder != self.directory and folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)

    def key(self, file_name: str, text: str) -> str:
        """The entry's name: a digest of the file's name and text and how they are parsed."""
        return hashlib.sha256(f"{self._salt}{file_name}\n{text}".encode()).hexdigest()

    def load(self, key: str) -> Post | None:
        """The post stored under `key`, or None when there is none or it cannot be read."""
        try:
            data = json.loads((self.directory / f"{key}.json").read_bytes())
            return post_from_json(data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("blog cache entry %s is unreadable (%s): parsing the file", key, error)
            return None

    def store(self, key: str, post: Post) -> None:
        """Keep `post` under `key` (atomically); a failure is logged and costs only speed."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", dir=self.directory, suffix=".tmp", delete=False, encoding="utf-8"
            ) as handle:
                json.dump(post_to_json(post), handle)
            os.replace(handle.name, self.directory / f"{key}.json")
        except OSError as error:
            log.warning("blog cache %s cannot be written: %s", self.directory, error)

    def keep_only(self, keys: Iterable[str]) -> None:
        """Remove the entries of files that changed or went (others' writes in progress stay)."""
        wanted = {f"{key}.json" for key in keys}
        try:
            entries = list(self.directory.iterdir()) if self.directory.is_dir() else []
        except OSError:
            return
        for entry in entries:
            if entry.suffix == ".json" and entry.name not in wanted:
                try:
                    entry.unlink(missing_ok=True)
                except OSError as error:
                    log.warning("blog cache entry %s cannot be removed: %s", entry, error)
                    return
