"""Where mail goes: an SMTP server (`TALKBACK_SMTP_URL`), or the demo's local mailbox.

`TALKBACK_SMTP_URL` forms:

- `smtp://host:25` — plain SMTP, as to a local relay;
- `smtp+starttls://user:password@host:587` — upgraded with STARTTLS, then authenticated;
- `smtps://user:password@host:465` — implicit TLS.

User and password are percent-decoded; `?timeout=SECONDS` sets the network timeout, and
`?cafile=PATH` trusts the certificate authority in that PEM file (a relay with a
certificate from a private CA); otherwise the system's authorities are trusted.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
from sqlalchemy import insert

from talkback import clock
from talkback.outbox.worker import DeliveryFailed
from talkback.store.database import Database
from talkback.store.tables import demo_mailbox


class MailTransport(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand the message over, or raise `DeliveryFailed`."""

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class SmtpServer:
    hostname: str
    port: int
    use_tls: bool
    start_tls: bool
    username: str | None
    password: str | None
    timeout: float
    cafile: str | None = None


def parse_smtp_url(url: str) -> SmtpServer:
    parts = urlsplit(url)
    modes = {
        "smtp": (False, False, 25),
        "smtp+starttls": (False, True, 587),
        "smtps": (True, False, 465),
    }
    if parts.scheme not in modes or not parts.hostname:
        raise ValueError(
            "TALKBACK_SMTP_URL must look like smtp://host:25, smtp+starttls://user:pass@host:587 "
            "or smtps://user:pass@host:465"
        )
    use_tls, start_tls, default_port = modes[parts.scheme]
    query = parse_qs(parts.query)
    timeout = query.get("timeout", ["30"])[0]
    return SmtpServer(
        hostname=parts.hostname,
        port=parts.port or default_port,
        use_tls=use_tls,
        start_tls=start_tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        timeout=float(timeout),
        cafile=query.get("cafile", [None])[0],
    )


IDLE_CHECK_SECONDS = 20.0
"""A kept connection idle longer than this is checked (NOOP) before the next mail."""


class SmtpTransport:
    """One SMTP connection, kept open between messages and opened again when it drops.

    Messages go one at a time over it (SMTP has no pipelining of whole messages), which on
    a relay nearby is far cheaper than a connection, greeting and TLS handshake each.
    """

    def __init__(self, url: str) -> None:
        self.server = parse_smtp_url(url)
        self._client: aiosmtplib.SMTP | None = None
        self._last_used = 0.0
        self._lock = asyncio.Lock()

    async def send(self, message: EmailMessage) -> None:
        async with self._lock:
            try:
                client = await self._connected()
                await client.send_message(message)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                # 550 "no such user" is final; 450 "mailbox busy" or greylisting is not.
                final = all(500 <= refusal.code < 600 for refusal in exc.recipients)
                raise DeliveryFailed(f"recipient refused: {exc}", permanent=final) from exc
            except aiosmtplib.SMTPAuthenticationError as exc:
                await self._drop_connection()
                # Wrong credentials are this server's setting, not the message's fault:
                # retried, so mail waits until an admin fixes TALKBACK_SMTP_URL.
                raise DeliveryFailed(
                    f"SMTP login refused ({exc.code} {exc.message}): check the user and "
                    "password in TALKBACK_SMTP_URL"
                ) from exc
            except aiosmtplib.SMTPResponseException as exc:
                await self._drop_connection()
                # 5xx is the server's final word on this message; 4xx is "try later".
                raise DeliveryFailed(
                    f"SMTP {exc.code}: {exc.message}", permanent=500 <= exc.code < 600
                ) from exc
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                await self._drop_connection()
                raise DeliveryFailed(f"SMTP server unreachable: {exc}") from exc

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            if time.monotonic() - self._last_used < IDLE_CHECK_SECONDS:
                self._last_used = time.monotonic()
                return self._client
            # Relays close idle connections, often without a word: ask before trusting
            # one that sat idle, so the next mail does not fail and wait for its retry.
            try:
                await self._client.noop()
                self._last_used = time.monotonic()
                return self._client
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                await self._drop_connection()
        server = self.server
        client = aiosmtplib.SMTP(
            hostname=server.hostname,
            port=server.port,
            use_tls=server.use_tls,
            start_tls=server.start_tls,
            username=server.username,
            password=server.password,
            timeout=server.timeout,
            cert_bundle=server.cafile,
        )
        await client.connect()
        self._client = client
        self._last_used = time.monotonic()
        return client

    async def _drop_connection(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            client.close()

    async def close(self) -> None:
        async with self._lock:
            client, self._client = self._client, None
            if client is not None and client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError):
                    client.close()


class MailboxTransport:
    """The demo's mailbox: messages are stored, and `/demo/mailbox` shows them."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def send(self, message: EmailMessage) -> None:
        values = {
            "message_id": str(message["Message-ID"]),
            "recipient": str(message["To"]),
            "subject": str(message["Subject"]),
            "raw": message.as_string(),
            "created_at": clock.now(),
        }
        await self._database.write(lambda conn: conn.execute(insert(demo_mailbox).values(values)))

    async def close(self) -> None:
        return None
