"""A site, staff and readers for moderation tests, on top of the API fixtures."""

from __future__ import annotations

import pytest

from talkback.staff.accounts import StaffMember, create_staff
from tests.api.conftest import Api, api, limited_api  # noqa: F401  (re-exported fixtures)


@pytest.fixture
async def moderator(api: Api) -> StaffMember:  # noqa: F811
    return await create_staff(
        api.context.database, "mod@news.example", "a long enough password", "moderator"
    )
