"""Drive one URL for a few seconds and measure requests/s, p50 and p99: with wrk, or in Python.

wrk is used when installed (the benchmark installs it through apt-get when it can); the Python
generator stands in without it, with the same connections and the same figures.
"""

from __future__ import annotations

import http.client
import re
import statistics
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

CONNECTIONS = 4  # two per gunicorn worker: each worker always has the next request waiting
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Measurement:
    """One run against one URL."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    failures: int  # answers other than 2xx/3xx, and connection errors


def _milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def parse_wrk(output: str) -> Measurement:
    """The figures of wrk's `--latency` report."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (rate and p50 and p99):
        raise RuntimeError(f"wrk printed something unexpected:\n{output}")
    failures = sum(
        int(number)
        for number in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", output)
        + re.findall(r"(?:connect|read|write|timeout) (\d+)", output)
    )
    return Measurement(
        float(rate.group(1)), _milliseconds(p50.group(1)), _milliseconds(p99.group(1)), failures
    )


def run_wrk(wrk: str, url: str, seconds: float, headers: Mapping[str, str]) -> Measurement:
    """`wrk` against `url` with one thread and CONNECTIONS connections."""
    duration = f"-d{max(1, round(seconds))}s"  # wrk takes whole seconds
    command = [wrk, "-t1", f"-c{CONNECTIONS}", duration, "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(  # noqa: S603  wrk with arguments we built
        [*command, url], capture_output=True, text=True, check=True
    )
    return parse_wrk(done.stdout)


def run_python(url: str, seconds: float, headers: Mapping[str, str]) -> Measurement:
    """The same load from Python threads, each sending one request per connection like wrk does
    to a server that closes connections (gunicorn's sync workers do)."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client() -> None:
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                connection = http.client.HTTPConnection(parts.netloc, timeout=10)
                connection.request("GET", path, headers=dict(headers))
                response = connection.getresponse()
                response.read()
                connection.close()
                failed = response.status >= 400
            except OSError:
                failed = True
            with lock:
                latencies.append((time.perf_counter() - began) * 1000)
                failures[0] += failed

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return Measurement(len(latencies) / elapsed, cuts[49], cuts[98], failures[0])


def measure(wrk: str | None, url: str, seconds: float, headers: Mapping[str, str]) -> Measurement:
    """Load `url` for `seconds` with wrk when given, else from Python."""
    if wrk:
        return run_wrk(wrk, url, seconds, headers)
    return run_python(url, seconds, headers)


def _fetch(url: str, headers: Mapping[str, str], timeout: float) -> float:
    """Seconds one GET of `url` took."""
    parts = urlsplit(url)
    began = time.perf_counter()
    connection = http.client.HTTPConnection(parts.netloc, timeout=timeout)
    connection.request(
        "GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=dict(headers)
    )
    connection.getresponse().read()
    connection.close()
    return time.perf_counter() - began


def prime(url: str, headers: Mapping[str, str], patience: float = 600.0) -> None:
    """Send CONNECTIONS requests at once, again and again, until all are quick: then every
    worker has done what it does on its first request (reading the posts, say)."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        durations: list[float] = []

        def fetch(into: list[float] = durations) -> None:
            into.append(_fetch(url, headers, patience))

        threads = [threading.Thread(target=fetch) for _ in range(CONNECTIONS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if durations and max(durations) < 3.0:  # a first request reads every post: far longer
            return
    raise SystemExit(f"{url} is still slow after {patience:.0f} s")


def warm_up(
    wrk: str | None, url: str, seconds: float, headers: Mapping[str, str], most: int = 10
) -> None:
    """Prime `url`, then load it until two runs in a row agree within a quarter, or `most` runs."""
    prime(url, headers)
    previous = 0.0
    for _ in range(most):
        rate = measure(wrk, url, seconds, headers).requests_per_second
        if rate and previous and abs(rate - previous) <= 0.25 * max(rate, previous):
            return
        previous = rate
