"""The ceiling: a bare ASGI app under uvicorn answering Talkback's exact bytes and headers.

compare.py fetches every URL it will load from the running Talkback first and writes the
answers (status, headers, body) to a JSON file named by BENCH_BARE_RESPONSES; this app
serves them back for the same path and query, doing nothing else per request: no
framework, no routing table, no middleware. Run by uvicorn as a real server, with the same
worker count and HTTP implementation as `talkback serve`, its rate is what uvicorn itself
can do with these bytes on this machine.

uvicorn imports it as `bare_app:app` with `--app-dir bench/peers`; it imports nothing from
Talkback, so a worker costs only uvicorn's own memory.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# Headers the server itself adds to every answer; sending them from the app would double them.
SERVER_HEADERS = frozenset({"date", "server"})


def load_answers(path: str) -> dict[bytes, tuple[int, list[tuple[bytes, bytes]], bytes]]:
    """Answers keyed by `path?query` as the client sends it."""
    answers: dict[bytes, tuple[int, list[tuple[bytes, bytes]], bytes]] = {}
    with open(path, encoding="utf-8") as source:
        recorded = json.load(source)
    for entry in recorded:
        headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in entry["headers"]
            if name.lower() not in SERVER_HEADERS
        ]
        answers[entry["target"].encode("latin-1")] = (
            entry["status"],
            headers,
            base64.b64decode(entry["body"]),
        )
    return answers


ANSWERS = load_answers(os.environ["BENCH_BARE_RESPONSES"])
NOT_FOUND = (404, [(b"content-type", b"text/plain"), (b"content-length", b"9")], b"not found")


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Look the request target up, send the recorded answer; lifespan is acknowledged."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    target = scope["raw_path"]
    if scope["query_string"]:
        target += b"?" + scope["query_string"]
    status, headers, body = ANSWERS.get(target, NOT_FOUND)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
