"""Refuse request bodies over a size limit with the contract's JSON 413.

Starlette and FastAPI ship a body limiter, but it answers in plain text whenever the
client declared a Content-Length, which breaks the API's one error shape. This one checks
the declared length up front and counts streamed bytes; once a body runs over, the app
reads a disconnect and whatever it answers is replaced by the 413.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from talkback.web.errors import error_response


class BodyLimitMiddleware:
    def __init__(
        self, app: ASGIApp, max_bytes: int, larger: Mapping[re.Pattern[str], int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger or {})
        """Paths that take a bigger body (an article's text to locate passages in)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self._limit(scope["path"])
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            await self._too_large(max_bytes, scope, receive, send)
            return
        received = 0
        exceeded = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not exceeded:
                await send(message)
            elif message["type"] == "http.response.start":
                await self._too_large(max_bytes, scope, receive, send)

        await self.app(scope, counting_receive, guarded_send)

    def _limit(self, path: str) -> int:
        for pattern, max_bytes in self.larger.items():
            if pattern.match(path):
                return max_bytes
        return self.max_bytes

    async def _too_large(self, max_bytes: int, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"the request body is larger than {max_bytes // 1024} KiB"
        await error_response(413, "too_large", message)(scope, receive, send)
