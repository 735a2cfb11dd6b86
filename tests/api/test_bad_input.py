"""Bad input gets a clear error in the contract's shape, and never a 500."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import ARTICLE, SITE, Api


def _error(body: dict[str, Any]) -> dict[str, Any]:
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert isinstance(error["code"], str)
    assert isinstance(error["message"], str)
    assert error["message"]
    return error


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   \n "}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"text": "ok", "author_name": "n" * 81}, "author_name"),
        ({"text": "ok", "email": "not-an-email"}, "email"),
        ({"text": "ok", "website": "javascript:alert(1)"}, "website"),
        ({"text": "ok", "website": "not a url"}, "website"),
        ({"text": "ok", "parent_id": "abc"}, "parent_id"),
        ({"text": "ok", "parent_id": 2**70}, "parent_id"),
        ({"text": "ok", "anchor": {"exact": ""}}, "anchor.exact"),
        ({"text": "ok", "surprise": 1}, "surprise"),
        ({}, "text"),
        # PostgreSQL cannot store a NUL character: refused up front, on every database.
        ({"text": "\x00"}, "text"),
        ({"text": "ok", "author_name": "Ana\x00"}, "author_name"),
        ({"text": "ok", "title": "\x00 title"}, "title"),
        ({"text": "ok", "anchor": {"exact": "a\x00b"}}, "anchor.exact"),
    ],
)
async def test_invalid_fields_are_422_naming_the_field(
    api: Api, fields: dict[str, Any], field: str
) -> None:
    response = await api.client.post(
        f"/api/v1/{SITE}/comments", params={"uri": ARTICLE}, json=fields
    )
    assert response.status_code == 422
    error = _error(response.json())
    assert error["code"] == "invalid"
    assert field in [f["field"] for f in error["fields"]]


async def test_text_of_exactly_the_limit_is_accepted(api: Api) -> None:
    assert (await api.post("x" * 10_000)).status_code == 201


async def test_blank_optional_fields_mean_absent(api: Api) -> None:
    response = await api.post("ok", author_name="  ", email="", website="")
    assert response.status_code == 201
    assert response.json()["comment"]["author"] == {"name": None, "avatar": response.json()[
        "comment"]["author"]["avatar"]}  # fmt: skip


async def test_malformed_json_is_400(api: Api) -> None:
    response = await api.client.post(
        f"/api/v1/{SITE}/comments",
        params={"uri": ARTICLE},
        content=b'{"text": "unterminated',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert _error(response.json())["code"] == "invalid_json"


async def test_body_over_64_kib_is_413(api: Api) -> None:
    response = await api.client.post(
        f"/api/v1/{SITE}/comments",
        params={"uri": ARTICLE},
        content=b'{"text": "' + b"x" * 70_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert _error(response.json())["code"] == "too_large"


async def test_unknown_site_is_404(api: Api) -> None:
    response = await api.client.get("/api/v1/nope/comments", params={"uri": "/"})
    assert response.status_code == 404
    assert _error(response.json())["code"] == "site_not_found"


async def test_unknown_route_is_404_in_contract_shape(api: Api) -> None:
    response = await api.client.get("/api/v1/news/nothing")
    assert response.status_code == 404
    _error(response.json())


@pytest.mark.parametrize(
    "params",
    [
        {"uri": ARTICLE, "sort": "loudest"},
        {"uri": ARTICLE, "limit": "0"},
        {"uri": ARTICLE, "limit": "101"},
        {"uri": ARTICLE, "cursor": "!!!"},
        {"uri": ""},
        {"uri": "javascript:alert(1)"},
        {"uri": "/" + "a" * 3000},
        {},
    ],
)
async def test_bad_page_requests_are_422(api: Api, params: dict[str, str]) -> None:
    response = await api.client.get(f"/api/v1/{SITE}/comments", params=params)
    assert response.status_code == 422
    _error(response.json())


async def test_edit_of_missing_comment_is_404(api: Api) -> None:
    response = await api.client.patch(f"/api/v1/{SITE}/comments/999", json={"text": "x"})
    assert response.status_code == 404


async def test_too_many_count_uris_is_422(api: Api) -> None:
    params: list[tuple[str, str | int | float | bool | None]] = [
        ("uri", f"/p{n}") for n in range(101)
    ]
    response = await api.client.get(f"/api/v1/{SITE}/counts", params=params)
    assert response.status_code == 422


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                  max_size=4),
    max_leaves=12,
)  # fmt: skip
comment_payloads = (
    st.fixed_dictionaries(
        {},
        optional={
            "text": st.text(max_size=200) | json_values,
            "parent_id": st.integers(min_value=-(2**80), max_value=2**80) | json_values,
            "author_name": st.text(max_size=100) | json_values,
            "email": st.emails() | st.text(max_size=40) | json_values,
            "website": st.text(max_size=60) | json_values,
            "anchor": st.fixed_dictionaries(
                {"exact": st.text(max_size=30)},
                optional={"prefix": json_values, "start": json_values, "end": json_values},
            )
            | json_values,
            "title": st.text(max_size=40) | json_values,
        },
    )
    | json_values
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(payload=comment_payloads, uri=st.text(max_size=60))
async def test_random_payloads_never_cause_a_server_error(api: Api, payload: Any, uri: str) -> None:
    response = await api.client.post(
        f"/api/v1/{SITE}/comments",
        params={"uri": uri},
        content=json.dumps(payload).encode(),  # NaN and Infinity included, as some clients send
        headers={"content-type": "application/json"},
    )
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        _error(response.json())


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=st.binary(max_size=300))
async def test_random_bytes_never_cause_a_server_error(api: Api, raw: bytes) -> None:
    response = await api.client.post(
        f"/api/v1/{SITE}/comments",
        params={"uri": ARTICLE},
        content=raw,
        headers={"content-type": "application/json"},
    )
    assert response.status_code < 500, response.text


async def test_streamed_body_over_64_kib_is_413(api: Api) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        for _ in range(10):
            yield b"x" * 10_000
        yield b'"}'

    response = await api.client.post(
        f"/api/v1/{SITE}/comments",
        params={"uri": ARTICLE},
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert _error(response.json())["code"] == "too_large"
    assert (await api.page())["thread"]["count"] == 0
