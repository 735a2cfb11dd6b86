"""Refuse request bodies that are too large, too slow or (JSON) too deep, in the contract's
error shape, before any route parses them.

Starlette and FastAPI ship a body limiter, but it answers in plain text whenever the
client declared a Content-Length, which breaks the API's one error shape. This one checks
the declared length up front and counts streamed bytes; once a body runs over, the app
reads a disconnect and whatever it answers is replaced by the 413.

A body must arrive within `timeout_seconds` of the request's head: a client trickling a
byte now and then would otherwise hold a request (and whatever the route holds while it
reads) for as long as it likes. Once the body is in, nothing times out: a live stream
waits for its client's disconnect for hours.

A JSON body is read whole first (it is small: the size limit applies) and its nesting
counted by a scan that never recurses; one nested deeper than `max_json_depth` gets a
400. Python's parser recurses once per level, so `[[[[…` a few thousand deep would end
in a RecursionError inside the route; no request of ours nests more than a handful.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import anyio
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from talkback.web.errors import error_response

MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
_DISCONNECT: Message = {"type": "http.disconnect"}


def json_depth(body: bytes) -> int:
    """How deep the arrays and objects of `body` nest (brackets inside strings not counted)."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_JSON_STRING.sub(b"", body)):
        depth += 1 if bracket in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def _is_json(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


class _Refused(Exception):
    """The body broke a limit; `response` says which, in the error shape."""

    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response


class _BodyReader:
    """The request's messages, counted against the size limit and the body's deadline."""

    def __init__(self, receive: Receive, max_bytes: int, timeout_seconds: float) -> None:
        self._receive = receive
        self._max_bytes = max_bytes
        self._timeout_seconds = timeout_seconds
        self._deadline = anyio.current_time() + timeout_seconds
        self._received = 0
        self._complete = False

    async def next(self) -> Message:
        if self._complete:
            return await self._receive()
        remaining = max(self._deadline - anyio.current_time(), 0)
        with anyio.move_on_after(remaining) as waited:
            message = await self._receive()
        if waited.cancelled_caught:
            seconds = math.ceil(self._timeout_seconds)
            raise _Refused(
                error_response(
                    408, "body_timeout", f"the request body did not arrive within {seconds} s"
                )
            )
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            self._complete = not message.get("more_body", False)
            if self._received > self._max_bytes:
                raise _Refused(_too_large(self._max_bytes))
        return message

    async def read_all(self) -> bytes | None:
        """The whole body, or None if the client went away first."""
        chunks = []
        while not self._complete:
            message = await self.next()
            if message["type"] != "http.request":
                return None
            chunks.append(message.get("body", b""))
        return b"".join(chunks)


def _too_large(max_bytes: int) -> Response:
    return error_response(
        413, "too_large", f"the request body is larger than {max_bytes // 1024} KiB"
    )


class BodyLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        larger: Mapping[re.Pattern[str], int] | None = None,
        *,
        timeout_seconds: float,
        max_json_depth: int = MAX_JSON_DEPTH,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger or {})
        """Paths that take a bigger body (an article's text to locate passages in)."""
        self.timeout_seconds = timeout_seconds
        self.max_json_depth = max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self._limit(scope["path"])
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            await _too_large(max_bytes)(scope, receive, send)
            return
        reader = _BodyReader(receive, max_bytes, self.timeout_seconds)
        if _is_json(headers.get("content-type", "")):
            await self._checked_json(reader, scope, receive, send)
        else:
            await self._streamed(reader, scope, receive, send)

    async def _checked_json(
        self, reader: _BodyReader, scope: Scope, receive: Receive, send: Send
    ) -> None:
        try:
            body = await reader.read_all()
        except _Refused as refused:
            await refused.response(scope, receive, send)
            return
        if body is None:
            return  # the client is gone: nobody to answer
        if json_depth(body) > self.max_json_depth:
            message = f"the JSON body nests deeper than {self.max_json_depth} levels"
            await error_response(400, "json_too_deep", message)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _streamed(
        self, reader: _BodyReader, scope: Scope, receive: Receive, send: Send
    ) -> None:
        refused: _Refused | None = None

        async def guarded_receive() -> Message:
            nonlocal refused
            if refused is not None:
                return _DISCONNECT
            try:
                return await reader.next()
            except _Refused as problem:
                refused = problem
                return _DISCONNECT

        async def guarded_send(message: Message) -> None:
            if refused is None:
                await send(message)
            elif message["type"] == "http.response.start":
                await refused.response(scope, receive, send)

        await self.app(scope, guarded_receive, guarded_send)

    def _limit(self, path: str) -> int:
        for pattern, max_bytes in self.larger.items():
            if pattern.match(path):
                return max_bytes
        return self.max_bytes
