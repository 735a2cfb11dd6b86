"""The PostgreSQL backup procedure of docs/operations.md, step by step, under write load.

`pg_dump --format=custom` runs while the server takes comments; `pg_restore` into a new
database and `talkback migrate` give a database on which a server has every comment
acknowledged before the dump started, as the original serves it; a dump of the quiet
database, restored the same way, serves byte-identical pages.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import skip_or_fail, throwaway_postgres_database
from tests.durability.test_backup_restore import BOUND, back_up_under_load, pages
from tests.durability.test_kill_nine import (
    ORIGIN,
    SITE,
    read_all_threads,
    run_cli,
    running_server,
    talkback_env,
)

pytestmark = pytest.mark.services


def libpq_url(database_url: str) -> str:
    """The URL pg_dump and pg_restore take: Talkback's, without the driver name."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


def pg_dump(database_url: str, dump: Path) -> list[str]:
    """Step 1 of the procedure (docs/operations.md)."""
    return ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", libpq_url(database_url)]


def pg_restore(dump: Path, database_url: str) -> None:
    """Step 2: into a new, empty database, all or nothing."""
    done = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction",
         f"--dbname={libpq_url(database_url)}", str(dump)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_pg_dump_under_write_load_restores_every_acknowledged_comment(tmp_path: Path) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        skip_or_fail("pg_dump and pg_restore are not installed")
    under_load, quiet = tmp_path / "under-load.dump", tmp_path / "quiet.dump"
    with throwaway_postgres_database("talkback_dumped") as database_url:
        env = talkback_env(database_url, tmp_path / "live")
        run_cli(env, "migrate")
        run_cli(env, "site", "add", SITE, "--name", "The Durable Times", "--origin", ORIGIN)
        with running_server(env, tmp_path / "live.log") as live:
            command = pg_dump(database_url, under_load)
            load, before = asyncio.run(back_up_under_load(live.url, env, command))
            assert not load.failures, load.failures[:5]
            original = asyncio.run(read_all_threads(live.url, BOUND))
            original_pages = asyncio.run(pages(live.url))
            done = subprocess.run(pg_dump(database_url, quiet), timeout=120, check=False)
            assert done.returncode == 0
            live.stop()

    with throwaway_postgres_database("talkback_restored") as restored_url:
        pg_restore(under_load, restored_url)
        env = talkback_env(restored_url, tmp_path / "restored")
        run_cli(env, "migrate")  # step 3: a no-op for a dump of this version
        with running_server(env, tmp_path / "restored.log") as server:
            restored = asyncio.run(read_all_threads(server.url, BOUND))
            server.stop()
    found = {cid for seen in restored.values() for cid in seen.comments}
    missing = sorted(before - found)
    assert not missing, f"acknowledged before pg_dump, not restored: {missing[:20]}"
    for uri, seen in restored.items():
        assert seen.count == len(seen.comments), f"{uri}: count {seen.count}, comments differ"
        for cid, html in seen.comments.items():
            assert original[uri].comments[cid] == html, f"#{cid} restored differently"

    with throwaway_postgres_database("talkback_restored") as restored_url:
        pg_restore(quiet, restored_url)
        env = talkback_env(restored_url, tmp_path / "quiet")
        run_cli(env, "migrate")
        with running_server(env, tmp_path / "quiet.log") as server:
            assert asyncio.run(pages(server.url)) == original_pages
            server.stop()
    print(
        f"pg_dump: acknowledged before it {len(before)}, restored {len(found)} "
        f"(missing {len(missing)}), acknowledged in all {len(load.acknowledged)}"
    )
