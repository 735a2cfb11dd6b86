"""A fake Stripe API on loopback: it answers Checkout Session creation as Stripe does and
keeps every request it received, so tests can assert what Talkback sent."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

CHECKOUT_HOST = "https://checkout.stripe.test"


@dataclass
class StripeRequest:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


def stripe_checkout_page(session_id: str) -> str:
    return f"{CHECKOUT_HOST}/c/pay/{session_id}"


@dataclass
class FakeStripe:
    url: str
    requests: list[StripeRequest] = field(default_factory=list)
    fail_with: int | None = None

    def checkout_requests(self) -> list[StripeRequest]:
        return [r for r in self.requests if r.path == "/v1/checkout/sessions"]

    @property
    def sessions(self) -> list[dict[str, str]]:
        """The form fields of every Checkout Session asked for, in order."""
        return [r.form for r in self.checkout_requests()]


@contextmanager
def fake_stripe(
    checkout_page: Callable[[str], str] = stripe_checkout_page,
) -> Iterator[FakeStripe]:
    """The server on a free port of 127.0.0.1 for the duration of the block; sessions send
    the reader to `checkout_page(session_id)` (browser tests need a loopback page)."""
    state = FakeStripe(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the stdlib names handlers after the method
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            state.requests.append(
                StripeRequest("POST", self.path, dict(self.headers.items()), dict(parse_qsl(body)))
            )
            if state.fail_with is not None:
                error = {"error": {"type": "invalid_request_error", "message": "Declined"}}
                self._answer(state.fail_with, error)
                return
            if self.path != "/v1/checkout/sessions":
                self._answer(404, {"error": {"type": "invalid_request_error"}})
                return
            number = len(state.checkout_requests())
            session_id = f"cs_test_{number}"
            self._answer(
                200,
                {
                    "id": session_id,
                    "object": "checkout.session",
                    "mode": "payment",
                    "payment_status": "unpaid",
                    "url": checkout_page(session_id),
                },
            )

        def _answer(self, status: int, body: Mapping[str, object]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", "req_fake")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
