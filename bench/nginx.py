"""A post through nginx's cache (the README's configuration) against nginx serving the same HTML
as a plain file: what the site's caching headers are worth behind a real proxy (target ≥ 0.80).
"""

from __future__ import annotations

import statistics
import subprocess
import time
import urllib.request
from pathlib import Path

from bench.load import measure
from bench.servers import Server, apt_install, free_port, wait_until_answering
from consult.config import PROJECT_ROOT

TARGET = 0.80

# The README's production configuration, word for word apart from the placeholders, which the
# README fills with example paths (tests/unit/test_bench_nginx.py holds the two together).
SITE_CONFIGURATION = """\
proxy_cache_path {cache} levels=1:2 keys_zone=consult:10m max_size=1g inactive=1h use_temp_path=off;

# The sign-in cookies are `__Host-session` and `__Host-remember_token`; no $cookie_ variable
# can name them (variable names stop at the hyphen), so a map reads the Cookie header instead.
map $http_cookie $consult_signed_in {{
    default 0;
    "~(^|;) *__Host-(session|remember_token)=" 1;
}}

upstream consult {{
    server {upstream};
}}

server {{
    {listen}
    server_name {server_name};

    # Static files carry their content hash in the URL (?v=…): a year, immutable.
    location /static/ {{
        alias {project}/static/;
        add_header Cache-Control "public, max-age=31536000, immutable";
    }}

    location /media/ {{
        alias {content}/media/;
        add_header Cache-Control "public, max-age=31536000";
    }}

    location / {{
        proxy_pass http://consult;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Host $host;

        # Public pages are cached as the site's own Cache-Control and ETag say; a stale copy
        # is revalidated in the background (a 304 from the site renders nothing).
        proxy_cache consult;
        proxy_cache_revalidate on;
        proxy_cache_background_update on;
        proxy_cache_lock on;
        proxy_cache_use_stale updating error timeout http_500 http_502 http_503;
        # Cached pages' files stay open between requests, as nginx keeps static files.
        open_file_cache max=10000 inactive=60s;
        # Signed-in people get their own pages, never a cached one, and never fill the cache.
        proxy_cache_bypass $consult_signed_in;
        proxy_no_cache $consult_signed_in;
        # nginx compresses for the visitor: the site sends it one copy of each page, so the
        # cache holds one, and the Vary the site sends for other caches (Cookie: handled by the
        # two lines above; Accept-Encoding) need not be looked at for each request.
        proxy_set_header Accept-Encoding "";
        proxy_ignore_headers Vary;
        gzip on;
        gzip_proxied any;
        gzip_types application/xml application/atom+xml application/json image/svg+xml;
        add_header X-Cache-Status $upstream_cache_status;
    }}
}}
"""

_MAIN = """\
worker_processes auto;
pid {scratch}/nginx.pid;
error_log {scratch}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {scratch}/body;
    proxy_temp_path {scratch}/proxy;
    fastcgi_temp_path {scratch}/fastcgi;
    uwsgi_temp_path {scratch}/uwsgi;
    scgi_temp_path {scratch}/scgi;

{site}
    # The same page's HTML as a file: the ceiling for a page served from a cache.
    server {{
        listen 127.0.0.1:{file_port};
        root {scratch}/html;
    }}
}}
"""


def site_configuration(
    *,
    listen: str,
    server_name: str,
    upstream: str,
    project: Path | str,
    content: Path | str,
    cache: Path | str,
) -> str:
    """The README's nginx configuration with these addresses and folders."""
    return SITE_CONFIGURATION.format(
        listen=listen,
        server_name=server_name,
        upstream=upstream,
        project=project,
        content=content,
        cache=cache,
    )


def compare(
    site: Server,
    path: str,
    *,
    scratch: Path,
    content: Path,
    wrk: str | None,
    rounds: int,
    seconds: float,
) -> None:
    """Measure `path` through nginx's cache and as a file in alternating rounds; print the ratio."""
    program = apt_install("nginx", "nginx")
    if program is None:
        print("\nnginx is not installed and could not be: the proxy comparison is skipped")
        return
    folder = scratch / "nginx"
    (folder / "html").mkdir(parents=True)
    # nginx's workers run as an unprivileged user: they must reach the files and the cache.
    for reachable in (scratch, folder, folder / "html"):
        reachable.chmod(0o755)
    html = urllib.request.urlopen(site.url + path).read()  # noqa: S310  our own loopback URL
    (folder / "html" / "post.html").write_bytes(html)
    proxy_port, file_port = free_port(), free_port()
    site_block = site_configuration(
        listen=f"listen 127.0.0.1:{proxy_port};",
        server_name="localhost",
        upstream=site.url.removeprefix("http://"),
        project=PROJECT_ROOT,
        content=content,
        cache=folder / "cache",
    )
    configuration = folder / "nginx.conf"
    configuration.write_text(
        _MAIN.format(scratch=folder, file_port=file_port, site=_indent(site_block))
    )
    log = folder / "nginx.log"
    process = subprocess.Popen(  # noqa: S603  nginx with our own configuration file
        [program, "-c", str(configuration), "-p", str(folder)],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    proxy = Server("nginx", f"http://127.0.0.1:{proxy_port}", process, log)
    try:
        wait_until_answering(proxy, path)
        time.sleep(0.5)  # the file server block starts with the same process
        cached = urllib.request.urlopen(proxy.url + path)  # noqa: S310  our own loopback URL
        cached = urllib.request.urlopen(proxy.url + path)  # noqa: S310  the second is a hit
        print(
            f"\nnginx cache status of a post's second request: {cached.headers['X-Cache-Status']}"
        )
        through_cache, as_file = [], []
        measure(wrk, proxy.url + path, 1.0, {})
        for _ in range(rounds):
            as_file.append(measure(wrk, f"http://127.0.0.1:{file_port}/post.html", seconds, {}))
            through_cache.append(measure(wrk, proxy.url + path, seconds, {}))
        ratios = [
            cached.requests_per_second / plain.requests_per_second
            for cached, plain in zip(through_cache, as_file, strict=True)
        ]
        middle = statistics.median(ratios)
        failures = sum(run.failures for run in through_cache + as_file)
        if failures:
            print(f"\nnginx: {failures} requests failed (see {folder}/error.log)")
        print(
            f"\nnginx: a post through its cache "
            f"{statistics.median(m.requests_per_second for m in through_cache):.0f} req/s, "
            f"the same HTML as a file "
            f"{statistics.median(m.requests_per_second for m in as_file):.0f} req/s; "
            f"ratio {middle:.2f} ({min(ratios):.2f}–{max(ratios):.2f}), target ≥ {TARGET:.2f}: "
            + ("met" if middle >= TARGET else "NOT MET")
        )
    finally:
        proxy.stop()


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in text.splitlines())
