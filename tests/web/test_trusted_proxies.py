"""`X-Forwarded-Proto` (and `-For`) count only from the proxies `TALKBACK_TRUSTED_PROXIES`
names: by default from nobody, not even loopback. The staff session cookie is Secure
exactly when the request is believed to have come over TLS. Real server processes, since
the trust is uvicorn's, configured by Talkback's setting."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.web.demo_server import DemoServer, demo_environment, demo_server

FROM_TLS = {"X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def untrusting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    with demo_server(tmp_path_factory.mktemp("untrusting") / "data") as server:
        yield server


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    with demo_server(
        tmp_path_factory.mktemp("proxied") / "data", TALKBACK_TRUSTED_PROXIES="127.0.0.1"
    ) as server:
        yield server


def session_cookie(demo: DemoServer, source: str, headers: dict[str, str]) -> str:
    """Sign in from `source` and return the session's Set-Cookie line."""
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(base_url=demo.url, transport=transport, timeout=30) as client:
        response = client.post(
            "/api/v1/admin/login",
            json={"email": demo.admin_email, "password": demo.admin_password},
            headers={"Origin": demo.url, **headers},
        )
    assert response.status_code == 200, response.text
    cookie = response.headers["set-cookie"].lower()
    assert "; httponly" in cookie
    assert "; samesite=lax" in cookie
    return cookie


def test_by_default_no_address_is_believed_to_be_a_proxy(untrusting: DemoServer) -> None:
    assert "; secure" not in session_cookie(untrusting, "127.0.0.1", FROM_TLS)


def test_the_trusted_proxy_says_the_request_came_over_tls(behind_proxy: DemoServer) -> None:
    assert "; secure" in session_cookie(behind_proxy, "127.0.0.1", FROM_TLS)
    assert "; secure" not in session_cookie(behind_proxy, "127.0.0.1", {})


def test_another_address_cannot_claim_tls(behind_proxy: DemoServer) -> None:
    assert "; secure" not in session_cookie(behind_proxy, "127.0.0.2", FROM_TLS)


def test_serve_refuses_uvicorns_own_proxy_variable(tmp_path: Path) -> None:
    """An environment file from before the setting would otherwise trust nobody, silently."""
    env = demo_environment(tmp_path, TALKBACK_SECRET_KEY="s" * 32)
    env["FORWARDED_ALLOW_IPS"] = "10.0.0.10"
    done = subprocess.run(
        [sys.executable, "-m", "talkback", "serve", "--port", "9"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "TALKBACK_TRUSTED_PROXIES" in done.stdout + done.stderr
