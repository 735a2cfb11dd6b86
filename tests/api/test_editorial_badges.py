"""Staff badges: a comment written by a reader signed in with a staff member's address
carries the member's badge, stamped when it was written; nobody can claim one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from argon2 import PasswordHasher

from talkback.staff import accounts as staff_service
from tests.accounts.conftest import Mailbox, reader
from tests.api.conftest import running_api
from tests.mail_sink import MailSink

PASSWORD = "a long enough password"
TEXTS = ("From the editor", "From the desk", "A reader", "Pretending")


@pytest.fixture
async def mailbox(
    database_url: str, mail_sink: MailSink, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Mailbox]:
    monkeypatch.setattr(
        staff_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    async with running_api(database_url, rate_limits="off", smtp_url=mail_sink.url) as api:
        database = api.context.database
        await staff_service.create_staff(database, "editor@news.example", PASSWORD, "admin")
        await staff_service.create_staff(database, "desk@news.example", PASSWORD, "moderator")
        yield Mailbox(api, mail_sink)


async def _author(mailbox: Mailbox, text: str, token: str | None = None, **fields: Any) -> Any:
    response = await mailbox.api.post(text, headers=reader(token) if token else None, **fields)
    assert response.status_code == 201, response.text
    return response.json()["comment"]["author"]


async def test_signed_in_staff_comment_with_their_role_badge(mailbox: Mailbox) -> None:
    editor = await mailbox.sign_in("editor@news.example")
    desk = await mailbox.sign_in("desk@news.example")
    someone = await mailbox.sign_in("someone@example.org")

    staff = await _author(mailbox, "From the editor", editor, author_name="Edith")
    assert staff["badge"] == "staff"
    moderator = await _author(mailbox, "From the desk", desk, author_name="Mo")
    assert moderator["badge"] == "moderator"
    assert "badge" not in await _author(mailbox, "A reader", someone, author_name="Sam")
    # A guest typing a staff address is not signed in with it: no badge.
    guest = await _author(mailbox, "Pretending", author_name="Edith", email="editor@news.example")
    assert "badge" not in guest

    page = await mailbox.api.page()
    shown = {c["html"]: c["author"].get("badge") for c in page["comments"]}
    badges = {text: badge for html, badge in shown.items() for text in TEXTS if text in html}
    assert badges == {
        "From the editor": "staff", "From the desk": "moderator", "A reader": None,
        "Pretending": None,
    }  # fmt: skip


async def test_a_reader_cannot_send_a_badge(mailbox: Mailbox) -> None:
    for response in (
        await mailbox.api.post("Trust me", badge="staff"),
        await mailbox.api.post("Trust me", author_badge="staff"),
        await mailbox.api.post("Trust me", author={"name": "Edith", "badge": "staff"}),
    ):
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid"
