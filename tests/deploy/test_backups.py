"""Backups as docs/deploy.md takes them, while the server runs: pg_dump / pg_restore on
PostgreSQL, SQLite's online backup on one machine. A node started on what was restored
serves the very bytes of the thread page the running node served."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import throwaway_postgres_database
from tests.deploy.cluster import SITE, Cluster, Node, post_comment, settings_values, talkback
from tests.deploy.configs import MIGRATE_UNIT, WEB_UNIT, unit_command, unit_process_environment

SQLITE_BACKUP_WITH_PYTHON = (
    "import sqlite3, sys; src, dst = (sqlite3.connect(p) for p in sys.argv[1:]); "
    "src.backup(dst); dst.close()"
)
"""The one-liner docs/deploy.md gives for machines without the sqlite3 command."""


def run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}{done.stderr}"


def libpq_url(database_url: str) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore take it."""
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def thread_with_replies_and_votes(client: httpx.AsyncClient, uri: str) -> httpx.Response:
    """A small thread (a comment, a reply, a vote), and its first page as served."""
    root = await post_comment(client, uri, "Kept *safe*, before the backup.")
    await post_comment(client, uri, "A reply, kept as well.", parent_id=root["id"])
    vote = await client.post(f"/api/v1/{SITE}/comments/{root['id']}/vote", json={"value": 1})
    assert vote.status_code == 200, vote.text
    page = await client.get(f"/api/v1/{SITE}/comments", params={"uri": uri})
    assert page.status_code == 200
    return page


async def served_by_a_node_on(database_url: str, env: dict[str, str], log_dir: Path,
                              uri: str) -> httpx.Response:  # fmt: skip
    """The page of `uri` from a node started (from the web unit) on `database_url`."""
    node = Node("restored", {**env, "TALKBACK_DATABASE_URL": database_url}, WEB_UNIT, log_dir)
    try:
        await node.start()
        async with httpx.AsyncClient(base_url=node.url, timeout=30) as client:
            return await client.get(f"/api/v1/{SITE}/comments", params={"uri": uri})
    finally:
        node.close()


@pytest.fixture
def empty_database() -> Iterator[str]:
    """Where the dump is restored: a new, empty database, as after losing the old one."""
    with throwaway_postgres_database("talkback_restored") as url:
        yield url


@pytest.mark.services
async def test_pg_dump_and_pg_restore_serve_the_same_thread_page(
    cluster: Cluster, empty_database: str, tmp_path: Path
) -> None:
    uri = "/2026/12/kept-safe"
    async with cluster.client() as client:
        original = await thread_with_replies_and_votes(client, uri)

    dump = tmp_path / "talkback.dump"
    run("pg_dump", "--format=custom", f"--file={dump}", libpq_url(cluster.database_url))
    run(
        "pg_restore", "--no-owner", "--exit-on-error", "--single-transaction",
        f"--dbname={libpq_url(empty_database)}", str(dump),
    )  # fmt: skip
    # Its own broker: the check of a restore must not announce to the live nodes.
    env = {**cluster.env, "TALKBACK_BROKER_URL": "memory://"}
    restored = await served_by_a_node_on(empty_database, env, tmp_path, uri)

    assert restored.status_code == 200
    assert restored.content == original.content
    assert restored.headers["etag"] == original.headers["etag"]


def sqlite_backup_command(tool: str, source: Path, target: Path) -> list[str]:
    if tool == "sqlite3":
        return ["sqlite3", str(source), f".backup '{target}'"]
    return [sys.executable, "-c", SQLITE_BACKUP_WITH_PYTHON, str(source), str(target)]


@pytest.mark.parametrize("tool", ["sqlite3", "python"])
async def test_sqlite_online_backup_serves_the_same_thread_page(tool: str, tmp_path: Path) -> None:
    """One machine on SQLite: the backup is taken while the node runs and writes (WAL),
    and holds what had been written when it was taken, not what came after."""
    if tool == "sqlite3" and shutil.which("sqlite3") is None:
        pytest.skip("the sqlite3 command is not installed (Debian: apt-get install sqlite3)")
    database = tmp_path / "data" / "talkback.db"
    values = settings_values(
        f"sqlite+aiosqlite:///{database}", tmp_path / "data", broker_url="memory://",
        public_url="https://comments.example.org", smtp_url="smtp://127.0.0.1:25",
    )  # fmt: skip
    talkback(unit_process_environment(MIGRATE_UNIT, values), *unit_command(MIGRATE_UNIT))
    env = unit_process_environment(WEB_UNIT, values)
    talkback(env, "site", "add", SITE, "--name", "Deploy News", "--origin", "https://news.example")
    uri = "/2026/12/one-machine"
    node = Node("sqlite", env, WEB_UNIT, tmp_path)
    try:
        await node.start()
        async with httpx.AsyncClient(base_url=node.url, timeout=30) as client:
            original = await thread_with_replies_and_votes(client, uri)
            backup = tmp_path / "backups" / "talkback.db"
            backup.parent.mkdir()
            run(*sqlite_backup_command(tool, database, backup))
            await post_comment(client, uri, "Written after the backup was taken.")
    finally:
        node.close()

    restored = await served_by_a_node_on(f"sqlite+aiosqlite:///{backup}", env, tmp_path, uri)
    assert restored.status_code == 200
    assert restored.content == original.content
    assert restored.headers["etag"] == original.headers["etag"]
