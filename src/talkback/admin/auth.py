"""Staff sessions on the Talkback host: a signed cookie, CSRF tokens, an origin check, and
rate-limited sign-in.

The cookie carries the staff id, the staff row's `session_nonce` and a random session id;
it is signed with the server's secret and expires after SESSION_SECONDS. Rotating the
nonce (logout) kills every cookie issued before, on every node. The CSRF token is an HMAC
of the session id, so it needs no storage, changes with every sign-in, and cannot be
derived by a page that cannot read the HttpOnly cookie.

Every state-changing admin request must (1) come from the Talkback host itself, judged
by `Origin`, else `Referer`, against `Host` (so a reverse proxy must pass `Host` through),
and (2) carry the CSRF token as the `X-CSRF-Token` header or the `csrf_token` form field.
SameSite=Lax keeps the cookie off cross-site subrequests as a third line of defence.

An account whose password an admin set (`must_change_password`) may only sign out, ask
who it is, and change its password until it has chosen one of its own: every other
admin page sends it to the password page, every other API call answers 403.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from talkback.context import Context
from talkback.core.identity import hash_ip
from talkback.errors import Forbidden, Unauthorized
from talkback.staff.accounts import StaffMember, authenticate, load_session, rotate_nonce
from talkback.staff.management import change_own_password

SESSION_COOKIE = "talkback_staff"
SESSION_SALT = "talkback.staff-session"
SESSION_SECONDS = 12 * 3600
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_LIMIT_PER_EMAIL = "5/minute"
LOGIN_LIMIT_PER_IP = "20/minute"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
PASSWORD_PAGE = "/admin/password"
# What an account that must change its password may still reach.
OPEN_BEFORE_PASSWORD_CHANGE = frozenset(
    {PASSWORD_PAGE, "/admin/logout", "/api/v1/admin/password", "/api/v1/admin/logout",
     "/api/v1/admin/session"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AdminSession:
    """A signed-in staff member and the CSRF token their pages must send back."""

    staff: StaffMember
    csrf_token: str


class SignInRequired(Unauthorized):
    """No valid session; the admin UI answers this with a redirect to its login page."""

    code = "not_signed_in"


class PasswordChangeRequired(Forbidden):
    """An admin set this account's password; the admin UI answers with the password page."""

    code = "password_change_required"


def _context(request: Request) -> Context:
    context: Context = request.app.state.context
    return context


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SESSION_SALT)


def _csrf_token(secret_key: str, session_id: str) -> str:
    return hmac.new(secret_key.encode(), b"csrf:" + session_id.encode(), hashlib.sha256).hexdigest()


