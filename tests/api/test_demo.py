"""The `talkback demo` article page and its seeded thread, inline feedback included, through
HTTP."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from lxml import html as lxml_html
from starlette.staticfiles import StaticFiles

from talkback import clock
from talkback.app import create_app
from talkback.config import Settings
from talkback.context import Context
from talkback.demo import page as demo
from talkback.demo.article import ARTICLE
from talkback.demo.content import (
    DEMO_SITE,
    DEMO_URI,
    SAMPLE_COMMENTS,
    demo_origins,
    prepare_demo,
)
from talkback.sites.sites import create_site, load_site
from talkback.store.migrate import migrate
from tests.api.conftest import reset

DEMO_ORIGIN = "http://127.0.0.1:8000"
MAX_SVG_BYTES = 15 * 1024
EMBED = '<script src="/embed.js" data-site="demo" async></script>'
CONTAINER = '<div id="talkback"><section class="talkback-thread" data-talkback-fragment'
"""The comments container holds the thread's first page as HTML (thread.html) until the
widget replaces it."""


@dataclass
class Demo:
    client: httpx.AsyncClient
    context: Context

    async def article(self) -> str:
        response = await self.client.get("/")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/html")
        return response.text

    async def thread(self, **params: Any) -> dict[str, Any]:
        response = await self.client.get(
            f"/api/v1/{DEMO_SITE}/comments", params={"uri": DEMO_URI, **params}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def with_demo_routes(app: FastAPI) -> FastAPI:
    """Add the article page and static files unless the app already serves them."""
    paths = {getattr(route, "path", None) for route in app.routes}
    if "/" not in paths:
        app.include_router(demo.router)
    if "/static" not in paths:
        app.mount("/static", StaticFiles(packages=[("talkback", "static")]), name="static")
    return app


@pytest.fixture
async def empty_demo(database_url: str) -> AsyncIterator[Demo]:
    """The demo routes over a migrated database that holds no demo site yet."""
    settings = Settings(database_url=database_url, secret_key="test-secret-key")
    app = with_demo_routes(create_app(settings))
    context: Context = app.state.context
    await migrate(context.database)
    await reset(context)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4321))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client,
    ):
        yield Demo(client, context)


@pytest.fixture
async def seeded(empty_demo: Demo) -> Demo:
    await prepare_demo(empty_demo.context, [DEMO_ORIGIN])
    return empty_demo


def flatten(comments: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for comment in comments:
        yield comment
        yield from flatten(comment["replies"])


def depth_of(comment: dict[str, Any]) -> int:
    return 1 + max((depth_of(reply) for reply in comment["replies"]), default=0)


def marked_article(page: str) -> lxml_html.HtmlElement:
    [article] = lxml_html.document_fromstring(page).xpath("//*[@data-talkback-article]")
    assert isinstance(article, lxml_html.HtmlElement)
    return article


def text_of_marked_article(page: str) -> str:
    """The article text the widget reads (the brief's rule), from the page as served: the
    container's text with what a reader does not read as the article taken out."""
    article = marked_article(page)
    skipped = "|".join((
        ".//script", ".//style", ".//noscript", ".//template", ".//textarea", ".//*[@hidden]",
        ".//*[@id='talkback']", ".//*[@data-talkback]", ".//*[@data-talkback-campaign]",
        ".//*[@data-talkback-ui]",
    ))  # fmt: skip
    for element in article.xpath(skipped):
        element.drop_tree()  # its tail, the text after it, stays
    return str(article.text_content())


def utf16_slice(text: str, start: int, end: int) -> str:
    """`text.slice(start, end)` as JavaScript reads it."""
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


async def test_article_page_shows_the_story_and_the_map(seeded: Demo) -> None:
    page = await seeded.article()
    assert f"<h1>{ARTICLE.headline}</h1>" in page
    assert "The Wendmouth Courier" in page
    assert ARTICLE.byline in page
    assert "Click to see the full-size map" in page
    assert 'href="/static/wend-map-full.svg"' in page
    assert 'src="/static/wend-map.svg"' in page
    assert "<figcaption>" in page
    assert "https://" not in page.split("<body>")[0], "the page head loads nothing external"


async def test_article_page_embeds_the_comments_as_a_publisher_would(seeded: Demo) -> None:
    page = await seeded.article()
    assert CONTAINER in page
    assert EMBED in page
    assert page.count("<script") == 2, "the widget, and count.js for the other stories"
    assert "Would love your thoughts" not in page, "the widget draws the form, not the page"


async def test_seeded_thread_shows_off_nesting_and_markdown(seeded: Demo) -> None:
    thread = await seeded.thread(limit=50)
    everyone = list(flatten(thread["comments"]))
    bodies = "".join(comment["html"] for comment in everyone)
    assert "<blockquote>" in bodies
    assert "<em>another</em>" in bodies
    assert "<li>deeper piles change the cost <em>and</em> the programme;</li>" in bodies
    assert 'href="https://example.org/wendmouth/council/agenda-item-7"' in bodies
    assert max(depth_of(c) for c in thread["comments"]) >= 4
    names = {comment["author"]["name"] for comment in everyone}
    assert {"R&J Boatyard", "Tom O'Driscoll"} <= names
    assert "Anything &lt;5.8 m is routine" in bodies


async def test_maps_are_served_as_svg(seeded: Demo) -> None:
    for name in ("wend-map.svg", "wend-map-full.svg"):
        response = await seeded.client.get(f"/static/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert len(response.content) < MAX_SVG_BYTES
        assert ET.fromstring(response.content).tag == "{http://www.w3.org/2000/svg}svg"


async def test_seeded_thread_is_threaded_and_sorts_differently_by_votes(seeded: Demo) -> None:
    newest = await seeded.thread(sort="newest", limit=50)
    most_voted = await seeded.thread(sort="most_voted", limit=50)
    assert newest["thread"] == {
        "uri": DEMO_URI, "title": ARTICLE.headline, "count": len(SAMPLE_COMMENTS),
        "closed": False, "close_message": None,
    }  # fmt: skip
    assert 18 <= newest["thread"]["count"] <= 30
    by_newest = [c["id"] for c in newest["comments"]]
    by_votes = [c["id"] for c in most_voted["comments"]]
    assert sorted(by_newest) == sorted(by_votes)
    assert by_newest != by_votes
    scores = [c["score"] for c in most_voted["comments"]]
    assert scores == sorted(scores, reverse=True)
    everyone = list(flatten(newest["comments"]))
    assert len(everyone) == len(SAMPLE_COMMENTS)
    assert any(c["author"]["name"] is None for c in everyone)
    assert sum(c["upvotes"] + c["downvotes"] for c in everyone) > 50


async def test_seeded_comments_arrive_in_order_over_the_past_two_days(seeded: Demo) -> None:
    everyone = list(flatten((await seeded.thread(limit=50))["comments"]))
    times = [
        datetime.fromisoformat(c["created_at"]) for c in sorted(everyone, key=lambda c: c["id"])
    ]
    assert times == sorted(times)
    assert len(set(times)) == len(times)
    now = clock.now()
    assert now - timedelta(days=2, hours=1) < times[0] < now - timedelta(days=1, hours=12)
    assert times[-1] < now


async def test_preparing_again_adds_nothing(seeded: Demo) -> None:
    before = await seeded.thread(limit=50)
    await prepare_demo(seeded.context, ["https://elsewhere.example"])
    after = await seeded.thread(limit=50)
    assert after == before
    site = await load_site(seeded.context.database, DEMO_SITE)
    assert site.origins == (DEMO_ORIGIN,)


async def test_an_empty_demo_still_embeds_the_comment_section(empty_demo: Demo) -> None:
    await create_site(
        empty_demo.context.database, DEMO_SITE, name="The Wendmouth Courier", origins=[DEMO_ORIGIN]
    )
    page = await empty_demo.article()
    assert CONTAINER in page
    assert EMBED in page
    assert (await empty_demo.thread())["thread"]["count"] == 0


async def test_prepare_demo_seeds_a_site_created_beforehand(empty_demo: Demo) -> None:
    await create_site(empty_demo.context.database, DEMO_SITE, name="Renamed", origins=["*"])
    await prepare_demo(empty_demo.context, [DEMO_ORIGIN])
    page = await empty_demo.article()
    assert "Renamed" in page
    assert (await empty_demo.thread())["thread"]["count"] == len(SAMPLE_COMMENTS)


async def test_the_demo_has_a_current_campaign_with_its_sample_gifts_once(seeded: Demo) -> None:
    await prepare_demo(seeded.context, [DEMO_ORIGIN])  # a restart adds nothing

    response = await seeded.client.get(f"/api/v1/{DEMO_SITE}/campaigns/current")

    shown = response.json()
    assert (shown["currency"], shown["raised"], shown["donors"]) == ("GBP", 1112, 12)
    assert shown["formatted"]["raised"] == "£1,112"
    assert shown["formatted"]["ticks"] == ["£0", "£2,500", "£5,000"]
    assert shown["days_left"] == 30
    assert len(shown["wall"]) == 10


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", ["http://127.0.0.1:8000", "http://localhost:8000"]),
        ("localhost", ["http://localhost:8000", "http://127.0.0.1:8000"]),
        ("0.0.0.0", ["http://0.0.0.0:8000", "http://localhost:8000", "http://127.0.0.1:8000"]),
    ],
)
def test_demo_origins_list_each_origin_once(host: str, expected: list[str]) -> None:
    assert demo_origins(host, 8000) == expected


