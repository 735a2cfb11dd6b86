"""Upgrades without downtime, as docs/deploy.md describes them: the release's migration
first (expand only: the running release must work on the new schema), then one node at a
time drained in nginx, stopped, started, checked on /readyz and put back, while traffic
through nginx goes on. Not one request may fail, and every acknowledged comment is there
afterwards."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

import talkback.store.migrate as store_migrate
from talkback.store.database import Database
from tests.deploy.cluster import SITE, Cluster, stop_in_thread
from tests.outbox.harness import poll

pytestmark = pytest.mark.services

DRIVERS = 2
MAX_REQUESTS = 3000
"""Per driver: the bound on the traffic should the procedure stall."""

PAUSE_SECONDS = 0.02
"""Between one driver's requests: steady traffic that leaves the machine's cores free."""
PROGRESS = 20
"""Requests that must succeed at each stage (a node down, a node back)."""
PROGRESS_WITHIN = 120.0

EXPAND_REVISION = "deploy_test_expand"
EXPAND_MIGRATION = '''"""deploy test: a release's expand step (a nullable column, a new table)

Revision ID: {revision}
Revises: {down_revision}
"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down_revision}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("comments", sa.Column("deploy_test_note", sa.Text(), nullable=True))
    op.create_table("deploy_test_marks", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("deploy_test_marks")
    op.drop_column("comments", "deploy_test_note")
'''


@dataclass
class Traffic:
    """What the drivers saw: every failure, and the comments acknowledged with a 201."""

    succeeded: int = 0
    failures: list[str] = field(default_factory=list)
    acknowledged: set[int] = field(default_factory=set)


async def drive(cluster: Cluster, traffic: Traffic, stop: asyncio.Event, number: int,
                uri: str, *, posts: bool) -> None:  # fmt: skip
    """Read the thread page and (with `posts`) post to it in turn, through nginx, each
    request on a new connection: a reused connection that nginx closes during its reload
    is a client's retry to make, not something the upgrade lost."""
    async with cluster.client(keepalive=False) as client:
        for n in range(MAX_REQUESTS):
            if stop.is_set():
                return
            posting = posts and n % 2 == 1
            try:
                if posting:
                    response = await client.post(
                        f"/api/v1/{SITE}/comments", params={"uri": uri},
                        json={"text": f"Driver {number}, request {n}: still here."},
                    )  # fmt: skip
                else:
                    response = await client.get(f"/api/v1/{SITE}/comments", params={"uri": uri})
            except httpx.TransportError as exc:
                traffic.failures.append(f"request {n}: {type(exc).__name__}: {exc}")
                continue
            expected = 201 if posting else 200
            if response.status_code != expected:
                traffic.failures.append(f"request {n}: {response.status_code} {response.text}")
                continue
            if posting:
                traffic.acknowledged.add(response.json()["comment"]["id"])
            traffic.succeeded += 1
            await asyncio.sleep(PAUSE_SECONDS)


@dataclass
class Drivers:
    traffic: Traffic
    stop: asyncio.Event
    tasks: list[asyncio.Task[None]]

    async def progressed(self, stage: str) -> None:
        """Wait until PROGRESS more requests succeeded (or a driver gave up)."""
        start = self.traffic.succeeded

        async def check() -> bool:
            for task in self.tasks:
                if task.done():
                    task.result()
                    raise AssertionError(f"a driver ended early, {stage}")
            return self.traffic.succeeded >= start + PROGRESS

        await poll(check, within=PROGRESS_WITHIN, what=f"{PROGRESS} requests {stage}")

    async def finish(self) -> Traffic:
        self.stop.set()
        await asyncio.gather(*self.tasks)
        return self.traffic


def start_drivers(cluster: Cluster, uri: str, *, posts: bool) -> Drivers:
    traffic, stop = Traffic(), asyncio.Event()
    tasks = [
        asyncio.create_task(drive(cluster, traffic, stop, n, uri, posts=posts))
        for n in range(DRIVERS)
    ]
    return Drivers(traffic, stop, tasks)


@pytest.fixture
def release_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Talkback's migrations plus a next release's expand step after its head, as the
    next release's `talkback migrate` would apply them."""
    head = ScriptDirectory.from_config(store_migrate.alembic_config()).get_current_head()
    (tmp_path / f"{EXPAND_REVISION}.py").write_text(
        EXPAND_MIGRATION.format(revision=EXPAND_REVISION, down_revision=head)
    )
    shipped = store_migrate.alembic_config

    def with_release() -> Config:
        config = shipped()
        config.set_main_option("path_separator", "os")
        config.set_main_option(
            "version_locations", os.pathsep.join([str(store_migrate.MIGRATIONS / "versions"),
                                                  str(tmp_path)]),
        )  # fmt: skip
        return config

    monkeypatch.setattr(store_migrate, "alembic_config", with_release)


async def schema_revision(database_url: str) -> str:
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        revision: str = await conn.fetchval("SELECT version_num FROM alembic_version")
        return revision
    finally:
        await conn.close()


async def thread_comment_ids(cluster: Cluster, uri: str) -> tuple[int, set[int]]:
    """The thread's count and the ids of its comments, page by page through nginx."""
    ids: set[int] = set()
    count = -1
    cursor: str | None = None
    async with cluster.client() as client:
        for _ in range(DRIVERS * MAX_REQUESTS // 100 + 2):
            params: dict[str, str | int] = {"uri": uri, "sort": "oldest", "limit": 100}
            if cursor:
                params["cursor"] = cursor
            page = (await client.get(f"/api/v1/{SITE}/comments", params=params)).json()
            count = page["thread"]["count"]
            ids.update(comment["id"] for comment in page["comments"])
            cursor = page["next_cursor"]
            if cursor is None:
                return count, ids
    raise AssertionError("the thread pages did not end")


@pytest.mark.usefixtures("release_migrations")
async def test_a_rolling_upgrade_with_a_migration_loses_no_request(cluster: Cluster) -> None:
    uri = "/2026/12/rolling-upgrade"
    drivers = start_drivers(cluster, uri, posts=True)
    try:
        await drivers.progressed("before the upgrade")
        # 1. The release's migration, once, while the old release serves.
        database = Database(cluster.database_url)
        try:
            await store_migrate.migrate(database)
        finally:
            await database.close()
        await drivers.progressed("on the expanded schema")
        # 2. Each node in turn: out of nginx, stopped, started, healthy, back in.
        for index, node in enumerate(cluster.nodes):
            await cluster.nginx.reload(cluster.nginx.site.drained(index))
            await stop_in_thread(node)
            await drivers.progressed(f"while {node.name} is stopped")
            await node.start()  # returns once /readyz answers 200
            await cluster.nginx.reload(cluster.nginx.site.undrained())
            await drivers.progressed(f"after {node.name} is back")
    finally:
        traffic = await drivers.finish()

    assert traffic.failures == []
    assert await schema_revision(cluster.database_url) == EXPAND_REVISION
    count, ids = await thread_comment_ids(cluster, uri)
    assert traffic.acknowledged <= ids, "acknowledged comments missing after the upgrade"
    assert count == len(traffic.acknowledged)


async def test_reads_go_on_when_a_node_stops_without_being_drained(cluster: Cluster) -> None:
    """A node that goes away unannounced (a crash, a restart nobody drained): nginx sends
    the reads it cannot deliver there to the other node."""
    uri = "/2026/12/undrained-stop"
    drivers = start_drivers(cluster, uri, posts=False)
    try:
        await drivers.progressed("before the stop")
        await stop_in_thread(cluster.node_b)
        await drivers.progressed("while node B is gone")
        await cluster.node_b.start()
        await drivers.progressed("after node B is back")
    finally:
        traffic = await drivers.finish()
    assert traffic.failures == []
