"""Rate limits answer 429 with Retry-After; floods are held; `rate_limits=off` lifts both."""

from __future__ import annotations

from tests.api.conftest import SITE, Api


async def test_posting_too_fast_is_refused_with_retry_after(limited_api: Api) -> None:
    statuses = [(await limited_api.post(f"Comment {n} on the vote")).status_code for n in range(6)]
    assert statuses[:5] != [429] * 5
    assert statuses[5] == 429
    refused = await limited_api.post("One more")
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 60


async def test_a_flood_is_held_before_the_limit_refuses_it(limited_api: Api) -> None:
    statuses = []
    for n in range(5):
        response = await limited_api.post(f"Flooding comment {n}")
        statuses.append(response.json()["comment"]["status"])
    # the fourth and fifth within a minute are held (flood); the limit would refuse a sixth
    assert statuses == ["approved"] * 3 + ["pending"] * 2


async def test_votes_are_limited_per_reader(limited_api: Api) -> None:
    comment = (await limited_api.posted("Vote on me"))["comment"]["id"]
    token = await limited_api.reader_token()
    codes = {
        (await limited_api.vote(comment, 1 if n % 2 else -1, token)).status_code for n in range(61)
    }
    assert codes == {200, 429}


async def test_rate_limits_off_lifts_the_limit(api: Api) -> None:
    for n in range(8):
        assert (await api.post(f"Load test comment {n}")).status_code == 201
    response = await api.client.get(f"/api/v1/{SITE}/config")
    assert response.status_code == 200
