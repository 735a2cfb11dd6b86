"""Staff accounts: who may moderate, with argon2 password hashes and a session nonce.

A staff member's session cookie carries their id and the row's `session_nonce`; rotating
the nonce (on logout) ends every session signed with the old one at once, on every node,
without a session table.

Password hashing runs in a worker thread: argon2 is deliberately slow and memory-hungry,
and the event loop must keep serving readers meanwhile.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.errors import Conflict, Invalid, Unauthorized
from talkback.staff.audit import record_audit
from talkback.store.database import Database
from talkback.store.tables import staff

Role = Literal["admin", "moderator"]
ROLES: tuple[str, ...] = get_args(Role)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
WRONG_LOGIN = "wrong email or password"

_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: int
    email: str
    name: str | None
    role: str  # "admin" | "moderator"
    # An admin set the password: it must be changed before anything else works.
    must_change_password: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True, slots=True)
class StaffSession:
    """A signed-in staff member and the nonce their session cookie must carry."""

    member: StaffMember
    nonce: str


def member_of(row: Any, **changed: Any) -> StaffMember:
    """The account a `staff` row holds, with `changed` fields as a write just set them."""
    values = {
        "id": row.id, "email": row.email, "name": row.name, "role": row.role,
        "must_change_password": bool(row.must_change_password),
    }  # fmt: skip
    return StaffMember(**{**values, **changed})


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Invalid(f"email: {exc}", code="invalid_email") from exc


def check_password(password: str) -> str:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise Invalid(
            f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
            code="weak_password",
        )
    return password


def new_session_nonce() -> str:
    return secrets.token_hex(16)


async def hash_password(password: str) -> str:
    """The argon2 hash of a password that meets the rules (hashed in a worker thread)."""
    return await asyncio.to_thread(_hasher.hash, check_password(password))


async def replace_password(
    conn: AsyncConnection, staff_id: int, password_hash: str, *, must_change: bool = False
) -> str:
    """A new password and a new nonce (returned), in the caller's transaction: every
    session signed in before (with the old password, perhaps by whoever knew it) ends with
    it. `must_change` is for a password someone else chose; one the owner chose clears it."""
    nonce = new_session_nonce()
    await conn.execute(
        update(staff)
        .where(staff.c.id == staff_id)
        .values(password_hash=password_hash, session_nonce=nonce, must_change_password=must_change)
    )
    return nonce


async def create_staff(
    database: Database,
    email: str,
    password: str,
    role: str,
    name: str | None = None,
    *,
    created_by: StaffMember | None = None,
) -> StaffMember:
    """Add a staff account; an email may hold one account only.

    An account added by an admin in the admin pages is audited; one added with
    `talkback user add` is not (whoever runs the command owns the server anyway).
    """
    if role not in ROLES:
        raise Invalid(f"role is one of {', '.join(ROLES)}", code="invalid_role")
    address = normalise_email(email)
    password_hash = await asyncio.to_thread(_hasher.hash, check_password(password))

    async def job(conn: AsyncConnection) -> int:
        if await conn.scalar(select(staff.c.id).where(staff.c.email == address)) is not None:
            raise Conflict(f"a staff account for {address} already exists", code="staff_exists")
        staff_id: int = (
            await conn.execute(
                insert(staff)
                .values(
                    email=address,
                    name=name.strip() if name and name.strip() else None,
                    password_hash=password_hash,
                    role=role,
                    session_nonce=new_session_nonce(),
                    created_at=clock.now(),
                )
                .returning(staff.c.id)
            )
        ).scalar_one()
        if created_by is not None:
            await record_audit(
                conn, site_id=None, staff_id=created_by.id, action="staff.add",
                target=address, details={"role": role},
            )  # fmt: skip
        return staff_id

    staff_id = await database.write(job)
    return StaffMember(id=staff_id, email=address, name=name, role=role)


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of nothing anyone knows, made with the same parameters as real ones."""
    return hasher.hash(secrets.token_urlsafe(16))


def _verify_dummy(password: str) -> None:
    verify_password(_dummy_hash(_hasher), password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def authenticate(database: Database, email: str, password: str) -> StaffSession:
    """The staff member with this email and password, or Unauthorized.

    An unknown email costs one argon2 verification against a throwaway hash, so it answers
    in about the time a wrong password does, with the same error: a login form must not
    tell who has an account. A hash made with weaker parameters than today's is upgraded.
    """
    try:
        address = normalise_email(email)
    except Invalid:
        address = ""
    async with database.read() as conn:
        row = (await conn.execute(select(staff).where(staff.c.email == address))).first()
    if row is None or len(password) > MAX_PASSWORD_LENGTH:
        await asyncio.to_thread(_verify_dummy, password[:MAX_PASSWORD_LENGTH])
        raise Unauthorized(WRONG_LOGIN, code="invalid_login")
    if not await asyncio.to_thread(verify_password, row.password_hash, password):
        raise Unauthorized(WRONG_LOGIN, code="invalid_login")
    changes: dict[str, Any] = {"last_login_at": clock.now()}
    if _hasher.check_needs_rehash(row.password_hash):
        changes["password_hash"] = await asyncio.to_thread(_hasher.hash, password)

    async def job(conn: AsyncConnection) -> None:
        await conn.execute(update(staff).where(staff.c.id == row.id).values(**changes))

    await database.write(job)
    return StaffSession(member_of(row), row.session_nonce)


async def load_session(database: Database, staff_id: int, nonce: str) -> StaffMember | None:
    """The staff member a session cookie names, if its nonce is still the current one."""
    async with database.read() as conn:
        row = (await conn.execute(select(staff).where(staff.c.id == staff_id))).first()
    if row is None or not hmac.compare_digest(row.session_nonce, nonce):
        return None
    return member_of(row)


async def rotate_nonce(database: Database, staff_id: int) -> None:
    """End every session of this staff member (logout signs out all their browsers)."""

    async def job(conn: AsyncConnection) -> None:
        await conn.execute(
            update(staff).where(staff.c.id == staff_id).values(session_nonce=new_session_nonce())
        )

    await database.write(job)


async def list_staff(database: Database) -> list[StaffMember]:
    async with database.read() as conn:
        rows = (await conn.execute(select(staff).order_by(staff.c.email))).all()
    return [member_of(row) for row in rows]