def _read_cookie(secret_key: str, cookie: str) -> tuple[int, str, str] | None:
    try:
        data: Any = _serializer(secret_key).loads(cookie, max_age=SESSION_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    staff_id, nonce, session_id = data.get("id"), data.get("nonce"), data.get("sid")
    if not (isinstance(staff_id, int) and isinstance(nonce, str) and isinstance(session_id, str)):
        return None
    return staff_id, nonce, session_id


async def current_session(request: Request) -> AdminSession | None:
    """The request's valid staff session, if any (looked up once per request)."""
    if hasattr(request.state, "admin_session"):
        cached: AdminSession | None = request.state.admin_session
        return cached
    session: AdminSession | None = None
    ctx = _context(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    parsed = _read_cookie(ctx.secret_key, cookie) if cookie else None
    if parsed is not None:
        staff_id, nonce, session_id = parsed
        member = await load_session(ctx.database, staff_id, nonce)
        if member is not None:
            session = AdminSession(member, _csrf_token(ctx.secret_key, session_id))
    request.state.admin_session = session
    return session


def check_same_origin(request: Request) -> None:
    """Refuse a request that a page on another host sent (CSRF, login CSRF)."""
    host = request.headers.get("host", "").lower()
    source = request.headers.get("origin") or request.headers.get("referer")
    if source is not None:
        if urlsplit(source).netloc.lower() != host or not host:
            raise Forbidden("admin requests must come from the admin pages", code="cross_site")
    elif request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        raise Forbidden("admin requests must come from the admin pages", code="cross_site")


async def _sent_csrf_token(request: Request) -> str:
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    return token or ""


async def _guard(request: Request, missing_session: type[Unauthorized]) -> AdminSession:
    unsafe = request.method not in SAFE_METHODS
    if unsafe:
        check_same_origin(request)
    session = await current_session(request)
    if session is None:
        raise missing_session("sign in first", code="not_signed_in")
    if unsafe and not hmac.compare_digest(await _sent_csrf_token(request), session.csrf_token):
        raise Forbidden("the CSRF token is missing or wrong; reload the page", code="bad_csrf")
    if session.staff.must_change_password and request.url.path not in OPEN_BEFORE_PASSWORD_CHANGE:
        raise PasswordChangeRequired("choose a new password first (an admin set this one)")
    return session


async def guard_api(request: Request) -> None:
    """Router-wide: a session for everything, origin and CSRF checks for every write."""
    await _guard(request, Unauthorized)


async def guard_ui(request: Request) -> None:
    """As `guard_api`, but a missing session sends the browser to the login page."""
    await _guard(request, SignInRequired)


async def require_session(request: Request) -> AdminSession:
    session = await current_session(request)
    if session is None:
        raise Unauthorized("sign in first", code="not_signed_in")
    return session


async def require_staff(session: Annotated[AdminSession, Depends(require_session)]) -> StaffMember:
    return session.staff


async def require_admin(staff: Annotated[StaffMember, Depends(require_staff)]) -> StaffMember:
    """Site settings and staff accounts are for admins; moderators get 403."""
    if not staff.is_admin:
        raise Forbidden("only an admin may do this", code="admin_only")
    return staff


async def sign_in(request: Request, response: Response, email: str, password: str) -> AdminSession:
    """Check the password (within the login rate limits) and set the session cookie.

    Both limits count every attempt, successful or not, before the password is checked:
    per email against guessing one account, per IP hash against trying many.
    """
    check_same_origin(request)
    ctx = _context(request)
    limits = ctx.rate_limits
    email_key = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    ip_key = hash_ip(request.client.host if request.client else "unknown", ctx.secret_key)
    await limits.check(LOGIN_LIMIT_PER_IP, "login-ip", ip_key, what="sign-in attempts")
    await limits.check(LOGIN_LIMIT_PER_EMAIL, "login-email", email_key, what="sign-in attempts")
    signed_in = await authenticate(ctx.database, email, password)
    return _start_session(request, response, signed_in.member, signed_in.nonce)


async def change_password(
    request: Request, response: Response, staff: StaffMember, current: str, new: str
) -> AdminSession:
    """Change the signed-in member's own password. Their other browsers are signed out
    (the nonce changes); this one gets a fresh cookie, and with it a new CSRF token."""
    ctx = _context(request)
    nonce = await change_own_password(ctx.database, staff, current, new)
    member = replace(staff, must_change_password=False)
    return _start_session(request, response, member, nonce)


def _start_session(
    request: Request, response: Response, member: StaffMember, nonce: str
) -> AdminSession:
    ctx = _context(request)
    session_id = secrets.token_urlsafe(18)
    cookie = _serializer(ctx.secret_key).dumps({"id": member.id, "nonce": nonce, "sid": session_id})
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_SECONDS,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    session = AdminSession(member, _csrf_token(ctx.secret_key, session_id))
    request.state.admin_session = session
    return session


async def sign_out(request: Request, response: Response, staff: StaffMember) -> None:
    """Rotate the nonce, so this cookie and every other of this staff member stop working."""
    await rotate_nonce(_context(request).database, staff.id)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax",
        secure=request.url.scheme == "https",
    )  # fmt: skip


SessionDep = Annotated[AdminSession, Depends(require_session)]
StaffDep = Annotated[StaffMember, Depends(require_staff)]
AdminDep = Annotated[StaffMember, Depends(require_admin)]