async def test_the_story_body_is_marked_for_inline_feedback_with_one_question(
    seeded: Demo,
) -> None:
    page = await seeded.article()

    article = marked_article(page)
    [question] = article.xpath(".//span[@data-talkback-question]")
    assert question.get("data-talkback-question") == ARTICLE.question.prompt
    assert question.text_content() == ARTICLE.question.passage
    text = text_of_marked_article(page)
    assert text.count(ARTICLE.question.passage) == 1
    assert all(paragraph in text for paragraph in ARTICLE.paragraphs)
    assert "Click to see the full-size map" in text  # the figure is in the body
    assert ARTICLE.headline not in text  # the headline and byline are not the story's body


async def test_seeded_inline_feedback_quotes_the_served_article_text(seeded: Demo) -> None:
    text = text_of_marked_article(await seeded.article())
    everyone = list(flatten((await seeded.thread(limit=50))["comments"]))
    feedback = [comment for comment in everyone if "anchor" in comment]

    seeded_passages = [sample.passage for sample in SAMPLE_COMMENTS if sample.passage]
    assert sorted(c["anchor"]["exact"] for c in feedback) == sorted(seeded_passages)
    assert len(feedback) >= 3
    for comment in feedback:
        anchor = comment["anchor"]
        start, end = anchor["start"], anchor["end"]
        assert utf16_slice(text, start, end) == anchor["exact"]
        assert utf16_slice(text, 0, start).endswith(anchor["prefix"])
        assert utf16_slice(text, end, len(text.encode("utf-16-le")) // 2).startswith(
            anchor["suffix"]
        )
        assert len(anchor["prefix"]) == len(anchor["suffix"]) == 32
        assert anchor["text_hash"] == hashlib.sha256(text.encode()).hexdigest()
        assert comment["parent_id"] is None


