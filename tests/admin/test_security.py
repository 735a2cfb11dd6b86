"""Who may use the admin pages and API, and from where: sessions, CSRF, origins, roles,
sign-in rate limits, and what a failed sign-in reveals."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from typing import Literal

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from talkback.staff import accounts as staff_service
from tests.admin.conftest import ADMIN, HOST, MODERATOR, PASSWORD, SITE, Newsroom

PUBLIC = {
    ("GET", "/admin/login"), ("POST", "/admin/login"), ("POST", "/api/v1/admin/login"),
    # Password reset by email link: for staff who cannot sign in (tests/staff_mail/).
    ("GET", "/admin/password-reset"), ("POST", "/admin/password-reset"),
    ("GET", "/admin/password-reset/new"), ("POST", "/admin/password-reset/new"),
}  # fmt: skip
SAMPLES = {"site": SITE, "action": "approve"}
WRITES = ("POST", "PATCH", "DELETE", "PUT")


def admin_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app serves under /admin/ and /api/v1/admin/, sign-in aside,
    with path parameters filled in; new routes are covered without editing this test."""
    found: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        path = route.path or ""
        if not path.startswith(("/admin/", "/api/v1/admin/")):
            continue
        concrete = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLES.get(m.group(1), "1"), path)
        for method in route.methods or ():
            if method != "HEAD" and (method, path) not in PUBLIC:
                found.add((method, concrete))
    return sorted(found)


def test_the_enumeration_sees_the_admin_routes(newsroom: Newsroom) -> None:
    routes = admin_routes(newsroom.app)
    assert ("POST", f"/api/v1/admin/{SITE}/comments/1/approve") in routes
    assert ("PATCH", f"/api/v1/admin/{SITE}/settings") in routes
    assert ("GET", f"/admin/{SITE}/queue") in routes
    assert ("POST", "/admin/logout") in routes
    assert len(routes) > 30


async def test_every_admin_endpoint_refuses_a_request_without_a_session(
    newsroom: Newsroom,
) -> None:
    browser = await newsroom.browser()
    for method, path in admin_routes(newsroom.app):
        response = await browser.send(method, path, csrf="")
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path, response.text)
            assert response.json()["error"]["code"] == "not_signed_in"
        else:
            assert response.status_code == 303, (method, path, response.text)
            assert response.headers["location"].startswith("/admin/login?next=")


async def test_a_forged_or_expired_cookie_is_no_session(newsroom: Newsroom) -> None:
    browser = await newsroom.browser()
    browser.client.cookies.set("talkback_staff", "eyJpZCI6MX0.forged.signature")
    assert (await browser.get("/api/v1/admin/sites")).status_code == 401


async def test_a_cross_site_write_is_refused_even_with_a_session_and_token(
    newsroom: Newsroom,
) -> None:
    comment = await newsroom.held()
    editor = await newsroom.signed_in()
    for origin in ("https://evil.example", "http://talkback.test.evil.example", "null"):
        response = await editor.post(
            f"/api/v1/admin/{SITE}/comments/{comment}/approve", origin=origin
        )
        assert response.status_code == 403, origin
        assert response.json()["error"]["code"] == "cross_site"
    page = await editor.post(f"/admin/{SITE}/comments/{comment}/approve", data={}, origin=None)
    assert page.status_code == 303  # no Origin nor Referer at all: the token decides
    queue = await editor.get(f"/api/v1/admin/{SITE}/queue")
    assert [c["id"] for c in queue.json()["comments"]] == []


