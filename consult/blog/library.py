"""The posts folder kept in memory: each file parsed once per change, checked every few seconds."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from consult.blog.index import BlogIndex, ContentProblem, build_index
from consult.blog.posts import Post, PostError, parse_post

log = logging.getLogger("consult.blog")
CHECK_INTERVAL_SECONDS = 3.0

FileKey = tuple[int, int]  # modification time in ns, size


class PostLibrary:
    """Serves the current BlogIndex; re-reads only files whose modification time or size changed."""

    def __init__(
        self,
        posts_dir: Path,
        *,
        time_zone: ZoneInfo,
        words_per_minute: int,
        check_interval: float = CHECK_INTERVAL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.posts_dir = posts_dir
        self.time_zone = time_zone
        self.words_per_minute = words_per_minute
        self.check_interval = check_interval
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._parsed: dict[str, tuple[FileKey, Post | ContentProblem]] = {}
        self._index: BlogIndex | None = None
        self._checked_at = float("-inf")

    def index(self) -> BlogIndex:
        """The index as of the last check; checks the folder when the interval has passed."""
        if self._index is not None and self._monotonic() - self._checked_at < self.check_interval:
            return self._index
        with self._lock:
            if self._index is None or self._monotonic() - self._checked_at >= self.check_interval:
                index = self._refresh()
                self._checked_at = self._monotonic()
                return index
            return self._index

    def _refresh(self) -> BlogIndex:
        """The index with the folder's changes read in (the same one when nothing changed)."""
        files = (
            {path.name: path for path in sorted(self.posts_dir.glob("*.md"))}
            if self.posts_dir.is_dir()
            else {}
        )
        changed = self._index is None or set(files) != set(self._parsed)
        parsed: dict[str, tuple[FileKey, Post | ContentProblem]] = {}
        for name, path in files.items():
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            key = (stat.st_mtime_ns, stat.st_size)
            previous = self._parsed.get(name)
            if previous and previous[0] == key:
                parsed[name] = previous
                continue
            changed = True
            parsed[name] = (key, self._parse(path))
        if not changed and self._index is not None:
            return self._index
        self._parsed = parsed
        posts = [result for _, result in parsed.values() if isinstance(result, Post)]
        problems = [result for _, result in parsed.values() if isinstance(result, ContentProblem)]
        self._index = build_index(posts, problems)
        for problem in self._index.problems:
            log.warning("post left out: %s", problem)
        return self._index

    def _parse(self, path: Path) -> Post | ContentProblem:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            return ContentProblem(path.name, f"cannot be read ({error})")
        try:
            return parse_post(
                file_name=path.name,
                text=text,
                time_zone=self.time_zone,
                words_per_minute=self.words_per_minute,
            )
        except PostError as error:
            return ContentProblem(path.name, str(error), error.line)