async def test_the_newsroom_question_has_feedback_and_only_it_carries_the_question(
    seeded: Demo,
) -> None:
    everyone = list(flatten((await seeded.thread(limit=50))["comments"]))

    asked = [c["anchor"] for c in everyone if "question" in c.get("anchor", {})]
    others = [c["anchor"] for c in everyone if c.get("anchor") and "question" not in c["anchor"]]
    assert len(asked) >= 2  # a passage with a count above one
    assert {a["question"] for a in asked} == {ARTICLE.question.prompt}
    assert {a["exact"] for a in asked} == {ARTICLE.question.passage}
    assert others
    assert all(a["exact"] != ARTICLE.question.passage for a in others)
    crossing = [a for a in others if "\u201c" in a["exact"]]
    assert crossing, "one passage crosses the quotation marks around a quote"


async def test_the_seeded_anchors_are_ones_the_api_itself_accepts(seeded: Demo) -> None:
    everyone = list(flatten((await seeded.thread(limit=50))["comments"]))
    anchors = {c["anchor"]["exact"]: c["anchor"] for c in everyone if "anchor" in c}

    for number, anchor in enumerate(anchors.values()):
        response = await seeded.client.post(
            f"/api/v1/{DEMO_SITE}/comments",
            params={"uri": DEMO_URI},
            json={"text": f"Seconded, for reason number {number}.", "anchor": anchor},
        )
        assert response.status_code == 201, response.text
        assert response.json()["comment"]["anchor"] == anchor


async def test_the_demo_article_shows_its_passages_where_the_served_text_has_them(
    seeded: Demo,
) -> None:
    text = text_of_marked_article(await seeded.article())

    inline = await seeded.client.get(f"/api/v1/{DEMO_SITE}/inline", params={"uri": DEMO_URI})
    located = await seeded.client.post(
        f"/api/v1/{DEMO_SITE}/inline/locate", params={"uri": DEMO_URI}, json={"text": text}
    )
    only_inline = await seeded.thread(filter="inline", limit=50)

    assert inline.status_code == 200, inline.text
    passages = inline.json()["passages"]
    counts = {p["anchor"]["exact"]: p["count"] for p in passages}
    assert counts[ARTICLE.question.passage] == 2
    assert sum(counts.values()) == sum(1 for s in SAMPLE_COMMENTS if s.passage)
    assert located.status_code == 200, located.text
    assert {p["how"] for p in located.json()["placements"]} == {"position"}
    assert located.json()["text_hash"] == passages[0]["anchor"]["text_hash"]
    assert {c["anchor"]["exact"] for c in only_inline["comments"]} == set(counts)