async def test_a_foreign_referer_counts_when_there_is_no_origin(newsroom: Newsroom) -> None:
    comment = await newsroom.held()
    editor = await newsroom.signed_in()
    response = await editor.client.post(
        f"/api/v1/admin/{SITE}/comments/{comment}/reject",
        headers={"Referer": "https://evil.example/page", "X-CSRF-Token": editor.csrf},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "cross_site"


async def test_writes_need_the_sessions_csrf_token(newsroom: Newsroom) -> None:
    comment = await newsroom.held()
    editor = await newsroom.signed_in()
    other = await newsroom.signed_in(MODERATOR)
    path = f"/api/v1/admin/{SITE}/comments/{comment}/approve"
    for token in ("", "0" * 64, other.csrf):
        response = await editor.post(path, csrf=token)
        assert response.status_code == 403, token
        assert response.json()["error"]["code"] == "bad_csrf"
    form = await editor.post(f"/admin/{SITE}/comments/{comment}/approve", data={}, csrf="")
    assert form.status_code == 403
    assert "CSRF" in form.text
    assert (await editor.post(path)).status_code == 200


async def test_every_admin_write_checks_csrf(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    for method, path in admin_routes(newsroom.app):
        if method in WRITES:
            response = await editor.send(method, path, csrf="wrong")
            assert response.status_code == 403, (method, path, response.text)


async def test_moderators_cannot_change_settings_or_staff(newsroom: Newsroom) -> None:
    moderator = await newsroom.signed_in(MODERATOR)
    refused = [
        await moderator.patch(f"/api/v1/admin/{SITE}/settings", json={"name": "Mine now"}),
        await moderator.get("/api/v1/admin/staff"),
        await moderator.post(
            "/api/v1/admin/staff",
            json={"email": "new@news.example", "password": PASSWORD, "role": "admin"},
        ),
    ]
    for response in refused:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "admin_only"
    page = await moderator.post(f"/admin/{SITE}/settings", data={"name": "Mine now"}, origin=HOST)
    assert page.status_code == 403
    assert (await moderator.get("/admin/staff")).status_code == 403
    settings = await moderator.get(f"/api/v1/admin/{SITE}/settings")
    assert settings.json()["settings"]["name"] == "The Example News"


async def test_the_session_cookie_is_http_only_and_same_site_lax(newsroom: Newsroom) -> None:
    browser = await newsroom.browser()
    response = await browser.login(ADMIN)
    cookie = SimpleCookie(response.headers["set-cookie"])["talkback_staff"]
    assert cookie["httponly"]
    assert cookie["samesite"].lower() == "lax"
    assert cookie["path"] == "/"
    assert not cookie["secure"]  # plain http here; https requests get Secure


async def test_the_cookie_is_secure_on_https(newsroom: Newsroom) -> None:
    browser = await newsroom.browser()
    response = await browser.client.post(
        "https://talkback.test/api/v1/admin/login",
        json={"email": ADMIN, "password": PASSWORD},
        headers={"Origin": "https://talkback.test"},
    )
    assert response.status_code == 200
    assert SimpleCookie(response.headers["set-cookie"])["talkback_staff"]["secure"]


async def test_logout_ends_every_session_of_that_staff_member(newsroom: Newsroom) -> None:
    laptop = await newsroom.signed_in()
    phone = await newsroom.signed_in()
    stolen = laptop.client.cookies.get("talkback_staff")
    assert (await laptop.post("/api/v1/admin/logout")).status_code == 204
    assert (await laptop.get("/api/v1/admin/sites")).status_code == 401
    assert (await phone.get("/api/v1/admin/sites")).status_code == 401
    replay = await newsroom.browser()
    replay.client.cookies.set("talkback_staff", stolen or "")
    assert (await replay.get("/api/v1/admin/sites")).status_code == 401
    assert (await (await newsroom.signed_in()).get("/api/v1/admin/sites")).status_code == 200


async def test_sign_in_is_rate_limited_per_email(limited_newsroom: Newsroom) -> None:
    browser = await limited_newsroom.browser()
    for _ in range(5):
        assert (await browser.login(ADMIN, "not the password")).status_code == 401
    blocked = await browser.login(ADMIN)
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(blocked.headers["retry-after"]) <= 60
    assert (await browser.login(MODERATOR)).status_code == 200


async def test_sign_in_is_rate_limited_per_address(limited_newsroom: Newsroom) -> None:
    browser = await limited_newsroom.browser()
    for n in range(20):
        assert (await browser.login(f"guess{n}@news.example", "nope")).status_code == 401
    blocked = await browser.login(MODERATOR)
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) >= 1


async def test_the_login_page_reports_the_rate_limit(limited_newsroom: Newsroom) -> None:
    browser = await limited_newsroom.browser()
    for _ in range(6):
        page = await browser.client.post(
            "/admin/login",
            data={"email": ADMIN, "password": "wrong password"},
            headers={"Origin": HOST},
        )
    assert page.status_code == 429
    assert page.headers["retry-after"]
    assert "too many sign-in attempts" in page.text


class CountingHasher(PasswordHasher):
    verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)


async def test_wrong_password_and_unknown_email_look_the_same(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same status and body, and the same work: one argon2 verification either way."""
    hasher = CountingHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(staff_service, "_hasher", hasher)
    browser = await newsroom.browser()
    wrong_password = await browser.login(ADMIN, "not the password")
    after_wrong, hasher.verified = hasher.verified, 0
    unknown_email = await browser.login("nobody@news.example", "not the password")
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert wrong_password.json()["error"]["code"] == "invalid_login"
    assert after_wrong == hasher.verified == 1


async def test_cross_site_sign_in_is_refused(newsroom: Newsroom) -> None:
    browser = await newsroom.browser()
    response = await browser.client.post(
        "/api/v1/admin/login",
        json={"email": ADMIN, "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


async def test_admin_pages_send_a_strict_content_security_policy(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    for path in ("/admin/login", f"/admin/{SITE}/queue", f"/admin/{SITE}/stats"):
        response = await editor.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
        assert "<script>" not in response.text  # no inline script anywhere
        assert not re.search(r"<[^>]*\son[a-z]+=", response.text)  # no inline handlers
    api = await editor.get(f"/api/v1/admin/{SITE}/queue")
    assert api.headers["cache-control"] == "no-store"
    assert "access-control-allow-origin" not in api.headers


async def test_the_login_page_never_redirects_off_site(newsroom: Newsroom) -> None:
    browser = await newsroom.browser()
    for target in ("https://evil.example/", "//evil.example/", "/admin/\\evil", "/admin/../x"):
        response = await browser.client.post(
            "/admin/login",
            data={"email": ADMIN, "password": PASSWORD, "next": target},
            headers={"Origin": HOST},
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/admin/"
