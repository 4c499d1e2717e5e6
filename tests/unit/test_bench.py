"""The site benchmark's own logic: reading wrk's report, the table's ratios, the workers' memory,
and the README's nginx configuration being the one the benchmark measures."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench.load import Measurement, parse_wrk
from bench.nginx import site_configuration
from bench.report import RouteResult, memory_line, table, verdict
from bench.routes import Route
from bench.servers import Server, worker_memory
from consult.config import PROJECT_ROOT

WRK_REPORT = """\
Running 4s test @ http://127.0.0.1:8000/blog/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms  800.00us  12.00ms   90.00%
    Req/Sec     1.90k   100.00     2.00k    70.00%
  Latency Distribution
     50%  950.00us
     75%    2.00ms
     90%    3.00ms
     99%    1.20s
  7600 requests in 4.00s, 1.00MB read
  Socket errors: connect 0, read 3, write 0, timeout 1
  Non-2xx or 3xx responses: 2
Requests/sec:   1900.50
Transfer/sec:    256.00KB
"""


def test_wrk_figures_are_read_in_milliseconds_with_failures_counted():
    measurement = parse_wrk(WRK_REPORT)
    assert measurement.requests_per_second == 1900.5 and measurement.failures == 6
    assert measurement.p50_ms == pytest.approx(0.95) and measurement.p99_ms == 1200.0


def test_ratios_pair_each_round_with_the_minimal_run_before_it():
    result = RouteResult(Route("a post", "/blog/x/", target=0.8), queries=0)
    result.rounds = [
        (Measurement(800, 1, 2, 0), Measurement(1000, 1, 2, 0)),
        (Measurement(450, 1, 2, 0), Measurement(500, 1, 2, 0)),
        (Measurement(700, 1, 2, 0), Measurement(1000, 1, 2, 0)),
    ]
    assert result.ratios == [0.8, 0.9, 0.7] and verdict(result) == "met"
    assert "| a post | 700 (450–800) |" in table([result])
    assert "0.80 (0.70–0.90)" in table([result])


def test_each_workers_memory_is_read_from_proc(tmp_path):
    # A master with two children, as gunicorn's with two workers.
    master = subprocess.Popen(  # noqa: S603  this interpreter, fixed code
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time\n"
            "workers = [subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])"
            " for _ in range(2)]\n"
            "print('ready', flush=True)\n"
            "time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert master.stdout is not None and master.stdout.readline() == b"ready\n"
        workers = worker_memory(Server("site", "http://127.0.0.1:1", master, tmp_path / "log"))
    finally:
        os.killpg(master.pid, signal.SIGKILL)  # the master and its children
        master.wait()
    if not Path("/proc/self/smaps_rollup").exists():
        assert workers == []
        return
    assert len(workers) == 2
    assert all(0 < worker.proportional <= worker.resident < 200 for worker in workers)
    line = memory_line("site", workers)
    assert line.startswith("site: each worker ") and "MiB its own share (PSS)" in line


def test_the_readmes_nginx_configuration_is_the_one_the_benchmark_measures():
    readme = (PROJECT_ROOT / "README.md").read_text()
    block = re.search(r"```nginx\n(.*?)```", readme, re.DOTALL)
    assert block, "the README has no nginx configuration"
    expected = site_configuration(
        listen="listen 443 ssl;",
        server_name="consult.example.org",
        upstream="127.0.0.1:8000",
        project="/srv/consult",
        content="/srv/consult/content",
        cache="/var/cache/nginx/consult",
    )
    assert block.group(1) == expected
