"""`thread.html`: a thread's first page as server-rendered HTML, for readers without
JavaScript and for crawlers, and the demo article that carries it in its own HTML."""

from __future__ import annotations

from typing import Any

from lxml import html as lxml_html

from talkback.moderation.editorial import feature_comment, pin_comment, set_thread_closing
from talkback.sites.sites import set_site_option
from talkback.staff.accounts import create_staff
from tests.api import test_demo
from tests.api.conftest import ARTICLE, SITE, Api
from tests.api.test_demo import Demo

FRAGMENT = f"/api/v1/{SITE}/thread.html"
empty_demo = test_demo.empty_demo  # the demo's fixtures, for the demo article's tests here
seeded = test_demo.seeded


async def fragment(api: Api, uri: str = ARTICLE, **headers: str) -> Any:
    response = await api.client.get(FRAGMENT, params={"uri": uri}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return lxml_html.fragment_fromstring(response.text)


def bodies(section: Any) -> list[str]:
    return [" ".join(body.text_content().split()) for body in section.cssselect(".talkback-body")]


async def test_the_fragment_is_the_first_page_newest_first_with_replies_nested(api: Api) -> None:
    first = await api.posted("Oldest *point*", author_name="Ada")
    await api.posted("Newest point", author_name="Bo", website="https://bo.example/")
    reply = await api.posted("A reply", author_name="Cy", parent_id=first["comment"]["id"])
    section = await fragment(api)

    assert section.tag == "section"
    assert section.get("data-talkback-fragment") is not None
    assert section.cssselect("h2")[0].text_content() == "3 Comments"
    assert bodies(section) == ["Newest point", "Oldest point", "A reply"]
    [nested] = section.cssselect(".talkback-replies > li")
    assert nested.get("id") == f"comment-{reply['comment']['id']}"
    assert "<em>point</em>" in lxml_html.tostring(section, encoding="unicode")
    names = [name.text_content() for name in section.cssselect("[itemprop=name]")]
    assert names == ["Bo", "Ada", "Cy"]
    [link] = section.cssselect('a[itemprop="url"]')
    assert link.get("href") == "https://bo.example/"
    assert link.get("rel") == "nofollow ugc noopener"
    [feed] = section.cssselect('a[rel="alternate"]')
    assert feed.get("type") == "application/atom+xml"
    assert feed.get("href").endswith(
        f"/api/v1/{SITE}/feeds/thread.atom?uri=%2F2026%2F11%2Friver-barrier"
    )


async def test_what_readers_wrote_is_escaped_and_only_published_comments_show(api: Api) -> None:
    await api.posted("<script>alert(1)</script> shown", author_name="<b>Mallory</b>")
    await set_site_option(api.context.database, SITE, "moderation_mode", "pre")
    api.context.sites.forget(SITE)
    assert (await api.post("Held for a moderator")).status_code == 202

    response = await api.client.get(FRAGMENT, params={"uri": ARTICLE})
    assert "<script>" not in response.text
    assert "<b>Mallory</b>" not in response.text
    section = lxml_html.fragment_fromstring(response.text)
    assert bodies(section) == ["<script>alert(1)</script> shown"]
    assert section.cssselect("[itemprop=name]")[0].text_content() == "<b>Mallory</b>"


async def test_an_unchanged_fragment_answers_304_and_a_new_comment_changes_it(api: Api) -> None:
    await api.posted("One")
    first = await api.client.get(FRAGMENT, params={"uri": ARTICLE})
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public")
    again = await api.client.get(FRAGMENT, params={"uri": ARTICLE}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    page = await api.client.get(f"/api/v1/{SITE}/comments", params={"uri": ARTICLE})
    assert page.headers["etag"] != etag, "the fragment is not the JSON page's bytes"

    await api.posted("Two")
    changed = await api.client.get(
        FRAGMENT, params={"uri": ARTICLE}, headers={"If-None-Match": etag}
    )
    assert changed.status_code == 200
    assert bodies(lxml_html.fragment_fromstring(changed.text)) == ["Two", "One"]


async def test_a_long_thread_shows_its_first_page_and_says_there_is_more(api: Api) -> None:
    for n in range(21):
        await api.posted(f"Comment {n}")
    section = await fragment(api)
    assert len(section.cssselect(".talkback-comments > li")) == 20
    assert section.cssselect("h2")[0].text_content() == "21 Comments"
    assert section.cssselect(".talkback-more")


async def test_the_fragment_speaks_the_sites_language(api: Api) -> None:
    await set_site_option(api.context.database, SITE, "locale", "de_DE")
    api.context.sites.forget(SITE)
    await api.posted("Erster")
    section = await fragment(api)
    assert section.cssselect("h2")[0].text_content() == "1 Kommentar"
    assert section.cssselect("[itemprop=name]")[0].text_content() == "Anonym"


async def test_an_empty_thread_is_a_heading_and_a_feed_link(api: Api) -> None:
    section = await fragment(api, "/nothing-yet")
    assert section.cssselect("h2")[0].text_content() == "0 Comments"
    assert section.cssselect(".talkback-comments > li") == []


async def test_bad_fragment_requests_get_the_apis_errors(api: Api) -> None:
    missing = await api.client.get(FRAGMENT)
    assert missing.status_code == 422
    bad = await api.client.get(FRAGMENT, params={"uri": "ftp://x/y"})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_uri"
    unknown = await api.client.get("/api/v1/nowhere/thread.html", params={"uri": ARTICLE})
    assert unknown.status_code == 404


async def test_the_demo_articles_plain_html_carries_its_threads_first_page(seeded: Demo) -> None:
    page = await seeded.article()
    document = lxml_html.document_fromstring(page)
    [container] = document.cssselect("#talkback")
    [section] = container.cssselect("[data-talkback-fragment]")
    thread = await seeded.thread()
    assert len(section.cssselect(".talkback-comments > li")) == len(thread["comments"])
    assert "Priya Raman" in section.text_content()
    feeds = document.cssselect('head link[rel="alternate"][type="application/atom+xml"]')
    assert [link.get("href") for link in feeds] == [
        "/api/v1/demo/feeds/thread.atom?uri=%2F",
        "/api/v1/demo/feeds/comments.atom",
    ]
    for link in feeds:
        assert (await seeded.client.get(str(link.get("href")))).status_code == 200


async def test_the_demo_lists_more_stories_with_counts_and_each_has_a_page(seeded: Demo) -> None:
    document = lxml_html.document_fromstring(await seeded.article())
    counted = document.cssselect(".more-stories a[data-talkback-count]")
    assert len(counted) == 3
    assert document.cssselect('script[src="/count.js"][data-site="demo"]')
    paths = [str(link.get("href")).split("#")[0] for link in counted]
    counts = await seeded.client.get(
        "/api/v1/demo/counts", params=[("uri", path) for path in paths]
    )
    assert list(counts.json()["counts"].values()) == [3, 1, 0]
    story = await seeded.client.get(paths[0])
    assert story.status_code == 200
    story_page = lxml_html.document_fromstring(story.text)
    assert len(story_page.cssselect("#talkback .talkback-comments > li")) == 3
    assert (await seeded.client.get("/2026/11/no-such-story")).status_code == 404


async def test_pins_features_and_a_closed_thread_show_as_the_widget_shows_them(api: Api) -> None:
    desk = await create_staff(
        api.context.database, "desk@news.example", "a long password!", "moderator"
    )
    site = await api.context.sites.get(SITE)
    older = await api.posted("Pinned though older")
    await api.posted("Newer, plain")
    await pin_comment(api.context, site, older["comment"]["id"], desk)
    await feature_comment(api.context, site, older["comment"]["id"], desk)
    await set_thread_closing(
        api.context, site, ARTICLE, desk, override="closed", message="Closed for the night."
    )
    section = await fragment(api)
    assert bodies(section) == ["Pinned though older", "Newer, plain"]
    first = section.cssselect(".talkback-comments > li")[0]
    assert first.cssselect(".talkback-pinned")[0].text_content() == "Pinned"
    assert first.cssselect(".talkback-featured")[0].text_content() == "Featured"
    assert section.cssselect(".talkback-closed")[0].text_content() == "Closed for the night."
