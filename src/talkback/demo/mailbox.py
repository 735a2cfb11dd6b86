"""The demo's mailbox at `/demo/mailbox`: the mail `talkback demo` would have sent.

Mounted only while mail goes to the local mailbox (demo mailbox on, no SMTP server), so a
newcomer can read the confirmation, sign-in and notification mails and click their links
without a mail server. Anyone who can reach the server can read these mails (sign-in
links included): it is for a demo on one's own machine, never for a real site.

The mails are our own, but they carry what readers wrote, so their HTML is treated as
untrusted: it is shown in a sandboxed frame (`srcdoc`, no scripts, no same origin), and
the page itself forbids scripts by its Content-Security-Policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.parser import Parser
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from talkback.demo.templates import templates
from talkback.errors import NotFound
from talkback.store.tables import demo_mailbox
from talkback.web.deps import MAX_ID, Ctx

PATH = "/demo/mailbox"
LIST_LIMIT = 200
SHOWN_HEADERS = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
)
LINK = re.compile(r"https?://[^\s<>\"')]+")
# The mail's own links open in a new tab (a sandboxed frame could not submit their forms).
FRAME_BASE = '<base target="_blank">'
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "img-src 'self' data:; frame-src 'self'; form-action 'none'; base-uri 'none'; "
    "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

router = APIRouter(include_in_schema=False)
DOCTYPE = re.compile(r"\A\s*<!doctype[^>]*>", re.IGNORECASE)


def _with_base(html: str) -> str:
    """The mail's HTML with FRAME_BASE after its doctype: before it, the doctype would no
    longer be the first thing and the frame would render in quirks mode."""
    doctype = DOCTYPE.match(html)
    split = doctype.end() if doctype else 0
    return html[:split] + FRAME_BASE + html[split:]


@dataclass(frozen=True, slots=True)
class Mail:
    """One kept mail, taken apart for showing."""

    id: int
    recipient: str
    subject: str
    created_at: datetime
    headers: list[tuple[str, str]]
    text: str
    html: str
    links: list[str]


@router.get(PATH, response_class=HTMLResponse)
async def mailbox(ctx: Ctx) -> HTMLResponse:
    """Every kept mail, newest first; it reloads itself, as mail arrives after a delay."""
    statement = (
        select(
            demo_mailbox.c.id,
            demo_mailbox.c.recipient,
            demo_mailbox.c.subject,
            demo_mailbox.c.created_at,
        )
        .order_by(demo_mailbox.c.id.desc())
        .limit(LIST_LIMIT)
    )
    rows = await ctx.database.read_rows(statement)
    html = templates.get_template("demo_mailbox.html").render(mails=rows, mail=None, path=PATH)
    return HTMLResponse(html, headers=SECURITY_HEADERS)


@router.get(PATH + "/{mail_id}", response_class=HTMLResponse)
async def mail_page(ctx: Ctx, mail_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> HTMLResponse:
    rows = await ctx.database.read_rows(select(demo_mailbox).where(demo_mailbox.c.id == mail_id))
    if not rows:
        raise NotFound("no such mail in the demo mailbox", code="mail_not_found")
    row = rows[0]
    mail = read_mail(row.id, row.recipient, row.subject, row.created_at, row.raw)
    html = templates.get_template("demo_mailbox.html").render(
        mails=None, mail=mail, frame=_with_base(mail.html), path=PATH
    )
    return HTMLResponse(html, headers=SECURITY_HEADERS)


def read_mail(mail_id: int, recipient: str, subject: str, created_at: datetime, raw: str) -> Mail:
    message = Parser(policy=policy.default).parsestr(raw)
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    text = text_part.get_content() if text_part is not None else ""
    html = html_part.get_content() if html_part is not None else ""
    headers = [(name, str(message[name])) for name in SHOWN_HEADERS if message[name] is not None]
    unsubscribe = str(message["List-Unsubscribe"] or "").strip("<>")
    found = LINK.findall(text) + ([unsubscribe] if unsubscribe else [])
    return Mail(
        id=mail_id,
        recipient=recipient,
        subject=subject,
        created_at=created_at,
        headers=headers,
        text=text,
        html=html,
        links=list(dict.fromkeys(found)),
    )
