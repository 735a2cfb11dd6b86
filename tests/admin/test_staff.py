"""Staff accounts: creation, passwords, sessions' nonce, and `talkback user`."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from typer.testing import CliRunner

from talkback.cli.main import app as cli
from talkback.config import get_settings
from talkback.errors import Conflict, Invalid, Unauthorized
from talkback.staff import accounts as staff_service
from talkback.staff.accounts import (
    authenticate,
    create_staff,
    list_staff,
    load_session,
    rotate_nonce,
)
from talkback.store.tables import staff
from tests.admin.conftest import ADMIN, PASSWORD, Newsroom


async def stored_hash(newsroom: Newsroom, email: str) -> str:
    async with newsroom.context.database.read() as conn:
        value = await conn.scalar(select(staff.c.password_hash).where(staff.c.email == email))
    assert isinstance(value, str)
    return value


async def test_accounts_are_unique_per_email_whatever_its_case(newsroom: Newsroom) -> None:
    database = newsroom.context.database
    with pytest.raises(Conflict):
        await create_staff(database, ADMIN.upper(), PASSWORD, "moderator")
    with pytest.raises(Invalid, match="role"):
        await create_staff(database, "x@news.example", PASSWORD, "owner")
    with pytest.raises(Invalid, match="password"):
        await create_staff(database, "x@news.example", "too short", "moderator")
    with pytest.raises(Invalid, match="email"):
        await create_staff(database, "not an email", PASSWORD, "moderator")
    assert [m.email for m in await list_staff(database)] == [ADMIN, "mod@news.example"]


async def test_passwords_are_stored_as_argon2_hashes(newsroom: Newsroom) -> None:
    stored = await stored_hash(newsroom, ADMIN)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


async def test_a_weaker_hash_is_upgraded_at_the_next_sign_in(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = newsroom.context.database
    before = await stored_hash(newsroom, ADMIN)
    stronger = PasswordHasher(time_cost=2, memory_cost=128, parallelism=1)
    monkeypatch.setattr(staff_service, "_hasher", stronger)
    await authenticate(database, ADMIN, PASSWORD)
    after = await stored_hash(newsroom, ADMIN)
    assert after != before
    assert not stronger.check_needs_rehash(after)
    assert (await authenticate(database, ADMIN, PASSWORD)).member.email == ADMIN
    assert await stored_hash(newsroom, ADMIN) == after  # no rehash when already current


async def test_a_wrong_password_is_refused_without_saying_why(newsroom: Newsroom) -> None:
    database = newsroom.context.database
    for email, password in ((ADMIN, "wrong password"), ("ghost@news.example", PASSWORD),
                            ("not an email", PASSWORD), (ADMIN, "x" * 5000)):  # fmt: skip
        with pytest.raises(Unauthorized) as refused:
            await authenticate(database, email, password)
        assert refused.value.code == "invalid_login"
        assert refused.value.message == "wrong email or password"


async def test_rotating_the_nonce_ends_existing_sessions(newsroom: Newsroom) -> None:
    database = newsroom.context.database
    signed_in = await authenticate(database, ADMIN, PASSWORD)
    member = await load_session(database, signed_in.member.id, signed_in.nonce)
    assert member == signed_in.member
    await rotate_nonce(database, signed_in.member.id)
    assert await load_session(database, signed_in.member.id, signed_in.nonce) is None
    fresh = await authenticate(database, ADMIN, PASSWORD)
    assert fresh.nonce != signed_in.nonce
    assert await load_session(database, 999, fresh.nonce) is None


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("TALKBACK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TALKBACK_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    return runner


def test_user_add_prompts_for_the_password_twice(runner: CliRunner) -> None:
    added = runner.invoke(
        cli, ["user", "add", "Chief@News.example", "--role", "admin", "--name", "Chief"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "admin chief@news.example added" in added.output
    assert PASSWORD not in added.output
    listing = runner.invoke(cli, ["user", "list"], terminal_width=200)
    assert "chief@news.example" in listing.output
    assert "Chief" in listing.output


def test_user_add_reads_the_password_from_stdin(runner: CliRunner) -> None:
    added = runner.invoke(
        cli, ["user", "add", "mod@news.example", "--role", "moderator", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output


def test_user_add_reports_mistakes(runner: CliRunner) -> None:
    args = ["user", "add", "mod@news.example", "--password-stdin"]
    bad_role = runner.invoke(cli, [*args, "--role", "owner"], input=f"{PASSWORD}\n")
    assert bad_role.exit_code == 2
    assert "role is one of admin, moderator" in bad_role.output
    weak = runner.invoke(cli, [*args, "--role", "moderator"], input="short\n")
    assert weak.exit_code == 2
    assert "password" in weak.output
    assert runner.invoke(cli, [*args, "--role", "moderator"], input=f"{PASSWORD}\n").exit_code == 0
    again = runner.invoke(cli, [*args, "--role", "moderator"], input=f"{PASSWORD}\n")
    assert again.exit_code == 2
    assert "already exists" in again.output
