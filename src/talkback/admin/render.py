"""How the admin pages are rendered and answered: Jinja with autoescape, strict headers,
and one place that turns errors into pages.

Every admin page sends a Content-Security-Policy allowing only 'self' (the pages use no
inline script or style, and load nothing from elsewhere), may not be framed, and is never
cached. A request without a session is sent to the login page; any other refusal becomes
an error page with the right status, never the API's JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader

from talkback import __version__
from talkback.admin.auth import (
    CSRF_FIELD,
    PASSWORD_PAGE,
    PasswordChangeRequired,
    SignInRequired,
    current_session,
    guard_ui,
)
from talkback.context import Context
from talkback.errors import TalkbackError
from talkback.sites.sites import Site, list_sites

LOGIN_PATH = "/admin/login"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

# Notices shown after a redirect, by key: the query string never carries text to show.
NOTICES = {
    "approve": "Approved.",
    "reject": "Rejected.",
    "spam": "Marked as spam.",
    "delete": "Deleted.",
    "pin": "Pinned: it comes first in its thread.",
    "unpin": "Unpinned.",
    "feature": "Featured.",
    "unfeature": "No longer featured.",
    "thread_saved": "Thread saved.",
    "edited": "Comment saved.",
    "nothing_selected": "Select comments first (x, or the checkboxes).",
    "banned": "Ban added.",
    "lifted": "Ban lifted.",
    "settings_saved": "Settings saved.",
    "staff_added": "Staff account added.",
    "staff_removed": "Staff account removed; its sessions have ended.",
    "confirm_removal": "Tick the confirmation to remove a staff account.",
    "role_changed": "Role changed; it applies from the account's next click.",
    "password_set": "Password set; the account must choose a new one at its next sign-in.",
    "own_password_changed": "Your password is changed; your other browsers are signed out.",
    "signed_out": "You are signed out.",
    "password_changed": "Your password is changed; sign in with the new one.",
    "message_retried": "The message is queued again.",
    "test_mail_queued": "Test mail queued; it shows below once sent.",
    "reader_deleted": "The reader's data is deleted.",
    "confirm_needed": "Tick the confirmation to delete a reader's data.",
    "campaign_created": "Campaign created.",
    "campaign_saved": "Campaign saved.",
    "campaign_closed": "Campaign closed: its bar stays, without the button.",
    "campaign_reopened": "Campaign reopened.",
    "campaign_current": "This campaign is now the current one.",
    "donation_added": "Donation added.",
    "donation_refunded": "Donation marked as refunded.",
    "message_approved": "Message approved: it shows on the donor wall.",
    "message_pending": "Message held for review.",
    "message_rejected": "Message rejected.",
    "webhook_activated": "Endpoint activated.",
    "webhook_deactivated": "Endpoint deactivated: it gets test events only.",
    "webhook_deleted": "Endpoint deleted, with its delivery log.",
    "webhook_test": "Test event queued.",
    "webhook_redelivered": "Delivery queued again.",
}


def _when(value: str | datetime | None) -> str:
    """A time as staff read it: day, month and UTC time."""
    if value is None:
        return ""
    moment = (
        datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    )
    return moment.strftime("%d %b %Y, %H:%M UTC")


def _percent(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100)}%"


templates = Environment(
    loader=PackageLoader("talkback", "templates/admin"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters["when"] = _when
templates.filters["percent"] = _percent
templates.globals.update(version=__version__, csrf_field=CSRF_FIELD)


def context_of(request: Request) -> Context:
    ctx: Context = request.app.state.context
    return ctx


async def render(
    request: Request,
    template: str,
    *,
    status: int = 200,
    site: Site | None = None,
    headers: dict[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    """Render an admin page with what every page shows: who is signed in, the sites."""
    session = await current_session(request)
    sites = await list_sites(context_of(request).database) if session else []
    notice = NOTICES.get(request.query_params.get("notice", ""))
    body = templates.get_template(template).render(
        request=request, here=_here(request), session=session,
        staff=session.staff if session else None,
        csrf_token=session.csrf_token if session else "", sites=sites, site=site,
        notice=notice, **values,
    )  # fmt: skip
    return HTMLResponse(body, status_code=status, headers=headers)


def _here(request: Request) -> str:
    """This page's path and query, without a notice, to come back to after an action."""
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "notice"])
    return f"{request.url.path}?{query}" if query else request.url.path


def local_path(target: str | None, default: str = "/admin/") -> str:
    """A redirect target inside the admin pages only (never an open redirect)."""
    unsafe = ("//", "\\", "..")
    if target and target.startswith("/admin/") and not any(part in target for part in unsafe):
        return target
    return default


def redirect(path: str, **query: str) -> RedirectResponse:
    """303 See Other: after a form post, the browser follows with a GET."""
    url = f"{path}{'&' if '?' in path else '?'}{urlencode(query)}" if query else path
    return RedirectResponse(url, status_code=303)


class AdminRoute(APIRoute):
    """Adds the security headers to every admin page and turns errors into pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            response: Response
            try:
                response = await handler(request)
            except SignInRequired:
                target = request.url.path
                if request.url.query:
                    target += f"?{request.url.query}"
                next_path = target if request.method == "GET" else "/admin/"
                response = redirect(LOGIN_PATH, next=next_path)
            except PasswordChangeRequired:
                response = redirect(PASSWORD_PAGE)
            except TalkbackError as exc:
                response = await render(
                    request, "error.html", status=exc.status, error=exc, title="Not possible"
                )
            except RequestValidationError:
                error = TalkbackError("some of the form's values are not valid", code="invalid")
                response = await render(
                    request, "error.html", status=422, error=error, title="Not possible"
                )
            response.headers.update(SECURITY_HEADERS)
            return response

        return handle


def public_router() -> APIRouter:
    return APIRouter(prefix="/admin", route_class=AdminRoute, include_in_schema=False)


def guarded_router() -> APIRouter:
    """Pages for signed-in staff; writes need the CSRF token and a same-origin request."""
    return APIRouter(
        prefix="/admin",
        route_class=AdminRoute,
        include_in_schema=False,
        dependencies=[Depends(guard_ui)],
    )
