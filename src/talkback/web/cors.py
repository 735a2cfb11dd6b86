"""Cross-origin rules per site: a site's API answers only its own origins.

Starlette's CORS middleware takes one fixed origin list for the whole app; Talkback hosts
many sites, each with its own origins, so the decision needs the site named in the path.
Readers authenticate with a header, never a cookie, so credentials are never allowed.
A state-changing request from a foreign origin is refused outright, not just unreadable.
"""

from __future__ import annotations

import re

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from talkback.errors import NotFound
from talkback.sites.sites import RESERVED_SITE_IDS, SiteDirectory
from talkback.web.deps import EDIT_TOKEN_HEADER, READER_HEADER
from talkback.web.errors import error_response

SITE_PATH = re.compile(r"^/api/v1/([a-z0-9][a-z0-9-]{0,63})/")
ALLOWED_METHODS = "GET, POST, PATCH, DELETE"
ALLOWED_HEADERS = f"Content-Type, {READER_HEADER}, {EDIT_TOKEN_HEADER}, If-None-Match"
EXPOSED_HEADERS = "ETag, Retry-After"
SAFE_METHODS = ("GET", "HEAD")


class SiteCORSMiddleware:
    def __init__(self, app: ASGIApp, sites: SiteDirectory) -> None:
        self.app = app
        self.sites = sites

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = Headers(scope=scope).get("origin")
        match = SITE_PATH.match(scope["path"])
        if origin is None or match is None or match.group(1) in RESERVED_SITE_IDS:
            await self.app(scope, receive, send)
            return
        try:
            allowed = (await self.sites.get(match.group(1))).allows_origin(origin)
        except NotFound:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS":
            await self._preflight(allowed, origin, scope, receive, send)
            return
        if not allowed and method not in SAFE_METHODS:
            response = error_response(403, "origin_not_allowed", f"{origin} may not write here")
            await response(scope, receive, send)
            return
        if not allowed:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"access-control-allow-origin", origin.encode("latin-1")),
                    (b"access-control-expose-headers", EXPOSED_HEADERS.encode()),
                    (b"vary", b"Origin"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(
        self, allowed: bool, origin: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        response: Response
        if not allowed:
            response = error_response(403, "origin_not_allowed", f"{origin} is not allowed here")
        else:
            response = Response(
                status_code=204,
                headers={
                    "access-control-allow-origin": origin,
                    "access-control-allow-methods": ALLOWED_METHODS,
                    "access-control-allow-headers": ALLOWED_HEADERS,
                    "access-control-max-age": "600",
                    "vary": "Origin",
                },
            )
        await response(scope, receive, send)
