"""Files consult writes on the server (the instance folder, the mail outbox, the local database):
readable and writable by the app's own user only, whatever the umask.

They hold secrets and personal data: the secret key, e-mails with sign-in and booking links.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_DIRECTORY_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def make_private_directory(path: Path) -> None:
    """Create `path` (and missing parents) for the app's user only; an existing one is kept as
    its owner set it.
    """
    for directory in [*reversed(path.parents), path]:
        if not directory.exists():
            directory.mkdir(mode=PRIVATE_DIRECTORY_MODE, exist_ok=True)


def write_private_file(path: Path, content: bytes) -> None:
    """Write `content` to a file created readable by the app's user only (from the first byte:
    no window in which another user could open it).
    """
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(handle, "wb") as output:
        output.write(content)


def create_private_file(path: Path) -> None:
    """Create an empty file for the app's user only, unless it exists (e.g. a new SQLite file)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
