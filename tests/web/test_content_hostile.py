"""Hypothesis writes hostile post files; the site keeps serving and `content check` never crashes.

Each example is one post file next to the test's good posts: mostly a valid post with a few of
its fields replaced by hostile values (impossible or extreme dates, wrong types, huge numbers,
YAML tags, anchors and aliases, deep nesting, control characters), sometimes raw bytes (binary,
invalid UTF-8) or a hostile Markdown body. Whatever it holds, every page answers 200 or 404,
/healthz 200, the good posts stay served, and `content check` exits 0 or 1 with no traceback,
naming the file when it was left out.
"""

from __future__ import annotations

import itertools
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import signed_in_client

FIELDS = [
    "title",
    "date",
    "slug",
    "summary",
    "tags",
    "series",
    "epigraph",
    "cover",
    "author",
    "updated",
    "draft",
    "aliases",
    "toc",
]
HOSTILE_SCALARS = [
    "2026-02-30",
    "2026-13-01",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31 23:59:59",
    "9999-12-31T23:59:59-12:00",
    "1900-01-01T00:00:00+14:00",
    "2026-11-24 25:61",
    "1e309",
    ".nan",
    "-.inf",
    "9" * 25,
    "-" + "9" * 4400,
    "0x_",
    "~",
    "!!python/object/apply:os.getcwd []",
    "!!python/name:os.system",
    "!!binary AAAA",
    "!!binary not-base64!",
    "!!timestamp 2026-02-30",
    "!!int nope",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "&anchor value",
    "*undefined",
    "[" * 60 + "]" * 60,
    "{a: " * 40 + "x" + "}" * 40,
    "'unterminated",
    '"\\ud800"',
    '"\\x00 nul"',
    "[/healthz, /, /blog/public-one/]",
    "{src: /x.png}",
    "{text: [a], attribution: {b: c}}",
    "[{}, [], null]",
    "Chronic illness",
    "-",
    "日本語",
    "\u202eevil\u202c",
    "<script>alert(1)</script>",
    "'; DROP TABLE users; --",
]
# Printable text of every script, with right-to-left marks and combining characters among it.
words = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=60)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | words,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
field_values = st.one_of(
    st.sampled_from(HOSTILE_SCALARS),
    st.dates().map(str),
    st.datetimes().map(lambda moment: moment.isoformat(sep=" ")),
    json_values.map(json.dumps),
    words.map(json.dumps),
    words.map(json.dumps),
    st.text(max_size=60).map(json.dumps),
)
HOSTILE_BODIES = [
    ">" * 3000 + " deep",
    "- " * 2000 + "x",
    "[" * 3000 + "x" + "]" * 3000,
    "`" * 5000,
    "<div>" * 2000,
    "*" * 10_000 + "a",
    "[x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    "# " + "heading " * 2000,
    "| a |\n|---|\n" + "| b |\n" * 2000,
    "[^1]\n\n[^1]: [^1]",
    "word " * 150_000,
]
bodies = st.one_of(st.sampled_from(HOSTILE_BODIES), st.text(max_size=300), words)


@st.composite
def post_files(draw) -> bytes:
    """The bytes of one post file: usually a valid post with hostile fields, else raw bytes."""
    kind = draw(st.sampled_from(["fields"] * 6 + ["raw", "mangled"]))
    if kind == "raw":
        return draw(st.binary(max_size=400))
    front = {
        "title": "Hostile",
        "date": "2026-11-20 09:00",
        "summary": "About hostility.",
        "tags": "[Listening]",
    }
    for field in draw(st.lists(st.sampled_from(FIELDS), max_size=2, unique=True)):
        front[field] = draw(field_values)
    if draw(st.integers(0, 9)) == 0:  # now and then a field the blog does not know
        name = draw(st.text(min_size=1, max_size=10))
        front[json.dumps(name)] = draw(field_values)
    lines = [f"{name}: {value}" for name, value in front.items()]
    text = "---\n" + "\n".join(lines) + "\n---\n" + draw(bodies) + "\n"
    data = text.encode("utf-8", "surrogatepass")
    if kind == "mangled":
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at]
            + draw(st.sampled_from([b"\xff", b"\xc3", b"\x00", b"\r", b"\x1b"]))
            + data[at:]
        )
    return data


def test_hostile_post_files_never_take_the_site_down(blog_app, content_dir, make_user):
    library = blog_app.extensions["consult.blog"]
    library.check_interval = 0
    reader = blog_app.test_client()
    consultant = signed_in_client(blog_app, make_user(role="consultant"))
    runner = blog_app.test_cli_runner()
    numbers = itertools.count()

    @settings(
        max_examples=80,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(content=post_files())
    def serve(content: bytes) -> None:
        # A new name each time: the library notices changes by modification time and size.
        path = content_dir / "posts" / f"hostile-{next(numbers)}.md"
        path.write_bytes(content)
        try:
            index = library.index()
            left_out = any(problem.file == path.name for problem in index.problems)
            post = next((post for post in index.posts if post.source == path.name), None)
            assert left_out != (post is not None)
            paths = ["/", "/about/", "/blog/", "/blog/archive/", "/feed.xml", "/sitemap.xml"]
            paths += ["/blog/search?q=hostile", "/blog/tag/listening/", "/blog/series/x/"]
            if post is not None:
                paths.append(f"/blog/{post.slug}/")
                paths += [f"/blog/tag/{slug}/" for slug in post.tag_slugs]
                if post.series_slug:
                    paths.append(f"/blog/series/{post.series_slug}/")
            for page in paths:
                assert reader.get(page).status_code in (200, 404), page
            assert reader.get("/healthz").status_code == 200
            if post is None or post.slug != "public-one":
                assert reader.get("/blog/public-one/").status_code == 200
            assert consultant.get("/admin/").status_code == 200
            result = runner.invoke(args=["content", "check"])
            assert result.exception is None or isinstance(result.exception, SystemExit)
            assert "Traceback" not in result.output
            assert result.exit_code == (1 if left_out else 0), result.output
            if left_out:
                assert f"posts/{path.name}" in result.output
        finally:
            path.unlink()

    serve()
