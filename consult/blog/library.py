"""The posts folder kept in memory: each file parsed once per change, checked every few seconds.

With a PostCache, a restart renders only the files whose text changed since they were cached.

Whatever a file holds, it can only leave itself out: every exception while reading or parsing
it becomes that file's ContentProblem, and readers never wait on a check while an index exists.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from consult.blog.index import BlogIndex, ContentProblem, build_index
from consult.blog.post_cache import PostCache
from consult.blog.posts import Post, PostError, parse_post
from consult.frontmatter import ContentFileError, printable, read_text_file

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
        cache_dir: Path | None = None,
    ):
        self.posts_dir = posts_dir
        self.time_zone = time_zone
        self.words_per_minute = words_per_minute
        self.check_interval = check_interval
        self._monotonic = monotonic
        self._cache = (
            PostCache(cache_dir, time_zone=time_zone, words_per_minute=words_per_minute)
            if cache_dir is not None
            else None
        )
        self._cache_keys: dict[str, str] = {}  # file name → its cache entry
        self._lock = threading.Lock()
        self._parsed: dict[str, tuple[FileKey, Post | ContentProblem]] = {}
        self._index: BlogIndex | None = None
        self._checked_at = float("-inf")

    def index(self) -> BlogIndex:
        """The index as of the last check; checks the folder when the interval has passed.

        While one request checks, the others are served the index as it was, without waiting.
        """
        current = self._index
        if current is not None and self._monotonic() - self._checked_at < self.check_interval:
            return current
        if current is None:
            self._lock.acquire()
        elif not self._lock.acquire(blocking=False):
            return current
        try:
            if self._index is None or self._monotonic() - self._checked_at >= self.check_interval:
                self._index = self._refresh_safely()
                self._checked_at = self._monotonic()
            return self._index
        finally:
            self._lock.release()

    def _refresh_safely(self) -> BlogIndex:
        """The refreshed index; if the folder cannot be listed, the posts last read, and why."""
        try:
            return self._refresh()
        except OSError as error:
            log.error("the posts folder %s cannot be read: %s", self.posts_dir, error)
            posts = [result for _, result in self._parsed.values() if isinstance(result, Post)]
            self._parsed = {}  # read every file again once the folder can be listed
            problem = ContentProblem(self.posts_dir.name, f"cannot be read ({error.strerror})")
            return build_index(posts, [problem])

    def _refresh(self) -> BlogIndex:
        """The index with the folder's changes read in (the same one when nothing changed)."""
        # Names compared as text: sorting a thousand Path objects alone costs more than the stats.
        names = (
            sorted(name for name in os.listdir(self.posts_dir) if name.endswith(".md"))
            if self.posts_dir.is_dir()
            else []
        )
        files = {name: os.path.join(self.posts_dir, name) for name in names}
        changed = self._index is None or set(files) != set(self._parsed)
        parsed: dict[str, tuple[FileKey, Post | ContentProblem]] = {}
        for name, path in files.items():
            try:
                stat = os.stat(path)
            except FileNotFoundError:
                continue
            key = (stat.st_mtime_ns, stat.st_size)
            previous = self._parsed.get(name)
            if previous and previous[0] == key:
                parsed[name] = previous
                continue
            changed = True
            parsed[name] = (key, self._parse(Path(path)))
        if not changed and self._index is not None:
            return self._index
        self._parsed = parsed
        if self._cache is not None:
            self._cache_keys = {
                name: self._cache_keys[name] for name in parsed if name in self._cache_keys
            }
            self._cache.keep_only(self._cache_keys.values())
        posts = [result for _, result in parsed.values() if isinstance(result, Post)]
        problems = [result for _, result in parsed.values() if isinstance(result, ContentProblem)]
        self._index = build_index(posts, problems)
        for problem in self._index.problems:
            log.warning("post problem: %s", printable(str(problem)))  # names may hold escapes
        return self._index

    def _parse(self, path: Path) -> Post | ContentProblem:
        """The post in the file, or why it is left out: nothing it holds may raise past here."""
        self._cache_keys.pop(path.name, None)
        try:
            text = read_text_file(path)
            if self._cache is None:
                return self._parse_text(path.name, text)
            key = self._cache.key(path.name, text)
            post = self._cache.load(key)
            if post is None:
                post = self._parse_text(path.name, text)
                self._cache.store(key, post)
            self._cache_keys[path.name] = key
            return post
        except (ContentFileError, PostError) as error:
            return ContentProblem(path.name, str(error), error.line)
        except RecursionError:  # Markdown nests a level of Python per level of lists or quotes
            return ContentProblem(path.name, "is nested too deeply (lists or quotes) to be shown")
        except Exception as error:  # a case the parser does not know yet: still the file's problem
            log.exception("post %s could not be loaded", path.name)
            return ContentProblem(path.name, f"could not be loaded ({type(error).__name__})")

    def _parse_text(self, file_name: str, text: str) -> Post:
        return parse_post(
            file_name=file_name,
            text=text,
            time_zone=self.time_zone,
            words_per_minute=self.words_per_minute,
        )
