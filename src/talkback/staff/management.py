"""Changing staff accounts after they exist: remove one, change its role, set or change
its password.

Every change is one write job that also records it in the audit log (site-less entries,
`staff.*`), so the log and the accounts never disagree. Sessions need no list to end:
a removed account has no row for its cookie to name, a role is read from the row on
every request (a demoted admin loses the admin pages with their next click), and a new
password comes with a new session nonce (`accounts.replace_password`).

The server always keeps an admin: removing or demoting the last one is refused. The
admin rows are locked first (PostgreSQL; SQLite's single writer serialises jobs anyway),
so two admins demoting each other at the same moment cannot both succeed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback.errors import Conflict, Invalid, NotFound
from talkback.staff import accounts
from talkback.staff.accounts import ROLES, StaffMember, hash_password, normalise_email
from talkback.staff.audit import record_audit
from talkback.store.database import Database
from talkback.store.tables import staff

LAST_ADMIN = "the server needs at least one admin: make another account admin first"


async def find_staff(database: Database, email: str) -> StaffMember:
    """The account with this email (the command line names accounts so), or NotFound."""
    address = normalise_email(email)
    async with database.read() as conn:
        row = (await conn.execute(select(staff).where(staff.c.email == address))).first()
    if row is None:
        raise NotFound(f"no staff account for {address}", code="staff_not_found")
    return accounts.member_of(row)


async def _locked_account(conn: AsyncConnection, staff_id: int) -> Any:
    row = (
        await conn.execute(select(staff).where(staff.c.id == staff_id).with_for_update())
    ).first()
    if row is None:
        raise NotFound("no such staff account", code="staff_not_found")
    return row


async def _keep_an_admin(conn: AsyncConnection, leaving: Any) -> None:
    """Refuse when `leaving` is the only admin; locks every admin row until the commit."""
    if leaving.role != "admin":
        return
    admins = (
        await conn.execute(select(staff.c.id).where(staff.c.role == "admin").with_for_update())
    ).all()
    if len(admins) <= 1:
        raise Conflict(LAST_ADMIN, code="last_admin")


COMMAND_LINE = "command line"


async def _audit(
    conn: AsyncConnection,
    by: StaffMember | None,
    action: str,
    email: str,
    actor: str = COMMAND_LINE,
    **details: Any,
) -> None:
    """`actor` names what acted when no staff account did (`by` is None)."""
    await record_audit(
        conn, site_id=None, staff_id=by.id if by else None, action=action, target=email,
        details=details, actor=actor,
    )  # fmt: skip


async def remove_staff(database: Database, staff_id: int, *, by: StaffMember | None) -> str:
    """Delete the account (its sessions end with it); returns its email.

    An admin cannot remove their own account here, so every removal names who did it;
    entries the account made earlier keep their details and lose only the name.
    """
    if by is not None and by.id == staff_id:
        raise Conflict("you cannot remove your own account", code="own_account")

    async def job(conn: AsyncConnection) -> str:
        row = await _locked_account(conn, staff_id)
        await _keep_an_admin(conn, row)
        await conn.execute(delete(staff).where(staff.c.id == staff_id))
        await _audit(conn, by, "staff.remove", row.email, role=row.role)
        email: str = row.email
        return email

    return await database.write(job)


async def change_role(
    database: Database, staff_id: int, role: str, *, by: StaffMember | None
) -> StaffMember:
    """Give the account another role; setting the role it has changes nothing."""
    if role not in ROLES:
        raise Invalid(f"role is one of {', '.join(ROLES)}", code="invalid_role")

    async def job(conn: AsyncConnection) -> StaffMember:
        row = await _locked_account(conn, staff_id)
        if row.role == role:
            return accounts.member_of(row)
        await _keep_an_admin(conn, row)
        await conn.execute(update(staff).where(staff.c.id == staff_id).values(role=role))
        await _audit(conn, by, "staff.role", row.email, **{"from": row.role, "to": role})
        return accounts.member_of(row, role=role)

    return await database.write(job)


async def set_password(
    database: Database,
    staff_id: int,
    password: str,
    *,
    by: StaffMember | None,
    must_change: bool = True,
    actor: str = COMMAND_LINE,
) -> StaffMember:
    """Set a password someone else chose (an admin, or whoever runs the server).

    The account's sessions end, and with `must_change` its next sign-in leads to the
    password page before anything else: a password that passed through another person
    should not stay in use. An admin's own password is changed on the password page,
    with the current one.
    """
    if by is not None and by.id == staff_id:
        raise Conflict("change your own password on the password page", code="own_account")
    password_hash = await hash_password(password)

    async def job(conn: AsyncConnection) -> StaffMember:
        row = await _locked_account(conn, staff_id)
        await accounts.replace_password(conn, staff_id, password_hash, must_change=must_change)
        await _audit(conn, by, "staff.password_set", row.email, actor, must_change=must_change)
        return accounts.member_of(row, must_change_password=must_change)

    return await database.write(job)


async def change_own_password(
    database: Database, member: StaffMember, current: str, new: str
) -> str:
    """A staff member's own new password, given the current one; returns the new session
    nonce. Every other browser of theirs is signed out; the caller re-issues this one's
    cookie. The new password must differ from the current one, or a forced change would
    change nothing."""
    async with database.read() as conn:
        stored = await conn.scalar(select(staff.c.password_hash).where(staff.c.id == member.id))
    if stored is None:
        raise NotFound("no such staff account", code="staff_not_found")
    if not await asyncio.to_thread(accounts.verify_password, stored, current):
        raise Invalid("the current password is wrong", code="wrong_password")
    if await asyncio.to_thread(accounts.verify_password, stored, new):
        raise Invalid("choose a password other than the current one", code="same_password")
    password_hash = await hash_password(new)

    async def job(conn: AsyncConnection) -> str:
        await _locked_account(conn, member.id)
        nonce = await accounts.replace_password(conn, member.id, password_hash, must_change=False)
        await _audit(conn, member, "staff.password_change", member.email)
        return nonce

    return await database.write(job)
