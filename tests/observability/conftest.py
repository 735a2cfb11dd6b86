"""Scrapes read through prometheus-client's own parser, so tests compare numbers, not text.

Metrics belong to the process, not to one app, and the suite builds many apps in one
process: tests compare a scrape after with a scrape before, never absolute values.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.api.conftest import Api, running_api

TOKEN = "scrape-token-for-tests"

Series = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Series:
    """Every sample of a scrape by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(series: Series, name: str, **labels: str) -> float:
    """One sample's value; a series not (yet) written counts as 0."""
    return series.get((name, frozenset(labels.items())), 0.0)


class Scraper:
    """GET /metrics as Prometheus would, with the bearer token."""

    def __init__(self, client: httpx.AsyncClient, token: str | None = TOKEN) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def scrape(self) -> Series:
        response = await self.client.get("/metrics", headers=self.headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/plain")
        return parse(response.text)

    async def text(self) -> str:
        response = await self.client.get("/metrics", headers=self.headers)
        assert response.status_code == 200, response.text
        return response.text


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[Api]:
    """The app with a metrics token, so the test client (not on loopback) may scrape."""
    async with running_api(database_url, rate_limits="off", metrics_token=TOKEN) as client:
        yield client


@pytest.fixture
def scraper(api: Api) -> Scraper:
    return Scraper(api.client)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'talkback.db'}"
