"""Abuse against `talkback demo` as a real process on loopback: many live streams from one
address, clients that trickle their headers or bodies, and JSON too deep or too large.
Each is refused in the API's error shape or left to wait, and the other clients are
served meanwhile. Every loop has a fixed number of rounds; no assertion is about time."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest

from tests.web.demo_server import DemoServer, demo_server
from tests.web.raw_http import connect, head, read_answer, read_head

STREAMS_PER_ADDRESS = 3
BODY_TIMEOUT_SECONDS = 1
STREAM = "/api/v1/demo/stream?uri=/"
COMMENTS = "/api/v1/demo/comments?uri=/"
SLOW_CLIENTS = 64
ROUNDS = 3


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    with demo_server(
        tmp_path_factory.mktemp("abuse") / "data",
        TALKBACK_LIVE_STREAMS_PER_ADDRESS=str(STREAMS_PER_ADDRESS),
        TALKBACK_BODY_TIMEOUT_SECONDS=str(BODY_TIMEOUT_SECONDS),
    ) as server:
        yield server


def served(demo: DemoServer) -> None:
    """A well-behaved reader gets the thread."""
    response = httpx.get(demo.url + COMMENTS, timeout=15)
    assert response.status_code == 200, response.text


def open_stream(demo: DemoServer, source: str) -> tuple[int, socket.socket]:
    sock = connect(demo.port, source)
    sock.sendall(head("GET", STREAM, Accept="text/event-stream"))
    status, _, _ = read_head(sock)
    return status, sock


def test_one_address_holds_only_so_many_live_streams(demo: DemoServer) -> None:
    with ExitStack() as held:
        for _ in range(STREAMS_PER_ADDRESS):
            status, sock = open_stream(demo, "127.0.0.2")
            held.callback(sock.close)
            assert status == 200

        refused = connect(demo.port, "127.0.0.2")
        held.callback(refused.close)
        refused.sendall(head("GET", STREAM, Accept="text/event-stream"))
        answer = read_answer(refused)
        assert answer.status == 429
        assert answer.json()["error"]["code"] == "rate_limited"
        assert int(answer.headers["retry-after"]) > 0

        status, other = open_stream(demo, "127.0.0.3")
        held.callback(other.close)
        assert status == 200, "another address is not held back"
        served(demo)


def test_a_closed_stream_gives_its_place_back(demo: DemoServer) -> None:
    with ExitStack() as held:
        streams = [open_stream(demo, "127.0.0.4") for _ in range(STREAMS_PER_ADDRESS)]
        for _, sock in streams:
            held.callback(sock.close)
        assert [status for status, _ in streams] == [200] * STREAMS_PER_ADDRESS
        streams[0][1].close()
        statuses = []
        for _ in range(50):  # the server notices the closed socket at its next read
            status, sock = open_stream(demo, "127.0.0.4")
            held.callback(sock.close)
            statuses.append(status)
            if status == 200:
                break
        assert statuses[-1] == 200, statuses


def test_clients_trickling_their_headers_do_not_starve_others(demo: DemoServer) -> None:
    with ExitStack() as held:
        slow = []
        for number in range(SLOW_CLIENTS):
            sock = connect(demo.port, "127.0.0.5")
            held.callback(sock.close)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            slow.append((number, sock))
        for round_ in range(ROUNDS):
            for number, sock in slow:
                sock.sendall(f"X-Slow-{round_}: {number}\r\n".encode())
            served(demo)
        # They were only slow, not refused: finishing their heads gets them their answers.
        for _, sock in slow[:4]:
            sock.sendall(b"\r\n")
            assert read_answer(sock).status == 200


@pytest.mark.parametrize(
    ("path", "content_type"),
    [(COMMENTS, "application/json"), ("/admin/login", "application/x-www-form-urlencoded")],
)
def test_a_body_trickled_past_the_deadline_gets_408(
    demo: DemoServer, path: str, content_type: str
) -> None:
    with ExitStack() as held:
        slow = []
        for _ in range(8):
            sock = connect(demo.port, "127.0.0.6")
            held.callback(sock.close)
            sock.sendall(head("POST", path, **{"Content-Type": content_type,
                                               "Content-Length": "1000",
                                               "Origin": demo.url}))  # fmt: skip
            sock.sendall(b"{" if content_type == "application/json" else b"email=")
            slow.append(sock)
        served(demo)
        for sock in slow:
            answer = read_answer(sock)
            assert answer.status == 408, answer.body
            assert answer.json()["error"]["code"] == "body_timeout"


def nested(depth: int) -> bytes:
    return ('{"text": ' + "[" * depth + "]" * depth + "}").encode()


@pytest.mark.parametrize("depth", [33, 2_000, 30_000])
def test_json_nested_too_deep_is_refused_before_parsing(demo: DemoServer, depth: int) -> None:
    response = httpx.post(
        demo.url + COMMENTS, content=nested(depth),
        headers={"Content-Type": "application/json", "Origin": demo.url}, timeout=15,
    )  # fmt: skip
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "json_too_deep"


def test_json_nested_within_the_limit_reaches_validation(demo: DemoServer) -> None:
    response = httpx.post(
        demo.url + COMMENTS, content=nested(31),
        headers={"Content-Type": "application/json", "Origin": demo.url}, timeout=15,
    )  # fmt: skip
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid"


def test_brackets_inside_strings_are_text_not_nesting(demo: DemoServer) -> None:
    body = json.dumps({"text": "[" * 500 + "{" * 500, "author_name": "Brackets"}).encode()
    response = httpx.post(
        demo.url + COMMENTS, content=body,
        headers={"Content-Type": "application/json", "Origin": demo.url}, timeout=15,
    )  # fmt: skip
    assert response.status_code != 400, response.text


def test_a_huge_body_is_refused_from_its_declared_length_alone(demo: DemoServer) -> None:
    with connect(demo.port) as sock:
        sock.sendall(head("POST", COMMENTS, **{"Content-Type": "application/json",
                                               "Content-Length": str(512 * 1024 * 1024),
                                               "Origin": demo.url}))  # fmt: skip
        answer = read_answer(sock)  # nothing of the body was sent
    assert answer.status == 413
    assert answer.json()["error"]["code"] == "too_large"


def test_a_huge_body_without_a_length_is_cut_off_at_the_limit(demo: DemoServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(32):  # 128 KiB in all, twice the limit
            yield b"x" * 4096

    response = httpx.post(
        demo.url + COMMENTS, content=chunks(),
        headers={"Content-Type": "application/json", "Origin": demo.url}, timeout=15,
    )  # fmt: skip
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


@pytest.mark.parametrize("size", [40 * 1024, 8 * 1024 * 1024])
def test_a_request_head_too_large_is_refused_and_others_served(demo: DemoServer, size: int) -> None:
    """httptools alone took a head of any size (an 8 MiB header line was answered 200)."""
    with connect(demo.port) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ")
        sent = 0
        with contextlib.suppress(ConnectionError):  # the server may close mid-send
            for _ in range(size // 4096):
                sock.sendall(b"x" * 4096)
                sent += 4096
            sock.sendall(b"\r\n\r\n")
        answer = read_answer(sock)
    assert answer.status == 431
    assert answer.json()["error"]["code"] == "head_too_large"
    assert sent < size or size < 64 * 1024, "the server stopped reading long before the end"
    served(demo)


def test_a_head_within_the_limit_is_served(demo: DemoServer) -> None:
    with connect(demo.port) as sock:
        sock.sendall(head("GET", "/healthz", **{"X-Padding": "x" * (24 * 1024)}))
        assert read_answer(sock).status == 200
