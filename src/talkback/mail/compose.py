"""Mail from templates: a text part and an HTML part, in the site's language.

Each kind of mail is two templates, `templates/mail/<name>.<lang>.txt` and `.html`
(`lang` is `en` or `de`; other locales fall back to `en`). The text template's first line
is `Subject: ...`. HTML templates are autoescaped; text templates are not, and neither
ever receives reader HTML, only plain text (comment excerpts are made from `text`).
"""

from __future__ import annotations

import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache

from babel import Locale
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from talkback import clock

LANGUAGES = ("en", "de")
EXCERPT_CHARS = 300


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("talkback", "templates/mail"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def language_of(locale: str | None) -> str:
    """The templates' language for a site or subscriber locale (`de_AT` → `de`)."""
    try:
        language = Locale.parse(locale or "en").language
    except (ValueError, TypeError):
        return "en"
    return language if language in LANGUAGES else "en"


def one_line(text: str, limit: int = 200) -> str:
    """Text safe for a header: no line breaks, no control characters, bounded."""
    flat = re.sub(r"[\x00-\x1f\x7f\s]+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of a comment's plain text, for a mail body."""
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def render(name: str, locale: str | None, **values: object) -> tuple[str, str, str]:
    """(subject, text, html) of template `name` in the language of `locale`."""
    language = language_of(locale)
    env = _environment()
    text = env.get_template(f"{name}.{language}.txt").render(**values)
    html = env.get_template(f"{name}.{language}.html").render(**values)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject: "):
        raise ValueError(f"mail template {name}.{language}.txt must start with 'Subject: '")
    return one_line(first.removeprefix("Subject: ")), body.lstrip("\n"), html


def build_message(
    *,
    sender_name: str,
    sender_address: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    unsubscribe_url: str | None = None,
) -> EmailMessage:
    """A multipart/alternative message with a stable Message-ID.

    `message_id` is the outbox row's: the same on every attempt, so a mail sent twice
    after a crash is recognisably one message. With `unsubscribe_url`, the RFC 8058
    headers let a mail client offer one-click unsubscribe (a POST to that https URL).
    """
    message = EmailMessage()
    message["From"] = Address(display_name=one_line(sender_name, 78), addr_spec=sender_address)
    message["To"] = to
    message["Subject"] = one_line(subject)
    message["Date"] = format_datetime(clock.now())
    domain = sender_address.rpartition("@")[2] or "talkback.invalid"
    message["Message-ID"] = f"<{message_id}@{domain}>"
    if unsubscribe_url is not None:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
