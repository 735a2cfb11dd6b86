"""What features send mail through: the transport, the sender, and links back here."""

from __future__ import annotations

from email.message import EmailMessage
from urllib.parse import urlencode

from talkback.config import Settings
from talkback.errors import Unavailable
from talkback.mail.compose import build_message
from talkback.mail.transport import MailboxTransport, MailTransport, SmtpTransport
from talkback.outbox.messages import OutboxItem
from talkback.store.database import Database


class Mailer:
    def __init__(self, settings: Settings, database: Database) -> None:
        self.sender_address = settings.mail_from
        self.public_url = settings.public_url.rstrip("/")
        self.transport: MailTransport | None
        if settings.smtp_url:
            self.transport = SmtpTransport(settings.smtp_url)
        elif settings.demo_mailbox:
            self.transport = MailboxTransport(database)
        else:
            self.transport = None

    @property
    def enabled(self) -> bool:
        return self.transport is not None

    def require(self) -> None:
        """Refuse a request that only makes sense if mail goes out (subscribe, sign in)."""
        if self.transport is None:
            raise Unavailable(
                "this server sends no mail (TALKBACK_SMTP_URL is not set)",
                code="mail_unavailable",
            )

    def link(self, path: str, **query: str | int) -> str:
        """An absolute link to this server, as a mail carries it."""
        suffix = f"?{urlencode(query)}" if query else ""
        return f"{self.public_url}{path}{suffix}"

    def message(
        self,
        item: OutboxItem,
        *,
        sender_name: str,
        subject: str,
        text: str,
        html: str,
        unsubscribe_url: str | None = None,
    ) -> EmailMessage:
        return build_message(
            sender_name=sender_name,
            sender_address=self.sender_address,
            to=item.recipient,
            subject=subject,
            text=text,
            html=html,
            message_id=item.message_id,
            unsubscribe_url=unsubscribe_url,
        )

    async def send(self, message: EmailMessage) -> None:
        self.require()
        assert self.transport is not None
        await self.transport.send(message)

    async def close(self) -> None:
        if self.transport is not None:
            await self.transport.close()
