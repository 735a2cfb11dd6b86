"""nginx in front (deploy/nginx/talkback.conf): TLS, the widget API through it, and the
client address and scheme Talkback believes, from nginx alone."""

from __future__ import annotations

import httpx
import pytest

from tests.deploy.cluster import (
    ORIGIN,
    SITE,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    Cluster,
    post_comment,
)

pytestmark = pytest.mark.services

ARTICLE = "/2026/12/behind-the-proxy"


async def test_the_widget_api_answers_through_nginx_over_tls(cluster: Cluster) -> None:
    async with cluster.client() as client:
        health = await client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "ok"
        assert health.headers["strict-transport-security"] == "max-age=31536000"

        loader = await client.get("/embed.js")
        assert loader.status_code == 200
        assert "javascript" in loader.headers["content-type"]

        posted = await post_comment(client, ARTICLE, "Read through nginx, posted through it.")
        page = await client.get(
            f"/api/v1/{SITE}/comments", params={"uri": ARTICLE}, headers={"Origin": ORIGIN}
        )
        assert page.status_code == 200
        assert page.headers["access-control-allow-origin"] == ORIGIN
        assert [c["id"] for c in page.json()["comments"]] == [posted["id"]]

        again = await client.get(
            f"/api/v1/{SITE}/comments", params={"uri": ARTICLE},
            headers={"If-None-Match": page.headers["etag"]},
        )  # fmt: skip
        assert again.status_code == 304


async def test_plain_http_is_sent_to_https(cluster: Cluster) -> None:
    async with httpx.AsyncClient(base_url=cluster.plain_url) as client:
        response = await client.get("/embed.js", headers={"Host": "comments.example.org"})
    assert response.status_code == 301
    assert response.headers["location"] == "https://comments.example.org/embed.js"


async def test_an_oversized_body_gets_talkbacks_json_413_not_nginxs_page(
    cluster: Cluster,
) -> None:
    async with cluster.client() as client:
        response = await client.post(
            f"/api/v1/{SITE}/comments", params={"uri": ARTICLE}, json={"text": "x" * 100_000}
        )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/json")
    assert set(response.json()["error"]) >= {"code", "message"}


async def _avatar(cluster: Cluster, text: str, *, source: str, node: bool, **headers: str) -> str:
    """Post a guest comment from the loopback address `source`, through nginx or straight
    to node A, and return its avatar seed: a keyed hash of the client address Talkback
    believed (a guest without an email is drawn from their address)."""
    base_url = cluster.node_a.url if node else None
    async with cluster.client(source=source, base_url=base_url) as client:
        response = await client.post(
            f"/api/v1/{SITE}/comments", params={"uri": "/2026/12/who-is-asking"},
            json={"text": text}, headers=headers,
        )  # fmt: skip
    assert response.status_code == 201, response.text
    avatar: str = response.json()["comment"]["author"]["avatar"]
    return avatar


async def test_the_client_address_is_the_forwarded_one_only_from_the_trusted_proxy(
    cluster: Cluster,
) -> None:
    """TALKBACK_TRUSTED_PROXIES=127.0.0.1 (nginx's address); readers come from 127.0.0.2-3."""
    reader = await _avatar(cluster, "through nginx", source="127.0.0.2", node=False)
    other = await _avatar(cluster, "another reader, directly", source="127.0.0.3", node=True)
    assert reader != other, "the avatar seed follows the address"

    # nginx passes on the address it saw, and replaces whatever the client claimed.
    spoofed = await _avatar(
        cluster, "through nginx, claiming another address", source="127.0.0.2", node=False,
        **{"X-Forwarded-For": "127.0.0.3"},
    )  # fmt: skip
    assert spoofed == reader
    # Straight to a node, the same reader is the same address: nginx forwarded the real one.
    assert await _avatar(cluster, "directly", source="127.0.0.2", node=True) == reader
    # A client that is not the proxy cannot pick its address with the header...
    claimed = await _avatar(
        cluster, "directly, claiming another address", source="127.0.0.2", node=True,
        **{"X-Forwarded-For": "127.0.0.3"},
    )  # fmt: skip
    assert claimed == reader
    # ...while the trusted proxy's header is what counts.
    from_proxy = await _avatar(
        cluster, "from the proxy's address", source="127.0.0.1", node=True,
        **{"X-Forwarded-For": "127.0.0.3"},
    )  # fmt: skip
    assert from_proxy == other


async def _session_cookie(cluster: Cluster, *, source: str, node: bool, **headers: str) -> str:
    """Sign in to the admin and return the session cookie's Set-Cookie line (Secure only
    when Talkback believes the request came over https)."""
    base_url = cluster.node_a.url if node else cluster.url
    async with cluster.client(source=source, base_url=base_url) as client:
        response = await client.post(
            "/api/v1/admin/login", json={"email": STAFF_EMAIL, "password": STAFF_PASSWORD},
            headers={"Origin": base_url, **headers},
        )  # fmt: skip
    assert response.status_code == 200, response.text
    return response.headers["set-cookie"]


async def test_the_scheme_is_the_forwarded_one_only_from_the_trusted_proxy(
    cluster: Cluster,
) -> None:
    through_nginx = await _session_cookie(cluster, source="127.0.0.2", node=False)
    assert "; secure" in through_nginx.lower()

    claimed = await _session_cookie(
        cluster, source="127.0.0.2", node=True, **{"X-Forwarded-Proto": "https"}
    )
    assert "; secure" not in claimed.lower()

    from_proxy = await _session_cookie(
        cluster, source="127.0.0.1", node=True, **{"X-Forwarded-Proto": "https"}
    )
    assert "; secure" in from_proxy.lower()
