"""What earns trust: the consultant and clients' words on home, About and booking; posts' covers,
bylines, share links and pictures for social networks; one subscribe prompt per page.
"""

import html as html_module
import re
import struct
from urllib.parse import parse_qs, urlsplit

import pytest
from markupsafe import escape

from tests.fakes.content import write_post


def portrait_tag(page: str) -> str:
    return re.search(r'<img class="consultant-portrait"[^>]*>', page).group(0)


@pytest.mark.parametrize(("path", "shown"), [("/", 3), ("/about/", 3), ("/book/", 2)])
def test_the_consultant_and_clients_words_are_on_home_about_and_booking(app, client, path, shown):
    site = app.extensions["consult.site"]
    page = client.get(path).get_data(as_text=True)
    tag = portrait_tag(page)
    assert f'alt="{escape(site.portrait.alt)}"' in tag
    assert 'src="/static/img/consultant-portrait.svg' in tag
    for line in site.credentials:
        assert escape(line) in page
    quotes = re.findall(r"<blockquote><p>(.*?)</p></blockquote>", page, re.S)
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page, re.S)
    expected = site.testimonials[:shown]
    assert [html_module.unescape(quote) for quote in quotes] == [item.quote for item in expected]
    assert [html_module.unescape(caption) for caption in captions] == [
        item.attribution for item in expected
    ]
    assert "Anonymous" in captions[-1] or shown < 3


def test_the_portrait_is_served(client, app):
    response = client.get(app.extensions["consult.site"].portrait.src)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<script" not in response.data


def test_the_default_social_picture_is_a_png_on_every_page(client):
    page = client.get("/about/").get_data(as_text=True)
    image = re.search(r'<meta property="og:image" content="([^"]+)">', page).group(1)
    assert image.startswith("http://consult.test/static/img/og-default.png")
    png = client.get(urlsplit(image).path).data
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1200, 630)
    assert 'property="og:image:alt"' in page


@pytest.fixture
def covered(content_dir):
    posts = content_dir / "posts"
    write_post(
        posts,
        "with-a-photo",
        "2026-11-20 09:00",
        extra="cover:\n  src: /media/hands.jpg\n  alt: Two hands resting on a table",
    )
    write_post(
        posts,
        "with-a-drawing",
        "2026-11-19 09:00",
        extra="cover:\n  src: /static/img/covers/two-chairs.svg\n  alt: Two chairs\n"
        "author: Dr. Guest Writer",
    )
    return content_dir


def test_listings_show_each_post_cover_with_its_alt_text(make_app, covered):
    reader = make_app(CONTENT_DIR=str(covered)).test_client()
    for path in ("/blog/", "/blog/tag/listening/"):
        page = reader.get(path).get_data(as_text=True)
        assert (
            '<img class="post-summary-cover" src="/media/hands.jpg" alt="Two hands resting' in page
        )
        assert re.search(
            r'class="post-summary-cover" src="/static/img/covers/two-chairs.svg[^"]*"', page
        )
        # Posts without a cover have none.
        public_one = page[page.index("/blog/public-one/") - 400 : page.index("/blog/public-one/")]
        assert "post-summary-cover" not in public_one.rsplit("<li", 1)[-1]


def test_a_post_by_the_consultant_has_her_portrait_in_the_byline(make_app, covered):
    reader = make_app(CONTENT_DIR=str(covered)).test_client()
    page = reader.get("/blog/with-a-photo/").get_data(as_text=True)
    byline = re.search(r'<p class="post-author">(.*?)</p>', page, re.S).group(1)
    assert 'class="byline-portrait"' in byline and 'alt=""' in byline and "By Ms. Irons" in byline
    guest = reader.get("/blog/with-a-drawing/").get_data(as_text=True)
    byline = re.search(r'<p class="post-author">(.*?)</p>', guest, re.S).group(1)
    assert "By Dr. Guest Writer" in byline and "<img" not in byline


