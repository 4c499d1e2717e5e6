"""Processes the site benchmark starts and stops: gunicorn (the site, the minimal app) and nginx.

Both apps run under identical gunicorn settings; each process is stopped by its own id.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import gunicorn

# --preload: the master builds the app (consult.wsgi reads the blog) once, before forking, as the
# README's production command does. The long timeout is for a busy machine's first requests.
# gunicorn 27 opens a control socket at one fixed path per user: two servers would share it.
GUNICORN_SETTINGS = (
    *("--worker-class", "sync", "--timeout", "300", "--preload"),
    *("--log-level", "warning"),
    *(["--no-control-socket"] if gunicorn.version_info >= (27,) else []),
)
WORKERS = 2


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """A started server: its address and process."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass(frozen=True)
class WorkerMemory:
    """One worker's memory, in MiB: resident, and its proportional share (PSS), which counts
    the pages it shares with the master and its siblings (the preloaded app) once between them.
    """

    resident: float
    proportional: float


def worker_memory(server: Server) -> list[WorkerMemory]:
    """The memory of each of the server's worker processes, from /proc (Linux only)."""
    pid = server.process.pid
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    found = []
    for child in children:
        try:
            rollup = Path(f"/proc/{child}/smaps_rollup").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in rollup.splitlines()[1:] if ":" in line)
        kib = {name: int(value.split()[0]) for name, value in fields.items()}
        found.append(WorkerMemory(kib["Rss"] / 1024, kib["Pss"] / 1024))
    return found


def wait_until_answering(server: Server, path: str = "/", timeout: float = 120.0) -> None:
    """Wait for `path` to answer (any HTTP status); fail with the server's log if it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} stopped while starting:\n{server.log.read_text()}")
        try:
            urllib.request.urlopen(server.url + path, timeout=60)  # noqa: S310  our own loopback URL
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{server.name} did not answer within {timeout:.0f} s")


def start_gunicorn(
    name: str,
    app: str,
    *,
    environment: Mapping[str, str],
    scratch: Path,
    cwd: Path,
    workers: int = WORKERS,
) -> Server:
    """`gunicorn <app>` on a free loopback port with the shared settings and `workers` sync
    workers, logging to a file.
    """
    port = free_port()
    log = scratch / f"{name}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        *GUNICORN_SETTINGS,
        *("--workers", str(workers)),
        "--bind",
        f"127.0.0.1:{port}",
        app,
    ]
    process = subprocess.Popen(  # noqa: S603  our own interpreter and fixed arguments
        command,
        cwd=cwd,
        env={**os.environ, **environment},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    return Server(name, f"http://127.0.0.1:{port}", process, log)


def _which(program: str) -> str | None:
    """`program` on the PATH, or in /usr/sbin (where Debian puts nginx), or None."""
    return shutil.which(program) or shutil.which(program, path="/usr/sbin")


def apt_install(package: str, program: str) -> str | None:
    """The path of `program`, installing Debian's `package` through apt-get when it is missing.

    None when it cannot be had (not root, no apt-get, or the install failed).
    """
    found = _which(program)
    if found:
        return found
    apt_get = shutil.which("apt-get")
    if apt_get is None or os.geteuid() != 0:
        return None
    print(f"installing {package} with apt-get…", flush=True)
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in ([apt_get, "update", "-qq"], [apt_get, "install", "-y", "-qq", package]):
        done = subprocess.run(  # noqa: S603  apt-get with fixed arguments
            command, env=environment, capture_output=True, check=False
        )
        if done.returncode:
            return None
    return _which(program)
