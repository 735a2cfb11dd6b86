"""Atom feeds of a site, of a thread, and of the replies to a reader's comments.

Every feed is read by feedparser, the feed parser most Python feed readers use: its bozo
bit is set for a document that is not well-formed XML, uses an undeclared namespace, or
that it cannot parse as a feed, and `version` says which format it recognised. The
fields are then checked as a feed reader would show them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import feedparser
import httpx

from talkback.sites.sites import set_site_option
from tests.api.conftest import ARTICLE, ORIGIN, SITE, Api

FEEDS = f"/api/v1/{SITE}/feeds"


def parse(response: httpx.Response) -> Any:
    """The feed as a feed reader reads it; fails unless it is valid, well-formed Atom 1.0."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml"
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


async def thread_feed(api: Api, uri: str = ARTICLE) -> Any:
    return parse(await api.client.get(f"{FEEDS}/thread.atom", params={"uri": uri}))


async def site_feed(api: Api) -> Any:
    return parse(await api.client.get(f"{FEEDS}/comments.atom"))


def contents(feed: Any) -> list[str]:
    return [entry.content[0].value for entry in feed.entries]


async def test_a_thread_feed_lists_its_comments_newest_first_with_what_readers_need(
    api: Api,
) -> None:
    first = await api.posted("The **first** word", author_name="Ada", title="River barrier")
    reply = await api.posted(
        "A reply", author_name="Bo", website="https://bo.example/", parent_id=first["comment"]["id"]
    )
    feed = await thread_feed(api)

    assert feed.feed.title == "Comments on River barrier"
    assert feed.feed.id.startswith("tag:")
    self_link = next(link for link in feed.feed.links if link.rel == "self")
    assert urlsplit(self_link.href).path == f"{FEEDS}/thread.atom"
    assert feed.feed.link == ORIGIN + ARTICLE
    assert contents(feed) == [reply["comment"]["html"], first["comment"]["html"]]
    newest = feed.entries[0]
    assert newest.author == "Bo"
    assert newest.author_detail.href == "https://bo.example/"
    assert newest.link == f"{ORIGIN}{ARTICLE}#comment-{reply['comment']['id']}"
    assert newest.title == "Bo on River barrier"
    assert newest.published == reply["comment"]["created_at"]
    assert len({entry.id for entry in feed.entries}) == 2
    assert "<strong>first</strong>" in feed.entries[1].content[0].value
    assert feed.entries[1].content[0].type == "text/html"


async def test_a_german_sites_feeds_speak_german(api: Api) -> None:
    await set_site_option(api.context.database, SITE, "locale", "de_DE")
    api.context.sites.forget(SITE)
    await api.posted("Ohne Namen", title="Flussdeich")
    thread, site = await thread_feed(api), await site_feed(api)
    assert thread.feed.title == "Kommentare zu Flussdeich"
    assert site.feed.title == "Kommentare auf The Example News"
    assert thread.feed.language == site.feed.language == "de"
    assert [entry.title for entry in thread.entries] == ["Anonym zu Flussdeich"]
    assert thread.entries[0].author == "Anonym"


async def test_a_thread_without_comments_has_an_empty_valid_feed(api: Api) -> None:
    feed = await thread_feed(api, "/not-yet-discussed")
    assert feed.entries == []
    assert feed.feed.title == "Comments on /not-yet-discussed"


async def test_held_and_deleted_comments_stay_out_of_every_feed(api: Api) -> None:
    kept = await api.posted("Kept")
    gone = await api.posted("Deleted by its author")
    deleted = await api.client.delete(
        f"/api/v1/{SITE}/comments/{gone['comment']['id']}",
        headers={"X-Edit-Token": gone["edit_token"]},
    )
    assert deleted.status_code == 204
    await set_site_option(api.context.database, SITE, "moderation_mode", "pre")
    api.context.sites.forget(SITE)
    held = await api.post("Waiting for a moderator")
    assert held.status_code == 202

    for feed in (await thread_feed(api), await site_feed(api)):
        assert contents(feed) == [kept["comment"]["html"]]


async def test_comment_html_arrives_sanitised_and_escaped_whatever_it_holds(api: Api) -> None:
    posted = await api.posted(
        "<script>alert(1)</script> ]]> &amp; \x01 *ok*", author_name="</name><evil/>"
    )
    response = await api.client.get(f"{FEEDS}/thread.atom", params={"uri": ARTICLE})
    assert b"<script>" not in response.content
    assert b"<evil/>" not in response.content
    feed = parse(response)
    [entry] = feed.entries
    assert entry.author == "</name><evil/>"
    assert entry.content[0].value == posted["comment"]["html"].replace("\x01", "")
    assert "<em>ok</em>" in entry.content[0].value


