"""uvicorn's httptools protocol with a cap on the size of a request's head.

uvicorn parses HTTP/1.1 with httptools when it is installed (`uvicorn[standard]`, our
case), and httptools takes a head of any size: a client sending one endless header line
grows the server's memory for as long as it keeps sending (measured: an 8 MiB header was
accepted and answered 200). uvicorn's h11 parser has a cap (`h11_max_incomplete_event_size`)
but parses in Python, slower on every request. This keeps httptools and counts the bytes
that arrive while a head is incomplete; past MAX_HEAD_BYTES the connection is answered
431 in the API's error shape and closed, so at most one read (64 KiB) more is held.
"""

from __future__ import annotations

import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 32 * 1024
"""Request line and headers together; nginx's default (`large_client_header_buffers 4 8k`)
is the same size, and a browser's requests to Talkback use a few hundred bytes."""

_REFUSAL = json.dumps(
    {"error": {"code": "head_too_large",
               "message": f"the request's headers are larger than {MAX_HEAD_BYTES // 1024} KiB"}}
).encode()  # fmt: skip


class BoundedHeadProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that refuses a request head larger than MAX_HEAD_BYTES."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True
        self._head_bytes = 0

    def on_message_begin(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        """Bytes count toward the head only when it was incomplete before and after them
        (a read that ends one request and starts the next counts toward neither)."""
        was_in_head = self._in_head
        super().data_received(data)
        if not (was_in_head and self._in_head) or self.transport.is_closing():
            return
        self._head_bytes += len(data)
        if self._head_bytes > MAX_HEAD_BYTES:
            self.transport.write(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                b"content-type: application/json\r\n"
                b"content-length: " + str(len(_REFUSAL)).encode() + b"\r\n"
                b"connection: close\r\n\r\n" + _REFUSAL
            )
            self.transport.close()
