"""`talkback backup` under write load and `talkback restore`, as an operator runs them.

The server keeps taking comments while the backup runs. A server started on the restored
copy has every comment acknowledged before the backup started, each as the original
serves it, and thread counts that agree with the comments; a backup of the quiet
database, restored, serves byte-identical pages. Restore refuses a database a server has
open, and a file that is not a Talkback database.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.durability.test_kill_nine import (
    ORIGIN,
    PAGE_SIZE,
    REQUEST_TIMEOUT,
    SITE,
    TALKBACK,
    THREADS,
    read_all_threads,
    run_cli,
    running_server,
    talkback_env,
)

WORKERS = 8
BEFORE_BACKUP = 150  # acknowledged comments before the backup starts
AFTER_BACKUP = 60  # more acknowledged while or after it runs, then the load stops
MAX_POSTS_PER_WORKER = 200
BOUND = WORKERS * MAX_POSTS_PER_WORKER


@dataclass
class Load:
    acknowledged: dict[int, str] = field(default_factory=dict)  # id -> uri
    failures: list[str] = field(default_factory=list)


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TALKBACK), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


async def back_up_under_load(
    url: str, env: dict[str, str], command: list[str]
) -> tuple[Load, set[int]]:
    """Post from WORKERS clients; once BEFORE_BACKUP are acknowledged, run the backup
    `command` as a process while they go on, and stop them AFTER_BACKUP acknowledgements
    after it ended. Returns the load and the comments acknowledged before it started."""
    load = Load()
    started = asyncio.Event()
    stop = asyncio.Event()

    async def worker(number: int) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT) as client:
            for n in range(MAX_POSTS_PER_WORKER):
                if stop.is_set():
                    return
                uri = THREADS[(number + n) % len(THREADS)]
                answer = await client.post(
                    f"/api/v1/{SITE}/comments",
                    params={"uri": uri},
                    json={"text": f"Reader {number}, note {n}: the flood maps need updating."},
                )
                if answer.status_code != 201:
                    load.failures.append(f"{answer.status_code} {answer.text[:200]}")
                    return
                load.acknowledged[answer.json()["comment"]["id"]] = uri
                if len(load.acknowledged) >= BEFORE_BACKUP:
                    started.set()

    async def operator() -> set[int]:
        await asyncio.wait_for(started.wait(), 60)
        before = set(load.acknowledged)
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        output, _ = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, output.decode()
        during = len(load.acknowledged) - len(before)
        print(f"\n{command[0]}: {output.decode().strip()} ({during} acknowledged during it)")
        target = len(load.acknowledged) + AFTER_BACKUP
        for _ in range(600):  # bounded: 60 s at most
            if len(load.acknowledged) >= target or load.failures:
                break
            await asyncio.sleep(0.1)
        stop.set()
        return before

    tasks = [asyncio.create_task(worker(n)) for n in range(WORKERS)]
    try:
        before = await operator()
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 60)
    return load, before


async def pages(url: str) -> dict[str, list[bytes]]:
    """Every page of every thread, as raw bytes, following next_cursor."""
    found: dict[str, list[bytes]] = {}
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT) as client:
        for uri in THREADS:
            found[uri] = []
            cursor: str | None = None
            for _ in range(BOUND // PAGE_SIZE + 3):
                params: dict[str, str | int] = {"uri": uri, "sort": "oldest", "limit": PAGE_SIZE}
                if cursor is not None:
                    params["cursor"] = cursor
                answer = await client.get(f"/api/v1/{SITE}/comments", params=params)
                assert answer.status_code == 200, answer.text
                found[uri].append(answer.content)
                cursor = answer.json()["next_cursor"]
                if cursor is None:
                    break
    return found


def restored_env(tmp_path: Path, name: str, backup: Path) -> dict[str, str]:
    """The environment of a new installation whose database is `backup`, restored."""
    data_dir = tmp_path / name
    env = talkback_env(f"sqlite+aiosqlite:///{data_dir / 'talkback.db'}", data_dir)
    done = cli(env, "restore", str(backup))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "restored" in done.stdout
    return env


def test_backup_under_write_load_restores_every_acknowledged_comment(tmp_path: Path) -> None:
    database = tmp_path / "live" / "talkback.db"
    env = talkback_env(f"sqlite+aiosqlite:///{database}", tmp_path / "live")
    run_cli(env, "migrate")
    run_cli(env, "site", "add", SITE, "--name", "The Durable Times", "--origin", ORIGIN)
    under_load, quiet = tmp_path / "under-load.db", tmp_path / "quiet.db"

    with running_server(env, tmp_path / "live.log") as live:
        backup = [str(TALKBACK), "backup", str(under_load)]
        load, before = asyncio.run(back_up_under_load(live.url, env, backup))
        assert not load.failures, load.failures[:5]
        refused = cli(env, "restore", str(under_load))
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "is in use" in refused.stderr
        original = asyncio.run(read_all_threads(live.url, BOUND))
        original_pages = asyncio.run(pages(live.url))
        done = cli(env, "backup", str(quiet))
        assert done.returncode == 0, done.stdout + done.stderr
        live.stop()

    with running_server(restored_env(tmp_path, "restored", under_load), tmp_path / "r.log") as r:
        restored = asyncio.run(read_all_threads(r.url, BOUND))
        r.stop()
    found = {cid: html for seen in restored.values() for cid, html in seen.comments.items()}
    missing = sorted(before - set(found))
    assert not missing, f"acknowledged before the backup, not restored: {missing[:20]}"
    for uri, seen in restored.items():
        assert seen.count == len(seen.comments), f"{uri}: count {seen.count}, comments differ"
        for cid, html in seen.comments.items():
            assert original[uri].comments[cid] == html, f"#{cid} restored differently"

    with running_server(restored_env(tmp_path, "quiet", quiet), tmp_path / "q.log") as q:
        assert asyncio.run(pages(q.url)) == original_pages
        q.stop()
    print(
        f"acknowledged before the backup {len(before)}, in the restored copy {len(found)} "
        f"(missing {len(missing)}), acknowledged in all {len(load.acknowledged)}; "
        f"the quiet backup's {sum(len(p) for p in original_pages.values())} pages identical"
    )


def test_restore_refuses_a_file_that_is_not_a_talkback_database(tmp_path: Path) -> None:
    env = talkback_env(f"sqlite+aiosqlite:///{tmp_path / 'talkback.db'}", tmp_path)
    stranger = tmp_path / "stranger.db"
    with sqlite3.connect(stranger) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    connection.close()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all\n" * 100)
    for file, reason in ((stranger, "not a Talkback database"), (garbage, "not an SQLite")):
        done = cli(env, "restore", str(file))
        assert done.returncode == 2, done.stdout + done.stderr
        assert reason in done.stderr
    assert not (tmp_path / "talkback.db").exists(), "a refused restore left a database behind"
