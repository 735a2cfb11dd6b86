"""/metrics through HTTP: request latencies by route template, scrape access, the outbox."""

from __future__ import annotations

import httpx

from talkback.app import create_app
from talkback.config import Settings
from tests.api.conftest import ARTICLE, SITE, Api, running_api
from tests.observability.conftest import TOKEN, Scraper, parse, value

LATENCY = "talkback_http_request_duration_seconds_count"
COMMENTS_ROUTE = "/api/v1/{site}/comments"


async def test_requests_are_counted_by_route_template_not_by_path(
    api: Api, scraper: Scraper
) -> None:
    before = await scraper.scrape()
    await api.page()
    await api.page(uri="/2026/11/another-article")
    await api.posted("A first comment")
    after = await scraper.scrape()

    def grew(method: str, status: str) -> float:
        labels = {"route": COMMENTS_ROUTE, "method": method, "status": status}
        return value(after, LATENCY, **labels) - value(before, LATENCY, **labels)

    assert grew("GET", "2xx") == 2
    assert grew("POST", "2xx") == 1
    text = await scraper.text()
    assert f"/api/v1/{SITE}/comments" not in text
    assert "another-article" not in text


async def test_paths_no_route_matches_share_one_label(api: Api, scraper: Scraper) -> None:
    before = await scraper.scrape()
    for n in range(3):
        assert (await api.client.get(f"/no/such/page-{n}")).status_code == 404
    assert (await api.client.request("BREW", "/coffee-pot")).status_code in (404, 405)
    after = await scraper.scrape()

    def grew(method: str) -> float:
        labels = {"route": "unmatched", "method": method, "status": "4xx"}
        return value(after, LATENCY, **labels) - value(before, LATENCY, **labels)

    assert grew("GET") == 3
    assert grew("other") == 1
    text = await scraper.text()
    assert "page-1" not in text
    assert "BREW" not in text


async def test_a_not_found_answer_of_a_route_keeps_its_template(api: Api, scraper: Scraper) -> None:
    before = await scraper.scrape()
    response = await api.client.get("/api/v1/no-such-site/comments", params={"uri": ARTICLE})
    assert response.status_code == 404
    after = await scraper.scrape()
    labels = {"route": COMMENTS_ROUTE, "method": "GET", "status": "4xx"}
    assert value(after, LATENCY, **labels) - value(before, LATENCY, **labels) == 1


async def test_every_metric_is_described_in_a_scrape(scraper: Scraper) -> None:
    text = await scraper.text()
    for name in (
        "talkback_http_request_duration_seconds",
        "talkback_writer_group_size",
        "talkback_writer_queue_depth",
        "talkback_classifier_batch_size",
        "talkback_classifier_batch_duration_seconds",
        "talkback_sse_connections",
        "talkback_page_cache_lookups_total",
        "talkback_outbox_messages",
    ):
        assert f"# HELP {name} " in text, name


async def test_a_scraper_asking_for_openmetrics_gets_it(api: Api) -> None:
    response = await api.client.get(
        "/metrics",
        headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/openmetrics-text"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")


async def test_a_scrape_without_the_token_is_refused_in_the_error_shape(api: Api) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        response = await api.client.get("/metrics", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "metrics_token_required"


async def test_without_a_token_only_loopback_clients_may_scrape(sqlite_url: str) -> None:
    async with running_api(sqlite_url) as remote:
        response = await remote.client.get("/metrics")
        assert response.status_code == 403
        error = response.json()["error"]
        assert error["code"] == "metrics_loopback_only"
        assert "TALKBACK_METRICS_TOKEN" in error["message"]
    app = create_app(Settings(database_url=sqlite_url, secret_key="test-secret-key"))
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://talkback.test") as local,
    ):
        series = await Scraper(local, token=None).scrape()
    assert value(series, "talkback_outbox_messages", status="pending") == 0


async def test_the_outbox_backlog_is_counted_by_status(database_url: str) -> None:
    """A confirmation mail waits in the outbox while no worker runs."""
    async with running_api(
        database_url,
        rate_limits="off",
        metrics_token=TOKEN,
        smtp_url="smtp://127.0.0.1:1",
        outbox_worker="off",
    ) as api:
        scraper = Scraper(api.client)
        assert value(await scraper.scrape(), "talkback_outbox_messages", status="pending") == 0
        for n in range(2):
            response = await api.client.post(
                f"/api/v1/{SITE}/subscriptions",
                params={"uri": ARTICLE},
                json={"email": f"reader{n}@example.org", "kind": "thread"},
            )
            assert response.status_code == 202, response.text
        series = await scraper.scrape()
    assert value(series, "talkback_outbox_messages", status="pending") == 2
    assert value(series, "talkback_outbox_messages", status="failed") == 0


def test_parse_reads_labels_and_values() -> None:
    series = parse('talkback_x_total{result="hit"} 3.0\n')
    assert value(series, "talkback_x_total", result="hit") == 3
    assert value(series, "talkback_x_total", result="miss") == 0


async def test_a_page_read_twice_is_a_miss_then_a_hit(api: Api, scraper: Scraper) -> None:
    await api.posted("Something to show on the page")
    before = await scraper.scrape()
    await api.page()
    await api.page()
    after = await scraper.scrape()
    lookups = "talkback_page_cache_lookups_total"
    for result in ("miss", "hit"):
        grew = value(after, lookups, result=result) - value(before, lookups, result=result)
        assert grew == 1, result


async def test_a_post_is_scored_and_written_in_counted_groups(api: Api, scraper: Scraper) -> None:
    before = await scraper.scrape()
    await api.posted("The ferry timetable changes next week, for what it is worth.")
    after = await scraper.scrape()

    def grew(name: str) -> float:
        return value(after, name) - value(before, name)

    assert grew("talkback_classifier_batch_size_count") >= 1
    assert grew("talkback_classifier_batch_size_sum") >= 1
    if api.context.database.dialect == "sqlite":  # PostgreSQL has no group-commit writer
        assert grew("talkback_writer_group_size_count") >= 1
        assert grew("talkback_writer_group_size_sum") >= 1


async def test_reads_answered_from_memory_keep_their_route_template(
    api: Api, scraper: Scraper
) -> None:
    """Cached pages and counts are answered before FastAPI routes the request."""
    before = await scraper.scrape()
    for _ in range(3):
        await api.page()
        response = await api.client.get(f"/api/v1/{SITE}/counts", params={"uri": ARTICLE})
        assert response.status_code == 200
    after = await scraper.scrape()
    for route in (COMMENTS_ROUTE, "/api/v1/{site}/counts"):
        labels = {"route": route, "method": "GET", "status": "2xx"}
        assert value(after, LATENCY, **labels) - value(before, LATENCY, **labels) == 3, route
