"""A real SMTP server on loopback (aiosmtpd) that keeps what it is sent, for mail tests."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Keeper:
    def __init__(self, sink: MailSink) -> None:
        self._sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self._sink.refuse_with is not None:
            return self._sink.refuse_with
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._sink.lock:
            self._sink.messages.append(message)
            self._sink.envelopes.append(list(envelope.rcpt_tos))
        return "250 OK"


class MailSink:
    """An SMTP server on 127.0.0.1 at a fixed port, which can go down and come back.

    `url` is what TALKBACK_SMTP_URL is set to. `refuse_with` makes it answer DATA with
    an error (say "451 try later") instead of keeping the message.
    """

    def __init__(self, port: int | None = None, **server_options: Any) -> None:
        """`server_options` go to aiosmtpd's Controller: `ssl_context` (implicit TLS),
        `tls_context` and `require_starttls`, `authenticator` and `auth_required`."""
        self.port = port or free_port()
        self.server_options = server_options
        self.messages: list[EmailMessage] = []
        self.envelopes: list[list[str]] = []
        self.refuse_with: str | None = None
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?timeout=5"

    def start(self) -> None:
        self._controller = Controller(
            _Keeper(self), hostname="127.0.0.1", port=self.port, **self.server_options
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Block until at least `count` messages arrived (threads: the server runs in one)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} mails, got {len(self.messages)}")

    async def until(self, count: int, within: float = 10.0) -> list[EmailMessage]:
        """`wait_for` for async tests, without blocking their event loop."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            await asyncio.sleep(0.02)
        raise AssertionError(f"expected {count} mails, got {len(self.messages)}")


def text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())