async def test_the_site_feed_has_the_newest_comments_of_every_thread(api: Api) -> None:
    await api.posted("On the barrier", uri="/barrier", title="Barrier")
    await api.posted("On the budget", uri="/budget", title="Budget")
    feed = await site_feed(api)
    assert feed.feed.title == "Comments on The Example News"
    assert feed.feed.link == ORIGIN
    assert [entry.title for entry in feed.entries] == [
        "Anonymous on Budget",
        "Anonymous on Barrier",
    ]
    assert feed.entries[1].link.startswith(f"{ORIGIN}/barrier#comment-")


async def test_feeds_answer_304_until_something_they_show_changes(api: Api) -> None:
    await api.posted("One")
    for path, params in (
        (f"{FEEDS}/thread.atom", {"uri": ARTICLE}),
        (f"{FEEDS}/comments.atom", {}),
    ):
        first = await api.client.get(path, params=params)
        etag = first.headers["etag"]
        assert first.headers["cache-control"].startswith("public")
        again = await api.client.get(path, params=params, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
    tags = [
        (await api.client.get(f"{FEEDS}/thread.atom", params={"uri": ARTICLE})).headers["etag"],
        (await api.client.get(f"{FEEDS}/comments.atom")).headers["etag"],
    ]

    await api.posted("Two", uri="/another-story")
    thread = await api.client.get(
        f"{FEEDS}/thread.atom", params={"uri": ARTICLE}, headers={"If-None-Match": tags[0]}
    )
    assert thread.status_code == 304, "another thread's comment leaves this feed as it was"
    site = await api.client.get(f"{FEEDS}/comments.atom", headers={"If-None-Match": tags[1]})
    assert site.status_code == 200
    assert len(parse(site).entries) == 2

    await api.posted("Three")
    thread = await api.client.get(
        f"{FEEDS}/thread.atom", params={"uri": ARTICLE}, headers={"If-None-Match": tags[0]}
    )
    assert thread.status_code == 200
    assert len(parse(thread).entries) == 2


async def reader(api: Api) -> dict[str, str]:
    return {"X-Talkback-Reader": await api.reader_token()}


async def replies_url(api: Api, headers: dict[str, str]) -> str:
    response = await api.client.get(f"{FEEDS}/replies", headers=headers)
    assert response.status_code == 200, response.text
    url: str = response.json()["url"]
    return url


async def test_a_reader_gets_the_replies_to_their_comments_at_a_private_url(api: Api) -> None:
    me, other = await reader(api), await reader(api)
    mine = await api.posted("My view", headers=me)
    theirs = await api.posted("Someone else's view", headers=other)
    answer = await api.posted("Reply to you", headers=other, parent_id=mine["comment"]["id"])
    await api.posted("My own follow-up", headers=me, parent_id=mine["comment"]["id"])
    await api.posted("Reply to them", headers=me, parent_id=theirs["comment"]["id"])
    elsewhere = await api.posted("My view elsewhere", headers=me, uri="/elsewhere")
    later = await api.posted("Reply there", parent_id=elsewhere["comment"]["id"], uri="/elsewhere")

    url = await replies_url(api, me)
    assert url == await replies_url(api, me), "the same URL every time"
    assert me["X-Talkback-Reader"] not in url, "the token that acts as the reader stays secret"
    assert url.endswith(".atom")
    response = await api.client.get(urlsplit(url).path)
    assert response.headers["cache-control"].startswith("private")
    feed = parse(response)
    assert contents(feed) == [later["comment"]["html"], answer["comment"]["html"]]
    assert feed.feed.title == "Replies to your comments on The Example News"

    again = await api.client.get(
        urlsplit(url).path, headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304


async def test_a_replies_feed_url_works_on_its_own_site_only_and_cannot_be_forged(
    api: Api,
) -> None:
    from talkback.sites.sites import create_site

    await create_site(api.context.database, "other", name="Other", origins=["*"])
    path = urlsplit(await replies_url(api, await reader(api))).path
    key = path.rsplit("/", 1)[1]
    for wrong in (
        path.replace(f"/api/v1/{SITE}/", "/api/v1/other/"),
        path.replace(key, "x" + key),
        f"{FEEDS}/replies/not-a-key.atom",
    ):
        response = await api.client.get(wrong)
        assert response.status_code == 404, wrong
        assert response.json()["error"]["code"] == "feed_not_found"


async def test_asking_for_a_replies_feed_without_a_reader_token_is_refused(api: Api) -> None:
    response = await api.client.get(f"{FEEDS}/replies")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "reader_required"


async def test_bad_feed_requests_get_the_apis_errors(api: Api) -> None:
    missing = await api.client.get(f"{FEEDS}/thread.atom")
    assert missing.status_code == 422
    bad = await api.client.get(f"{FEEDS}/thread.atom", params={"uri": "javascript:alert(1)"})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_uri"
    unknown = await api.client.get("/api/v1/no-such-site/feeds/comments.atom")
    assert unknown.status_code == 404
