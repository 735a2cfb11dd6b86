"""Staff accounts move with a site: an export carries the server's staff, and importing
adds the accounts the new server lacks, with their roles, passwords and pending password
changes, leaving accounts it already has as they are."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from talkback.errors import Unauthorized
from talkback.export.site import export_site
from talkback.importers.formats.talkback_jsonl import TALKBACK
from talkback.importers.staff import ADDED, KEPT
from talkback.staff.accounts import authenticate, create_staff, list_staff
from talkback.staff.management import set_password
from tests.api.conftest import SITE
from tests.importers.conftest import Importing

EDITOR = ("editor@news.example", "the editor's own long password")
DESK = ("desk@news.example", "a password the admin chose")


async def exported(api: Importing) -> str:
    buffer = io.StringIO()
    await export_site(api.context, SITE, buffer.write)
    return buffer.getvalue()


def records(export: str) -> list[dict[str, object]]:
    """The export's lines after its header (whose time differs from one export to the next)."""
    return [json.loads(line) for line in export.splitlines()[1:]]


async def test_staff_roles_and_passwords_survive_a_move(
    api: Importing, fresh_api: Importing, tmp_path: Path
) -> None:
    database = api.context.database
    await create_staff(database, *EDITOR, "admin", "Edith")
    desk = await create_staff(database, DESK[0], "the desk's first password", "moderator")
    await set_password(database, desk.id, DESK[1], by=None)  # must change it at sign-in
    original = await exported(api)
    export = tmp_path / "news.jsonl"
    export.write_text(original, encoding="utf-8")
    staff_lines = [line for line in records(original) if line["type"] == "staff"]
    moved = [(line["email"], line["role"], line["must_change_password"]) for line in staff_lines]
    assert moved == [(EDITOR[0], "admin", False), (DESK[0], "moderator", True)]

    summary = await fresh_api.run(TALKBACK, export)

    assert summary.notes[ADDED] == 2
    accounts = {member.email: member for member in await list_staff(fresh_api.context.database)}
    assert (accounts[EDITOR[0]].role, accounts[EDITOR[0]].name) == ("admin", "Edith")
    assert accounts[DESK[0]].role == "moderator"
    signed_in = await authenticate(fresh_api.context.database, *EDITOR)
    assert signed_in.member.email == EDITOR[0]
    assert (await authenticate(fresh_api.context.database, *DESK)).member.must_change_password
    assert records(await exported(fresh_api)) == records(original)


async def test_an_account_the_server_has_is_kept_as_it_is(
    api: Importing, fresh_api: Importing, tmp_path: Path
) -> None:
    await create_staff(api.context.database, *EDITOR, "admin")
    export = tmp_path / "news.jsonl"
    export.write_text(await exported(api), encoding="utf-8")
    here = "the password chosen on this server"
    await create_staff(fresh_api.context.database, EDITOR[0], here, "moderator")

    summary = await fresh_api.run(TALKBACK, export)
    await fresh_api.run(TALKBACK, export)

    assert summary.notes[KEPT] == 1
    [member] = await list_staff(fresh_api.context.database)
    assert member.role == "moderator"
    assert (await authenticate(fresh_api.context.database, EDITOR[0], here)).member
    with pytest.raises(Unauthorized):
        await authenticate(fresh_api.context.database, *EDITOR)


async def test_a_staff_record_without_an_argon2_hash_is_refused(
    api: Importing, tmp_path: Path
) -> None:
    header = {"format": "talkback-export", "version": 1, "site": SITE}
    record = {"type": "staff", "email": "x@news.example", "name": None, "role": "admin",
              "password_hash": "plain-text", "must_change_password": False,
              "created_at": "2026-11-01T00:00:00.000000Z"}  # fmt: skip
    file = tmp_path / "odd.jsonl"
    file.write_text(json.dumps(header) + "\n" + json.dumps(record) + "\n", encoding="utf-8")

    summary = await api.run(TALKBACK, file)

    assert sum(summary.skipped.values()) == 1
    assert await list_staff(api.context.database) == []
