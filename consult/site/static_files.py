"""Static files under a content-hashed URL, so browsers and proxies may keep them for a year.

Each file's hash is computed once at start-up; `url_for("static", filename=...)` then adds
`?v=<hash>`. A request that names the current hash is answered with a year-long immutable cache;
any other (an old hash, or none) is revalidated as before, so a deploy is seen at once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

HASH_LENGTH = 12
IMMUTABLE_MAX_AGE = 365 * 24 * 3600
EXTENSION_KEY = "consult.static_hashes"


def hash_static_folder(folder: Path) -> dict[str, str]:
    """`{"css/site.css": "<12 hex digits of its SHA-256>", ...}` for every file in `folder`."""
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[
            :HASH_LENGTH
        ]
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def init_app(app: Flask) -> None:
    """Hash the static folder and make every static URL carry its file's hash."""
    hashes = hash_static_folder(Path(app.static_folder)) if app.static_folder else {}
    app.extensions[EXTENSION_KEY] = hashes

    @app.url_defaults
    def versioned_static_url(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static":
            digest = hashes.get(values.get("filename", ""))
            if digest:
                values.setdefault("v", digest)

    @app.after_request
    def immutable_when_hashed(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code != 200:
            return response
        filename = (request.view_args or {}).get("filename", "")
        version = request.args.get("v")
        if version and version == hashes.get(filename):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = IMMUTABLE_MAX_AGE
            response.cache_control.immutable = True
        return response


def static_fingerprint(app: Flask) -> str:
    """One digest of every static file's hash: changes whenever any of them does."""
    hashes: dict[str, str] = app.extensions.get(EXTENSION_KEY, {})
    return hashlib.sha256(repr(sorted(hashes.items())).encode()).hexdigest()
