"""Posting and reading threads through the HTTP API."""

from __future__ import annotations

import pytest

from tests.api.conftest import ARTICLE, SITE, Api


async def test_first_comment_creates_the_thread_with_its_title(api: Api) -> None:
    response = await api.post("Hello **world**", title="Flood barrier delayed", author_name="Ana")
    assert response.status_code == 201
    body = response.json()
    assert body["comment"]["html"] == "<p>Hello <strong>world</strong></p>"
    assert body["comment"]["author"]["name"] == "Ana"
    assert body["comment"]["status"] == "approved"
    assert body["edit_token"]
    page = await api.page()
    assert page["thread"] == {
        "uri": ARTICLE, "title": "Flood barrier delayed", "count": 1,
        "closed": False, "close_message": None,
    }  # fmt: skip
    assert [c["id"] for c in page["comments"]] == [body["comment"]["id"]]


async def test_guest_without_name_is_anonymous(api: Api) -> None:
    comment = (await api.posted("No name given"))["comment"]
    assert comment["author"]["name"] is None


async def test_spellings_of_one_address_share_a_thread(api: Api) -> None:
    await api.posted(uri="https://news.example/2026/11/river-barrier/?utm_source=x#comments")
    await api.posted(uri="/2026/11/river-barrier")
    assert (await api.page(ARTICLE))["thread"]["count"] == 2


async def test_unknown_thread_reads_as_empty(api: Api) -> None:
    page = await api.page("/nothing-here")
    assert page == {
        "thread": {
            "uri": "/nothing-here",
            "title": None,
            "count": 0,
            "closed": False,
            "close_message": None,
        },
        "comments": [],
        "next_cursor": None,
    }


async def test_replies_nest_under_their_parents_oldest_first(api: Api) -> None:
    root = (await api.posted("root"))["comment"]
    first = (await api.posted("first reply", parent_id=root["id"]))["comment"]
    second = (await api.posted("second reply", parent_id=root["id"]))["comment"]
    nested = (await api.posted("reply to first", parent_id=first["id"]))["comment"]
    page = await api.page()
    [tree] = page["comments"]
    assert tree["reply_count"] == 2
    assert [r["id"] for r in tree["replies"]] == [first["id"], second["id"]]
    assert [r["id"] for r in tree["replies"][0]["replies"]] == [nested["id"]]
    assert page["thread"]["count"] == 4


async def test_reply_to_a_comment_of_another_thread_is_refused(api: Api) -> None:
    other = (await api.posted("elsewhere", uri="/other-article"))["comment"]
    response = await api.post("misplaced", parent_id=other["id"])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_parent"


async def test_reply_to_a_missing_comment_is_refused(api: Api) -> None:
    response = await api.post("to nobody", parent_id=999_999)
    assert response.status_code == 422


async def test_comment_html_is_sanitised_markdown(api: Api) -> None:
    text = (
        "<script>alert(1)</script>\n\n> quoted\n\n- one\n- two\n\n`code` *em* "
        "[x](javascript:alert(1)) https://example.org"
    )
    html = (await api.posted(text))["comment"]["html"]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<blockquote>" in html
    assert "<ul>" in html
    assert "<code>code</code>" in html
    assert 'href="javascript' not in html
    assert '<a href="https://example.org" rel="nofollow ugc noopener">' in html


async def test_site_in_premoderation_holds_comments(api: Api) -> None:
    from talkback.sites.sites import set_site_option

    await set_site_option(api.context.database, SITE, "moderation_mode", "pre")
    api.context.sites.forget(SITE)
    response = await api.post("Wait for me")
    assert response.status_code == 202
    assert response.json()["comment"]["status"] == "pending"
    assert (await api.page())["comments"] == []
    assert (await api.page())["thread"]["count"] == 0


async def test_counts_for_many_pages_at_once(api: Api) -> None:
    await api.posted(uri="/a")
    await api.posted(uri="/a")
    await api.posted(uri="/b/")
    response = await api.client.get(
        f"/api/v1/{SITE}/counts", params=[("uri", "/a"), ("uri", "/b"), ("uri", "/c")]
    )
    assert response.status_code == 200
    assert response.json() == {"counts": {"/a": 2, "/b": 1, "/c": 0}}


