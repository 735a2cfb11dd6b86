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
        self._tail = b""
        """The last bytes read, for a head's end split between two reads."""

    def on_message_begin(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        """Bytes read while a head is incomplete count toward it, up to the head's end when
        this read completes it (the body after it does not), checked before parsing: a
        head that arrives whole in one read is refused too. A read that ends one request
        and starts the next counts toward neither (at most one read more is held)."""
        if self._in_head and not self.transport.is_closing():
            self._head_bytes += _head_part(self._tail, data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse()
                return
        self._tail = data[-3:]
        super().data_received(data)

    def _refuse(self) -> None:
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: application/json\r\n"
            b"content-length: " + str(len(_REFUSAL)).encode() + b"\r\n"
            b"connection: close\r\n\r\n" + _REFUSAL
        )
        self.transport.close()


def _head_part(tail: bytes, data: bytes) -> int:
    """How many bytes of `data` belong to the head: up to its blank line if `data` holds
    it (looked for across the previous read's `tail` too), else all of them."""
    joined = tail + data
    ends = [i + len(mark) for mark in (b"\r\n\r\n", b"\n\n") if (i := joined.find(mark)) >= 0]
    if not ends:
        return len(data)
    return max(0, min(ends) - len(tail))
