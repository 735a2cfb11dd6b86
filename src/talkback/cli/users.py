"""`talkback user …`: staff accounts from the command line, as an admin manages them in
the admin pages (`staff/management.py`, the same rules: the last admin stays).

Whoever runs these commands runs the server, so they act without an account of their
own; changes are audited with "command line" as the actor.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from talkback.cli.support import console, with_database
from talkback.config import get_settings
from talkback.staff.accounts import ROLES, create_staff, list_staff
from talkback.staff.management import change_role, find_staff, remove_staff, set_password
from talkback.store.database import Database

user_app = typer.Typer(help="Manage staff accounts (moderators and admins).", no_args_is_help=True)

Email = Annotated[str, typer.Argument(help="The staff member's email; they sign in with it.")]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]


def _read_password(from_stdin: bool) -> str:
    """The new password: one line of standard input, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@user_app.command("add")
def user_add(
    email: Email,
    role: Annotated[str, typer.Option(help="admin or moderator.")],
    name: Annotated[str | None, typer.Option(help="Name shown in the admin pages.")] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a staff account; prompts for the password twice unless --password-stdin."""
    password = _read_password(password_stdin)
    member = with_database(get_settings(), lambda db: create_staff(db, email, password, role, name))
    console.print(f"{member.role} {member.email} added; sign in at /admin/")


@user_app.command("list")
def user_list() -> None:
    """List staff accounts."""
    members = with_database(get_settings(), list_staff)
    table = Table("email", "name", "role", "password")
    for member in members:
        pending = "must change" if member.must_change_password else ""
        table.add_row(member.email, member.name or "", member.role, pending)
    console.print(table)


@user_app.command("remove")
def user_remove(email: Email) -> None:
    """Remove a staff account; its sessions end at once. The last admin cannot go."""

    async def work(database: Database) -> str:
        member = await find_staff(database, email)
        return await remove_staff(database, member.id, by=None)

    removed = with_database(get_settings(), work)
    console.print(f"{removed} removed; their sessions have ended")


@user_app.command("role")
def user_role(
    email: Email,
    role: Annotated[str, typer.Argument(help=" or ".join(ROLES) + ".")],
) -> None:
    """Change a staff account's role; it applies from their next click."""

    async def work(database: Database) -> str:
        member = await find_staff(database, email)
        return (await change_role(database, member.id, role, by=None)).role

    now = with_database(get_settings(), work)
    console.print(f"{email.strip().lower()} is now {now}")


@user_app.command("password")
def user_password(
    email: Email,
    password_stdin: PasswordStdin = False,
    must_change: Annotated[
        bool,
        typer.Option(
            "--must-change/--keep",
            help="Make them choose a new password at their next sign-in (default), or keep "
            "this one (when it is your own account).",
        ),
    ] = True,
) -> None:
    """Set a staff account's password; their sessions end. Prompts twice unless
    --password-stdin."""
    password = _read_password(password_stdin)

    async def work(database: Database) -> str:
        member = await find_staff(database, email)
        changed = await set_password(
            database, member.id, password, by=None, must_change=must_change
        )
        return changed.email

    address = with_database(get_settings(), work)
    then = "they choose a new one at their next sign-in" if must_change else "it stays in use"
    console.print(f"password of {address} set; their sessions have ended; {then}")