async def test_unchanged_page_answers_304_and_changes_etag_on_new_comment(api: Api) -> None:
    await api.posted("one")
    url = f"/api/v1/{SITE}/comments"
    first = await api.client.get(url, params={"uri": ARTICLE})
    etag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = await api.client.get(url, params={"uri": ARTICLE}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    await api.posted("two")
    changed = await api.client.get(url, params={"uri": ARTICLE}, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.json()["thread"]["count"] == 2


async def test_thread_page_is_the_same_for_every_reader(api: Api) -> None:
    await api.posted("one")
    token = await api.reader_token()
    url = f"/api/v1/{SITE}/comments"
    anonymous = await api.client.get(url, params={"uri": ARTICLE})
    reader = await api.client.get(
        url, params={"uri": ARTICLE}, headers={"X-Talkback-Reader": token}
    )
    assert anonymous.content == reader.content
    assert anonymous.headers["etag"] == reader.headers["etag"]


async def test_if_none_match_lists_weak_tags_and_star(api: Api) -> None:
    await api.posted("one")
    url = f"/api/v1/{SITE}/comments"
    etag = (await api.client.get(url, params={"uri": ARTICLE})).headers["etag"]
    for header in (f'"other", W/{etag}', "*", f"{etag}"):
        response = await api.client.get(
            url, params={"uri": ARTICLE}, headers={"If-None-Match": header}
        )
        assert response.status_code == 304, header
        assert response.content == b""
    other = await api.client.get(url, params={"uri": ARTICLE}, headers={"If-None-Match": '"x"'})
    assert other.status_code == 200


async def test_a_change_from_another_process_shows_once_the_state_is_too_old(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from talkback.comments import thread_states

    await api.posted("seen by this node")
    assert (await api.page())["thread"]["count"] == 1
    await _post_from_another_process(api)
    monkeypatch.setattr(thread_states, "FRESH_SECONDS", -1.0)
    monkeypatch.setattr(thread_states, "STALE_SECONDS", -1.0)
    assert (await api.page())["thread"]["count"] == 2


async def test_an_expired_state_is_looked_up_again_behind_the_reads(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past FRESH_SECONDS the page still answers from memory while one lookup runs; once
    it is back, the change another process made shows."""
    import asyncio

    from talkback.comments import thread_states

    await api.posted("seen by this node")
    assert (await api.page())["thread"]["count"] == 1
    await _post_from_another_process(api)
    monkeypatch.setattr(thread_states, "FRESH_SECONDS", -1.0)
    counts = [(await api.page())["thread"]["count"]]
    for _ in range(100):  # bounded: the lookup is one indexed read
        await asyncio.sleep(0.01)
        counts.append((await api.page())["thread"]["count"])
        if counts[-1] == 2:
            break
    assert counts[0] == 1
    assert counts[-1] == 2


async def test_a_page_is_tagged_with_the_version_it_shows(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page built while this node still trusts an older version of the thread (a change
    made elsewhere, not announced here yet) shows what the database holds, so it must
    carry that state's ETag, not the older one: the same tag it gets once the state is
    looked up afresh."""
    from talkback.comments import thread_states

    await api.posted("seen by this node")
    url = f"/api/v1/{SITE}/comments"
    assert (await api.page())["thread"]["count"] == 1  # the node now trusts version 1
    await _post_from_another_process(api)
    built = await api.client.get(url, params={"uri": ARTICLE, "limit": 7})  # not cached yet
    assert built.json()["thread"]["count"] == len(built.json()["comments"]) == 2
    monkeypatch.setattr(thread_states, "FRESH_SECONDS", -1.0)
    rebuilt = await api.client.get(url, params={"uri": ARTICLE, "limit": 7})
    assert (rebuilt.headers["etag"], rebuilt.content) == (built.headers["etag"], built.content)


async def _post_from_another_process(api: Api) -> None:
    """A comment written as another process would (its own context, no broker shared with
    this node), so this node hears nothing of it."""
    from talkback.comments.posting import CommentDraft, post_comment
    from talkback.context import Context
    from talkback.readers.tokens import Reader

    other = Context.from_settings(api.context.settings)
    try:
        site = await other.sites.get(SITE)
        await post_comment(other, site, ARTICLE, CommentDraft("from elsewhere"), Reader("ip"))
    finally:
        await other.close()