def test_a_post_shares_its_photo_but_never_an_svg(make_app, covered):
    reader = make_app(CONTENT_DIR=str(covered)).test_client()
    photo = reader.get("/blog/with-a-photo/").get_data(as_text=True)
    assert '<meta property="og:image" content="http://consult.test/media/hands.jpg">' in photo
    assert photo.count('property="og:image"') == 1
    drawing = reader.get("/blog/with-a-drawing/").get_data(as_text=True)
    image = re.search(r'<meta property="og:image" content="([^"]+)">', drawing).group(1)
    assert "og-default.png" in image and drawing.count('property="og:image"') == 1


def test_share_links_are_plain_links_to_each_network_with_the_post_address(make_app, covered):
    reader = make_app(CONTENT_DIR=str(covered)).test_client()
    page = reader.get("/blog/with-a-photo/").get_data(as_text=True)
    share = re.search(r'<nav class="share" aria-label="Share this post">(.*?)</nav>', page, re.S)
    links = {
        urlsplit(html_module.unescape(href)).netloc or "mailto": html_module.unescape(href)
        for href in re.findall(r'href="([^"]+)"', share.group(1))
    }
    address = "http://consult.test/blog/with-a-photo/"
    assert set(links) == {"mailto", "www.linkedin.com", "x.com", "bsky.app"}
    assert parse_qs(urlsplit(links["www.linkedin.com"]).query)["url"] == [address]
    assert parse_qs(urlsplit(links["x.com"]).query)["url"] == [address]
    assert address in parse_qs(urlsplit(links["bsky.app"]).query)["text"][0]
    mail = parse_qs(urlsplit(links["mailto"]).query)
    assert mail["subject"] == ["With A Photo"] and address in mail["body"][0]
    # No third-party script: every script the page loads is our own.
    assert not re.search(r'<script[^>]+src="(?!/)', page)


@pytest.mark.parametrize(
    "path", ["/", "/about/", "/book/", "/blog/", "/blog/public-one/", "/blog/tag/leadership/"]
)
def test_every_page_has_at_most_one_subscribe_prompt(make_app, content_dir, path):
    reader = make_app(CONTENT_DIR=str(content_dir)).test_client()
    page = reader.get(path).get_data(as_text=True)
    prompts = page.count('action="/blog/subscribe"')
    assert prompts == 1, (path, prompts)


def test_a_portrait_on_another_host_is_allowed_by_the_content_security_policy(
    make_app, content_dir
):
    site_yaml = content_dir / "site.yaml"
    site_yaml.write_text(
        site_yaml.read_text().replace(
            "src: /static/img/consultant-portrait.svg",
            "src: https://images.example.org/people/irons.jpg",
        )
    )
    reader = make_app(CONTENT_DIR=str(content_dir)).test_client()
    response = reader.get("/about/")
    assert 'src="https://images.example.org/people/irons.jpg"' in portrait_tag(
        response.get_data(as_text=True)
    )
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["img-src"] == "'self' data: https://images.example.org"
    assert policy["script-src"] == "'self'"


def test_a_site_portrait_adds_no_other_image_source(client):
    policy = client.get("/about/").headers["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy


@pytest.mark.parametrize(
    "src",
    [
        "javascript:alert(1)",
        "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
        "//evil.example/x.png",
        "https://images.example.org/cover.jpg",
        "media/relative.jpg",
    ],
)
def test_a_cover_off_the_site_is_reported_and_the_post_served_without_it(
    make_app, content_dir, src
):
    write_post(
        content_dir / "posts",
        "odd-cover",
        "2026-11-20 09:00",
        extra=f"cover:\n  src: '{src}'\n  alt: A picture",
    )
    app = make_app(CONTENT_DIR=str(content_dir))
    reader = app.test_client()
    page = reader.get("/blog/odd-cover/").get_data(as_text=True)
    assert reader.get("/blog/odd-cover/").status_code == 200
    assert src not in page and src not in reader.get("/blog/").get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "posts/odd-cover.md:" in result.output and "must be a path on this site" in result.output
