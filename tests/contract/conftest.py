"""A newsroom for schemathesis: one site with comments, an admin and a moderator, and a
signed-in admin session whose cookie and CSRF token go with every generated request.

schemathesis reaches the app in-process through its own ASGI transport, which runs the app
(and its lifespan) on an event loop of its own; so the data is built beforehand, on another
loop with a `Context` of its own that is closed before the app starts. Every operation, on
SQLite and on PostgreSQL, starts from the same newsroom, whatever the operation before it
deleted or changed.
"""

from __future__ import annotations

import asyncio
import shutil
from http.cookies import SimpleCookie
from pathlib import Path
from tempfile import gettempdir
from typing import Any

import pytest
import schemathesis
from argon2 import PasswordHasher
from fastapi import FastAPI
from schemathesis import Case
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from talkback.admin.auth import CSRF_HEADER, SESSION_COOKIE
from talkback.app import create_app
from talkback.comments.posting import CommentDraft, post_comment
from talkback.config import Settings
from talkback.context import Context
from talkback.core.identity import hash_ip
from talkback.readers.tokens import Reader, issue_reader_token_for
from talkback.sites.sites import create_site
from talkback.staff import accounts as staff_service
from talkback.staff.accounts import create_staff
from talkback.store.migrate import migrate
from talkback.web.deps import READER_HEADER
from tests.api.conftest import reset

SITE = "news"
ORIGIN = "https://news.example"
ARTICLE = "/2026/11/river-barrier"
ADMIN = "editor@news.example"
MODERATOR = "mod@news.example"
PASSWORD = "a long enough password"
SECRET = "contract-test-secret-key"
HOST = "http://testserver"
"""schemathesis's ASGI transport sends `Host: testserver`; admin writes must come from there."""
ADMIN_API = "/api/v1/admin/"
DATABASE = "talkback.db"
EXAMPLES_PER_OPERATION = 10

CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
"""No 5xx, and every answer's status, media type and body as `/openapi.json` declares them.
(schemathesis's other default checks judge API design choices, such as answering 404 to a
well-formed id that names nothing, which are not this contract.)"""

Generated = Case[APIOperation[Any, Any, Any, Any]]

SESSION_ENDING = frozenset({"POST /api/v1/admin/logout"})
"""Operations after which the session is gone: each of their cases signs in afresh."""
ENDLESS = frozenset({"GET /api/v1/{site}/stream"})
STREAM_READ_SECONDS = 0.2
"""A live stream never ends by itself: its answer is read this long (status, headers and
any events), then cut. A bound on the read, not a timing the test asserts."""


def contract_settings(database_url: str) -> Settings:
    """A server configured as in production, minus what would reach outside: mail kept in
    the local mailbox, payments on the local test checkout, and the outbox worker off, so a
    generated webhook URL is never called. Rate limits off, so the generated cases exercise
    the operations rather than the limiter."""
    return Settings(
        database_url=database_url,
        secret_key=SECRET,
        rate_limits="off",
        outbox_worker="off",
        demo_mailbox=True,
        demo_payments=True,
    )


schema = schemathesis.openapi.from_dict(
    create_app(contract_settings(f"sqlite+aiosqlite:///{gettempdir()}/never-opened.db")).openapi(),
    config=SchemathesisConfig.from_dict(
        {
            "seed": 16,
            "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True},
            # The newsroom's site, and mostly a reader token it issued, so that most cases
            # reach the operation itself rather than stopping at "no such site" or "bad token"
            # (tests/robustness walks unknown sites).
            "dictionaries": {
                "readers": {"values": [issue_reader_token_for(SECRET, "contract-reader")]},
            },
            "parameters": {
                "path.site": SITE,
                f"header.{READER_HEADER}": {"dictionary": "readers", "probability": 0.8},
            },
        }
    ),
)
"""What `/openapi.json` serves (FastAPI answers it with `app.openapi()`), from an app with
the same settings as the one under test; building it opens no database."""


