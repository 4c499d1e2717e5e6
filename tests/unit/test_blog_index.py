"""The blog as a whole: visibility over time, series, related posts, pages, search, folder cache."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from consult.blog.index import ContentProblem, build_index
from consult.blog.library import PostLibrary
from consult.blog.posts import parse_post
from consult.blog.search import query_terms

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")


def make_post(
    slug, when, *, tags=(), series=None, draft=False, title=None, summary="", body="Words."
):
    front = [
        f"title: {title or slug.replace('-', ' ').title()}",
        f"date: {when.isoformat()}",
        f"tags: [{', '.join(tags)}]",
    ]
    if series:
        front.append(f"series: {series}")
    if draft:
        front.append("draft: true")
    if summary:
        front.append(f"summary: {summary}")
    text = "---\n" + "\n".join(front) + f"\n---\n{body}\n"
    return parse_post(file_name=f"{slug}.md", text=text, time_zone=CHICAGO, words_per_minute=200)


def test_a_post_goes_public_the_moment_its_time_comes():
    post = make_post("soon", NOW + timedelta(minutes=1))
    index = build_index([post, make_post("old", NOW - timedelta(days=7))], [])
    assert [p.slug for p in index.public_view(NOW).posts] == ["old"]
    assert index.public_view(NOW + timedelta(seconds=59)).get("soon") is None
    assert [p.slug for p in index.public_view(NOW + timedelta(minutes=1)).posts] == ["soon", "old"]


@settings(max_examples=60, deadline=None)
@given(
    offsets=st.lists(
        st.tuples(st.integers(-10_000, 10_000), st.booleans()), min_size=1, max_size=12
    ),
    moment=st.integers(-12_000, 12_000),
)
def test_the_public_view_is_exactly_the_non_draft_posts_whose_time_has_come(offsets, moment):
    posts = [
        make_post(f"p{n}", NOW + timedelta(minutes=minutes), draft=draft, tags=("t",), series="s")
        for n, (minutes, draft) in enumerate(offsets)
    ]
    now = NOW + timedelta(minutes=moment)
    view = build_index(posts, []).public_view(now)
    expected = {post.slug for post in posts if not post.draft and post.published_at <= now}
    assert {post.slug for post in view.posts} == expected
    assert {post.slug for tag in view.tags.values() for post in tag.posts} == expected
    assert {post.slug for series in view.series.values() for post in series.parts} == expected
    assert {post.slug for month in view.archive for post in month.posts} == expected
    assert [post.published_at for post in view.posts] == sorted(
        (post.published_at for post in view.posts), reverse=True
    )


def test_a_series_counts_scheduled_parts_and_tells_when_the_next_one_comes():
    part1 = make_post("part-1", NOW - timedelta(days=14), series="Listening")
    part2 = make_post("part-2", NOW - timedelta(days=7), series="Listening")
    part3 = make_post("part-3", NOW + timedelta(days=7), series="Listening")
    draft = make_post("part-4", NOW + timedelta(days=14), series="Listening", draft=True)
    series = build_index([part1, part2, part3, draft], []).public_view(NOW).series["listening"]
    assert [p.slug for p in series.parts] == ["part-1", "part-2"]
    assert series.total_parts == 3 and series.part_number(part2) == 2
    assert series.next_part_at == part3.published_at


def test_related_posts_share_the_most_tags():
    main = make_post("main", NOW - timedelta(days=1), tags=("a", "b"))
    both = make_post("both", NOW - timedelta(days=9), tags=("a", "b"))
    one_new = make_post("one-new", NOW - timedelta(days=2), tags=("a",))
    one_old = make_post("one-old", NOW - timedelta(days=5), tags=("b",))
    none = make_post("none", NOW - timedelta(days=3), tags=("c",))
    future = make_post("future", NOW + timedelta(days=3), tags=("a", "b"))
    view = build_index([main, both, one_new, one_old, none, future], []).public_view(NOW)
    assert [p.slug for p in view.related(main)] == ["both", "one-new", "one-old"]


def test_pages_of_ten_and_nothing_past_the_last():
    view = build_index(
        [make_post(f"p{n}", NOW - timedelta(days=n)) for n in range(23)], []
    ).public_view(NOW)
    assert view.page_count() == 3 and len(view.page(1)) == 10 and len(view.page(3)) == 3
    assert view.page(4) is None and view.page(0) is None
    assert build_index([], []).public_view(NOW).page(1) == ()


def test_duplicate_slugs_are_both_left_out_and_reported():
    first = make_post("same", NOW - timedelta(days=1))
    second = parse_post(
        file_name="other.md",
        text="---\ntitle: X\ndate: 2026-01-01\nslug: same\n---\nx",
        time_zone=CHICAGO,
        words_per_minute=200,
    )
    index = build_index([first, second], [ContentProblem("broken.md", "title is missing", 2)])
    assert index.posts == ()
    assert [str(problem) for problem in index.problems] == [
        "broken.md:2: title is missing",
        "other.md: slug 'same' is used by more than one post (other.md, same.md)",
        "same.md: slug 'same' is used by more than one post (other.md, same.md)",
    ]


def test_search_ranks_title_matches_first_and_highlights_words():
    posts = [
        make_post(
            "body-only",
            NOW - timedelta(days=1),
            body="Once we began listening, everything changed.",
        ),
        make_post(
            "in-title", NOW - timedelta(days=5), title="Listening rounds", body="Walk the floor."
        ),
        make_post("unrelated", NOW - timedelta(days=2), body="Budgets and rotas."),
        make_post("hidden", NOW + timedelta(days=2), title="Listening in the future"),
    ]
    result = build_index(posts, []).public_view(NOW).search("listen")
    assert [hit.post.slug for hit in result.hits] == ["in-title", "body-only"]
    assert result.hits[0].title_html == "<mark>Listening</mark> rounds"
    assert "<mark>listening</mark>" in result.hits[1].excerpt_html


def test_search_needs_all_words_to_rank_highest_and_escapes_what_it_shows():
    posts = [
        make_post("both", NOW - timedelta(days=3), body="Shared decisions need trust."),
        make_post("one", NOW - timedelta(days=1), body="Trust trust trust <b>bold</b>."),
    ]
    result = build_index(posts, []).public_view(NOW).search("trust decisions")
    assert [hit.post.slug for hit in result.hits] == ["both", "one"]
    assert "<b>" not in result.hits[1].excerpt_html


def test_empty_or_absurd_queries_get_a_friendly_reason():
    assert query_terms("")[1].startswith("Type a word")
    assert query_terms("x" * 500)[1].startswith("That search is longer")
    assert query_terms("!!! ??? ***")[1].startswith("Try searching for words")
    assert query_terms("Décision making")[0] == ("decision", "making")


def test_the_library_rereads_only_changed_files_and_only_after_the_interval(tmp_path):
    ticks = [0.0]
    library = PostLibrary(
        tmp_path,
        time_zone=CHICAGO,
        words_per_minute=200,
        check_interval=3,
        monotonic=lambda: ticks[0],
    )
    (tmp_path / "first.md").write_text("---\ntitle: First\ndate: 2026-01-01\n---\nHello.\n")
    first_index = library.index()
    assert [post.slug for post in first_index.posts] == ["first"]

    (tmp_path / "second.md").write_text("---\ntitle: Second\ndate: 2026-01-02\n---\nHello.\n")
    (tmp_path / "broken.md").write_text("---\ndate: 2026-01-03\n---\nNo title.\n")
    ticks[0] = 2.9
    assert library.index() is first_index  # not checked again yet
    ticks[0] = 3.0
    second_index = library.index()
    assert [post.slug for post in second_index.posts] == ["second", "first"]
    assert [str(problem) for problem in second_index.problems] == ["broken.md: title is missing"]
    assert second_index.get_any("first") is first_index.get_any(
        "first"
    )  # unchanged file: not parsed again

    ticks[0] = 10.0
    assert library.index() is second_index  # nothing changed: same index
