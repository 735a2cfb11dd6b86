"""Every HTML page the server sends carries a Content-Security-Policy that allows its own
inline code only by hash, may not be framed, and says how far its referrer goes; every
answer at all carries nosniff. Checked against `talkback demo` as a process, page by page:
the demo article and a story, the test checkout, the mailbox, the subscription, reset and
admin pages, the API docs and the thread fragment."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from talkback.demo.stories import MORE_STORIES
from tests.web.demo_server import DemoServer, demo_server

INLINE = re.compile(r"<(script|style)(\s[^>]*)?>(.*?)</\1>", re.DOTALL | re.IGNORECASE)

PUBLIC_PAGES = [
    "/",
    MORE_STORIES[0].path,
    "/demo/mailbox",
    "/admin/login",
    "/admin/password-reset",
    "/docs",
    "/api/v1/demo/thread.html?uri=/",
    "/api/v1/subscriptions/manage?token=not-a-token",
    "/api/v1/subscriptions/confirm?token=not-a-token",
]
ADMIN_PAGES = ["/admin/", "/admin/demo/queue", "/admin/demo/settings"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    with demo_server(tmp_path_factory.mktemp("headers") / "data") as server:
        yield server


def directives(response: httpx.Response) -> dict[str, list[str]]:
    policy = response.headers["content-security-policy"]
    parsed = {}
    for directive in filter(None, (part.strip() for part in policy.split(";"))):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


def allowed(policy: dict[str, list[str]], kind: str) -> list[str]:
    return policy.get(f"{kind}-src", policy.get("default-src", []))


def assert_hardened_page(response: httpx.Response) -> None:
    where = response.request.url
    assert response.status_code < 500, (where, response.text)
    assert response.headers["content-type"].startswith("text/html"), where
    assert response.headers["x-content-type-options"] == "nosniff", where
    assert response.headers.get("referrer-policy") in (
        "no-referrer", "same-origin", "strict-origin-when-cross-origin",
    ), where  # fmt: skip
    policy = directives(response)
    assert policy["frame-ancestors"] == ["'none'"], where
    assert policy["base-uri"] == ["'none'"], where
    assert policy.get("object-src", policy["default-src"]) == ["'none'"], where
    scripts = allowed(policy, "script")
    assert "'unsafe-inline'" not in scripts, where
    assert "'unsafe-eval'" not in scripts, where
    assert not any("*" in source or source in ("http:", "https:") for source in scripts), where
    for kind, attributes, text in INLINE.findall(response.text):
        if re.search(r"\ssrc=", attributes):
            continue  # loaded from its URL, which the policy's sources govern
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        sources = allowed(policy, kind.lower())
        if kind.lower() == "style" and "'unsafe-inline'" in sources:
            continue  # mail HTML and subscription pages: styles only, scripts never run
        assert f"'sha256-{digest}'" in sources, f"{where}: an inline {kind} not allowed"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_sends_a_strict_policy(demo: DemoServer, path: str) -> None:
    response = httpx.get(demo.url + path, timeout=30)
    assert_hardened_page(response)


def test_the_demo_article_loads_the_widget_only_from_its_own_server(demo: DemoServer) -> None:
    response = httpx.get(demo.url + "/", timeout=30)
    assert '<script src="/embed.js"' in response.text
    policy = directives(response)
    assert allowed(policy, "script") == ["'self'"]
    assert allowed(policy, "connect") == ["'self'"]
    assert allowed(policy, "style")[0] == "'self'"
    assert INLINE.search(response.text) is not None, "the article's own style block is hashed"


def test_the_checkout_page_may_send_its_form_back_to_the_readers_page(demo: DemoServer) -> None:
    with httpx.Client(base_url=demo.url, headers={"Origin": demo.url}, timeout=30) as client:
        me = client.get("/api/v1/demo/me", params={"uri": "/"}).json()
        started = client.post(
            "/api/v1/demo/campaigns/current/checkout",
            json={"amount": "10", "currency": "GBP", "return_url": demo.url + "/"},
            headers={"X-Talkback-Reader": me["reader_token"]},
        )
        assert started.status_code == 201, started.text
        page = client.get(started.json()["url"])
    assert_hardened_page(page)
    assert '<form method="post"' in page.text
    assert directives(page)["form-action"] == ["'self'", demo.url]


def test_admin_pages_send_a_strict_policy_when_signed_in(demo: DemoServer) -> None:
    with httpx.Client(base_url=demo.url, timeout=30) as client:
        signed_in = client.post(
            "/api/v1/admin/login",
            json={"email": demo.admin_email, "password": demo.admin_password},
            headers={"Origin": demo.url},
        )
        assert signed_in.status_code == 200, signed_in.text
        for path in ADMIN_PAGES:
            page = client.get(path, follow_redirects=True)
            assert page.url.path != "/admin/login", path
            assert_hardened_page(page)


def test_json_answers_and_assets_are_not_sniffed(demo: DemoServer) -> None:
    for path in ("/api/v1/demo/comments?uri=/", "/embed.js", "/static/embed.css", "/healthz"):
        response = httpx.get(demo.url + path, timeout=30)
        assert response.status_code == 200, path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert "content-security-policy" not in response.headers, path


def test_errors_in_the_api_shape_are_not_sniffed_either(demo: DemoServer) -> None:
    response = httpx.get(demo.url + "/api/v1/no-such-site/comments?uri=/", timeout=30)
    assert response.status_code == 404
    assert response.headers["x-content-type-options"] == "nosniff"
    assert set(response.json()["error"]) >= {"code", "message"}


def test_the_log_of_the_server_shows_no_error(demo: DemoServer) -> None:
    log = Path(f"{demo.data_dir}.log").read_text()
    assert "Traceback" not in log
    assert "unhandled_error" not in log
