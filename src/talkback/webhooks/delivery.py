"""Deliver one webhook: POST the signed JSON to the endpoint, judge the answer.

Any 2xx answer is delivered. Any other answer, a timeout or a connection that fails is
retried by the outbox worker with backoff, under the same `Talkback-Delivery` id, so a
receiver that took a delivery whose answer got lost recognises the retry. `410 Gone`
means the receiver wants no more: that delivery stops at once (the endpoint stays, for
staff to deactivate). Redirects are not followed: an endpoint's address is the one staff
gave. The answer's body is never read.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from talkback import __version__, clock
from talkback.outbox.messages import OutboxItem
from talkback.outbox.worker import DeliveryFailed, NothingToSend
from talkback.store.database import Database
from talkback.store.tables import webhook_endpoints
from talkback.webhooks.events import PING, body_of
from talkback.webhooks.signing import HEADER, signature_header

TIMEOUT_SECONDS = 10.0
USER_AGENT = f"Talkback/{__version__} (webhooks)"


class WebhookSender:
    """The outbox handler of kind `webhook`, with the timeout of each call."""

    def __init__(self, database: Database, timeout: float = TIMEOUT_SECONDS) -> None:
        self._database = database
        self.timeout = timeout

    async def __call__(self, item: OutboxItem) -> int:
        endpoint = await self._endpoint(item)
        body = body_of(item.message_id, item.payload)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Talkback-Event": str(item.payload["type"]),
            "Talkback-Delivery": item.message_id,
            HEADER: signature_header(endpoint.secret, body, int(clock.now().timestamp())),
        }
        try:
            async with (
                httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client,
                client.stream("POST", endpoint.url, content=body, headers=headers) as response,
            ):
                status = response.status_code
        except httpx.TimeoutException as exc:
            raise DeliveryFailed(f"no answer within {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"connection failed: {type(exc).__name__}: {exc}") from exc
        if 200 <= status < 300:
            return status
        if status == 410:
            raise DeliveryFailed("410 Gone: the receiver wants no more", status_code=status,
                                 permanent=True)  # fmt: skip
        raise DeliveryFailed(f"HTTP {status}", status_code=status)

    async def _endpoint(self, item: OutboxItem) -> Any:
        row = None
        if item.endpoint_id is not None:
            row = await self._database.read_rows(
                select(webhook_endpoints).where(webhook_endpoints.c.id == item.endpoint_id)
            )
        if not row:
            raise NothingToSend("the endpoint was deleted")
        endpoint = row[0]
        if not endpoint.active and item.payload.get("type") != PING:
            raise NothingToSend("the endpoint was deactivated")
        return endpoint