def cheap_hasher() -> PasswordHasher:
    """Production argon2 costs a quarter second a hash, and generated cases sign in, add
    staff and set passwords; the contract needs the logic, not the cost."""
    return PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


async def _build_newsroom(database_url: str) -> None:
    context = Context.from_settings(contract_settings(database_url))
    try:
        await migrate(context.database)
        await reset(context)
        site = await create_site(context.database, SITE, name="The Example News", origins=[ORIGIN])
        await create_staff(context.database, ADMIN, PASSWORD, "admin", "Edith")
        await create_staff(context.database, MODERATOR, PASSWORD, "moderator")
        for number, parent in enumerate((None, 1, None)):
            await post_comment(
                context,
                site,
                ARTICLE,
                CommentDraft(text=f"Comment {number}", parent_id=parent, title="River barrier"),
                Reader(ip_hash=hash_ip(f"198.51.100.{number}", SECRET)),
            )
    finally:
        await context.close()


@pytest.fixture(scope="session")
def newsroom_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The newsroom's database, built once through the services."""
    folder = tmp_path_factory.mktemp("contract-template")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(staff_service, "_hasher", cheap_hasher())
        asyncio.run(_build_newsroom(f"sqlite+aiosqlite:///{folder / DATABASE}"))
    return folder


class SignedInNewsroom:
    """The app on a copy of the newsroom, and the admin session every case is sent with."""

    def __init__(self, app: FastAPI, login: Generated) -> None:
        self.app = app
        self.login = login
        self.cookie = ""
        self.csrf = ""

    def sign_in(self) -> None:
        response = self.login.call(app=self.app, headers={"Origin": HOST})
        assert response.status_code == 200, response.text
        cookies: SimpleCookie = SimpleCookie()
        for header in response.headers.get("set-cookie", []):
            cookies.load(header)
        self.cookie = cookies[SESSION_COOKIE].value
        self.csrf = response.json()["csrf_token"]

    def call_and_validate(self, case: Generated) -> None:
        """Send the case as the signed-in admin's browser would, and check the answer."""
        name = f"{case.method.upper()} {case.path}"
        if name in SESSION_ENDING:
            self.sign_in()
        extra: dict[str, Any] = {"timeout": STREAM_READ_SECONDS} if name in ENDLESS else {}
        # The admin pages call the admin API from the Talkback host; the widget calls the
        # rest from the newspaper's pages.
        origin = HOST if case.path.startswith(ADMIN_API) else ORIGIN
        case.call_and_validate(
            app=self.app,
            headers={"Origin": origin, CSRF_HEADER: self.csrf},
            cookies={SESSION_COOKIE: self.cookie},
            checks=CHECKS,
            **extra,
        )


def copy_database(template: Path, into: Path) -> str:
    for file in template.iterdir():
        shutil.copy(file, into / file.name)
    return f"sqlite+aiosqlite:///{into / DATABASE}"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staff_service, "_hasher", cheap_hasher())


@pytest.fixture(params=["sqlite", "postgresql"])
def newsroom_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The newsroom, fresh for each operation: on SQLite a copy of the file built once, on
    PostgreSQL the run's database emptied and built again (PostgreSQL's integer columns
    overflow where SQLite's do not)."""
    if request.param == "sqlite":
        return copy_database(request.getfixturevalue("newsroom_template"), tmp_path)
    url: str = request.getfixturevalue("postgres_database")
    asyncio.run(_build_newsroom(url))
    return url


@pytest.fixture
def signed_in_newsroom(newsroom_database: str) -> SignedInNewsroom:
    app = create_app(contract_settings(newsroom_database))
    login = schema["/api/v1/admin/login"]["POST"].Case(body={"email": ADMIN, "password": PASSWORD})
    newsroom = SignedInNewsroom(app, login)
    newsroom.sign_in()
    return newsroom
