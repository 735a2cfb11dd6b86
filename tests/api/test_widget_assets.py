"""The widget's files: versioned, cacheable, usable from any origin, nothing else served."""

from __future__ import annotations

import pytest

from talkback import __version__
from tests.api.conftest import Api


async def test_loader_names_this_version(api: Api) -> None:
    response = await api.client.get("/embed.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["access-control-allow-origin"] == "*"
    assert "max-age=300" in response.headers["cache-control"]
    assert f"/widget/{__version__}/" in response.text
    assert "__TALKBACK_VERSION__" not in response.text


async def test_assets_are_gzipped_for_clients_that_accept_it(api: Api) -> None:
    plain = await api.client.get("/embed.css", headers={"Accept-Encoding": "identity"})
    raw = await api.client.get("/embed.css", headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.headers["vary"] == "Accept-Encoding"
    assert int(raw.headers["content-length"]) < len(plain.content)
    assert raw.content == plain.content  # httpx decodes the gzip


@pytest.mark.parametrize("path", ["/embed.js", "/embed.css", f"/widget/{__version__}/main.js"])
async def test_files_are_served_without_their_comments(api: Api, path: str) -> None:
    response = await api.client.get(path)
    assert response.status_code == 200
    assert "/*" not in response.text
    assert "\n  " not in response.text  # nor their indentation


async def test_modules_of_this_version_are_cached_for_a_year(api: Api) -> None:
    response = await api.client.get(f"/widget/{__version__}/main.js")
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]
    assert response.headers["access-control-allow-origin"] == "*"


async def test_modules_asked_for_by_an_older_loader_are_served_briefly(api: Api) -> None:
    response = await api.client.get("/widget/0.0.1/main.js")
    assert response.status_code == 200
    assert "max-age=300" in response.headers["cache-control"]


@pytest.mark.parametrize(
    "path",
    [
        "/widget/1/%2e%2e/%2e%2e/app.py",
        "/widget/1/../../app.py",
        "/widget/1/missing.js",
        "/widget/1/",
        "/widget/1/%00",  # a NUL byte made path resolution raise: was a 500
        "/widget/1/main%00.js",
        "/widget/1/" + "a" * 5000 + ".js",  # longer than a file name may be
    ],
)
async def test_nothing_outside_the_widget_modules_is_served(api: Api, path: str) -> None:
    response = await api.client.get(path)
    assert response.status_code == 404
    assert set(response.json()["error"]) >= {"code", "message"}


async def test_the_server_has_an_icon_where_browsers_look_for_it(api: Api) -> None:
    conventional = await api.client.get("/favicon.ico")
    linked = await api.client.get("/static/favicon.svg")
    for response in (conventional, linked):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert response.text.startswith("<svg")
    assert conventional.content == linked.content
