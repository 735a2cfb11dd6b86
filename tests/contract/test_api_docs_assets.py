"""`/docs` names only files on the Talkback host, and the host serves each of them: the page,
its stylesheet and its script send a reader's browser nowhere else. (tests/browser's
`test_admin_api_docs` watches what Chromium actually requests; this holds the same promise
for what the HTML and CSS say, without a browser, so a change to the page's assets fails
fast.)"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from lxml import html

from talkback.app import create_app
from tests.contract.conftest import contract_settings

HOST = "http://talkback.test"
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)""")
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'");\s]+)""")
SCRIPT_URL = re.compile(r"""\burl:\s*['"]([^'"]+)""")


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The docs need no database: the app is reached without its lifespan."""
    app = create_app(contract_settings(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=HOST) as http:
        yield http


def off_host(url: str, base: str) -> bool:
    """A URL a browser would fetch from somewhere other than the Talkback host."""
    absolute = urlsplit(urljoin(base, url))
    if absolute.scheme == "data":
        return False
    return f"{absolute.scheme}://{absolute.netloc}" != HOST


def page_urls(page: str) -> list[str]:
    """Every URL the page loads: its links and scripts, and the description its inline
    script hands Swagger UI."""
    tree = html.fromstring(page)
    attributes = [str(url) for url in tree.xpath("//@src | //link/@href")]
    inline = " ".join(script.text or "" for script in tree.xpath("//script[not(@src)]"))
    return attributes + SCRIPT_URL.findall(inline)


async def test_the_docs_page_loads_only_files_the_talkback_host_serves(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    urls = page_urls(page.text)
    assert {urlsplit(url).path.rsplit(".", 1)[-1] for url in urls} >= {"css", "js", "json"}
    assert [url for url in urls if off_host(url, f"{HOST}/docs")] == []
    for url in urls:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 0, url


async def test_the_docs_stylesheets_fetch_nothing_from_elsewhere(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/docs")
    stylesheets = [url for url in page_urls(page.text) if url.endswith(".css")]
    assert stylesheets
    for stylesheet in stylesheets:
        css = (await client.get(stylesheet)).text
        base = urljoin(f"{HOST}/docs", stylesheet)
        fetched = CSS_URL.findall(css) + CSS_IMPORT.findall(css)
        assert [url for url in fetched if off_host(url, base)] == [], stylesheet


async def test_the_docs_switch_off_the_validator_badge_that_calls_swagger_io(
    client: httpx.AsyncClient,
) -> None:
    """Swagger UI's default asks validator.swagger.io about the description on every load."""
    page = await client.get("/docs")
    assert '"validatorUrl": null' in page.text
