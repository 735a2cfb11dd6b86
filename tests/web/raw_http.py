"""HTTP/1.1 by hand over a socket, for what a well-behaved client library will not do:
stop halfway through a request, keep a stream open without reading it, or come from a
chosen loopback address."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Any

READ_SECONDS = 15.0
"""How long a test waits for the server's answer before failing (never a measurement)."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def connect(port: int, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket()
    sock.settimeout(READ_SECONDS)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    return sock


def head(method: str, path: str, **headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *map(": ".join, headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_head(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """The answer's status and headers, and whatever of its body came with them."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before the answer's head ended: {data!r}")
        data += chunk
    raw, _, rest = data.partition(b"\r\n\r\n")
    status_line, *header_lines = raw.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, rest


def read_answer(sock: socket.socket) -> Answer:
    """A whole answer with a Content-Length body."""
    status, headers, body = read_head(sock)
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return Answer(status, headers, body[:length])
