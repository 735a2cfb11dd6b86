"""Reader reports reach the database once per reader."""

from __future__ import annotations

from sqlalchemy import select

from talkback.store.tables import reports
from tests.api.conftest import SITE, Api


async def _report(api: Api, comment_id: int, token: str | None = None, **body: str) -> int:
    headers = {"X-Talkback-Reader": token} if token else {}
    response = await api.client.post(
        f"/api/v1/{SITE}/comments/{comment_id}/report",
        json=body or {"reason": "spam"},
        headers=headers,
    )
    return response.status_code


async def _stored(api: Api) -> list[tuple[int, str, str | None]]:
    async with api.context.database.read() as conn:
        rows = await conn.execute(
            select(reports.c.comment_id, reports.c.reason, reports.c.note).order_by(reports.c.id)
        )
        return [(row.comment_id, row.reason, row.note) for row in rows]


async def test_report_is_recorded_once_per_reader(api: Api) -> None:
    comment = (await api.posted("buy cheap watches"))["comment"]["id"]
    token = await api.reader_token()
    assert await _report(api, comment, token, reason="spam", note="link farm") == 202
    assert await _report(api, comment, token, reason="abuse") == 202
    assert await _report(api, comment, reason="off_topic") == 202
    assert await _stored(api) == [(comment, "spam", "link farm"), (comment, "off_topic", None)]


async def test_report_needs_a_known_reason(api: Api) -> None:
    comment = (await api.posted("x"))["comment"]["id"]
    assert await _report(api, comment, reason="boring") == 422
    assert await _report(api, comment, reason="spam", note="n" * 501) == 422


async def test_report_of_missing_comment_is_404(api: Api) -> None:
    assert await _report(api, 987_654) == 404
