"""A site's API answers only its own origins; readers never need credentials."""

from __future__ import annotations

from tests.api.conftest import ARTICLE, ORIGIN, SITE, Api


async def test_preflight_from_site_origin_is_allowed(api: Api) -> None:
    response = await api.client.options(
        f"/api/v1/{SITE}/comments",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-talkback-reader",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "X-Talkback-Reader" in response.headers["access-control-allow-headers"]
    assert "access-control-allow-credentials" not in response.headers


async def test_preflight_from_foreign_origin_is_refused(api: Api) -> None:
    response = await api.client.options(
        f"/api/v1/{SITE}/comments",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers


async def test_reads_from_site_origin_carry_cors_headers(api: Api) -> None:
    response = await api.client.get(
        f"/api/v1/{SITE}/comments", params={"uri": ARTICLE}, headers={"Origin": ORIGIN}
    )
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-expose-headers"] == "ETag, Retry-After"
    assert "Origin" in response.headers["vary"]


async def test_reads_from_foreign_origin_get_no_cors_headers(api: Api) -> None:
    response = await api.client.get(
        f"/api/v1/{SITE}/comments",
        params={"uri": ARTICLE},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_writes_from_foreign_origin_are_refused(api: Api) -> None:
    response = await api.post("cross-site", headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "origin_not_allowed"
    assert (await api.page())["thread"]["count"] == 0


async def test_writes_from_site_origin_succeed(api: Api) -> None:
    response = await api.post("hello", headers={"Origin": ORIGIN})
    assert response.status_code == 201
    assert response.headers["access-control-allow-origin"] == ORIGIN
