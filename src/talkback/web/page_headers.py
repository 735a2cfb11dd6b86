"""Security headers on every page the server sends, and the policies pages build theirs from.

Every answer gets `X-Content-Type-Options: nosniff` (a browser must not run a JSON body
or an upload as script). Every HTML answer gets a Content-Security-Policy, may not be
framed (`frame-ancestors 'none'` and, for browsers that predate it, `X-Frame-Options`)
and sends referrers only to its own origin in full. A page that needs more (the demo
article's inline styles, the checkout form's return address) sends its own policy, built
with `policy()`; the middleware fills in only what a response left out, so a page's own
choice always wins. Inline script is never allowed except by hash (`inline_hashes`):
nothing a reader writes can become a script the policy lets run.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

STRICT = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
"""What a page may load when it says nothing: its own scripts, styles and images, its own
API, nothing framed in it and nowhere to be framed."""

PAGE_HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
}


def policy(**directives: str) -> str:
    """The strict policy with the given directives replaced or added (`style_src=` is
    `style-src`); an empty value drops the directive."""
    merged = {**STRICT, **{name.replace("_", "-"): value for name, value in directives.items()}}
    return "; ".join(f"{name} {value}" for name, value in merged.items() if value)


def page_headers(content_security_policy: str) -> dict[str, str]:
    """The headers of an HTML page sending this policy."""
    return {"Content-Security-Policy": content_security_policy, **PAGE_HEADERS}


def inline_hashes(html: str, tag: str) -> str:
    """The CSP hash sources (`'sha256-…'`) of each `<tag>` element's text in `html`.

    Give it a template's source, not a rendered page: the allowance then covers exactly
    what the template's author wrote, never what a request put into a page.
    """
    pattern = re.compile(rf"<{tag}(?:\s[^>]*)?>(.*?)</{tag}>", re.DOTALL | re.IGNORECASE)
    digests = (hashlib.sha256(text.encode()).digest() for text in pattern.findall(html))
    return " ".join(f"'sha256-{base64.b64encode(digest).decode()}'" for digest in digests)


_DEFAULT_CSP = policy().encode()
_FILLED_ON_PAGES = [(name.lower().encode(), value.encode()) for name, value in PAGE_HEADERS.items()]
_NOSNIFF = (b"x-content-type-options", b"nosniff")


class SecurityHeadersMiddleware:
    """Adds the headers a response lacks: nosniff on all, the page headers on HTML."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _completed(list(message.get("headers", [])))}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _completed(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower(): value for name, value in headers}
    if present.get(b"content-type", b"").startswith(b"text/html"):
        wanted = [(b"content-security-policy", _DEFAULT_CSP), *_FILLED_ON_PAGES]
    else:
        wanted = [_NOSNIFF]
    return headers + [(name, value) for name, value in wanted if name not in present]
