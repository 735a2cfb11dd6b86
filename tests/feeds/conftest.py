"""Feeds over HTTP, on the API tests' app and site (tests/api/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.api.conftest import Api, running_api


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[Api]:
    async with running_api(database_url, rate_limits="off") as client:
        yield client
