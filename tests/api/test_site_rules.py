"""Per-site settings the widget follows: public config and guest identity rules."""

from __future__ import annotations

import pytest

from talkback.sites.sites import set_site_option
from tests.api.conftest import SITE, Api


async def _set(api: Api, key: str, value: str) -> None:
    await set_site_option(api.context.database, SITE, key, value)
    api.context.sites.forget(SITE)


async def test_config_shows_the_public_settings(api: Api) -> None:
    response = await api.client.get(f"/api/v1/{SITE}/config")
    assert response.status_code == 200
    assert response.json() == {
        "site": {
            "id": SITE,
            "name": "The Example News",
            "locale": "en_US",
            "edit_window_seconds": 900,
            "guest_identity": "optional",
            "moderation_mode": "post",
        }
    }


async def test_site_asking_for_a_name_refuses_anonymous_guests(api: Api) -> None:
    await _set(api, "guest_identity", "name")
    response = await api.post("no name")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "name_required"
    assert (await api.post("named", author_name="Ana")).status_code == 201


async def test_site_asking_for_name_and_email(api: Api) -> None:
    await _set(api, "guest_identity", "name_email")
    response = await api.post("no email", author_name="Ana")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "email_required"
    assert (await api.post("ok", author_name="Ana", email="ana@example.org")).status_code == 201


async def test_unknown_guest_identity_value_is_refused(api: Api) -> None:
    from talkback.errors import Invalid

    with pytest.raises(Invalid):
        await _set(api, "guest_identity", "everyone")
