"""An upgrade keeps what readers see: the previous release's code (migration head 0007,
taken from git) makes a database and fills it through its own API; this version migrates
that database to its head and serves the same pages, field for field.

The previous release is the commit before the first migration after 0007 landed, run
from a copy of its `src/` placed first on PYTHONPATH (the dependencies are this
checkout's). Fields this version added to an answer are allowed; any field the previous
release served must keep its value.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import skip_or_fail
from tests.durability.test_kill_nine import (
    ORIGIN,
    REQUEST_TIMEOUT,
    SITE,
    THREADS,
    run_cli,
    running_server,
    talkback_env,
)
from tests.durability.test_kill_nine_votes_gifts import WEBHOOK_SECRET, Gift, deliver
from tests.stripe_events import checkout_completed, encode

REPOSITORY = Path(__file__).resolve().parents[2]
PREVIOUS_HEAD = "0007"
FIRST_AFTER = "src/talkback/store/migrations/versions/0008_*.py"
CAMPAIGN = {
    "type": "campaign", "id": "upgrade", "title": "Fund the flood desk", "currency": "EUR",
    "goal_minor": 5_000_000, "status": "open", "is_current": True, "donor_wall": True,
    "created_at": "2026-10-01T00:00:00Z",
}  # fmt: skip


def previous_release(target: Path) -> Path:
    """The `src/` of the last commit whose migrations ended at PREVIOUS_HEAD."""
    found = subprocess.run(
        ["git", "-C", str(REPOSITORY), "log", "--diff-filter=A", "--format=%H", "--", FIRST_AFTER],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    commits = found.stdout.split()
    if found.returncode != 0 or not commits:
        skip_or_fail(f"no git history with migration {PREVIOUS_HEAD}'s successor here")
    archive = subprocess.run(
        ["git", "-C", str(REPOSITORY), "archive", f"{commits[-1]}^", "src/talkback"],
        capture_output=True, timeout=60, check=True,
    )  # fmt: skip
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    versions = target / "src/talkback/store/migrations/versions"
    assert max(p.name[:4] for p in versions.glob("0*.py")) == PREVIOUS_HEAD
    return target / "src"


async def fill(url: str) -> list[str]:
    """Comments (replies, Markdown, an edit, a deletion), votes and a gift, through the
    previous release's API; returns the reader tokens used."""
    comments = f"/api/v1/{SITE}/comments"
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT) as client:
        tokens = [
            (await client.get(f"/api/v1/{SITE}/me", params={"uri": THREADS[0]})).json()[
                "reader_token"
            ]
            for _ in range(3)
        ]
        ids: list[int] = []
        for n in range(12):
            uri = THREADS[n % 2]
            body: dict[str, Any] = {
                "text": f"Point {n}: the *levee* report cites `survey-{n}`, page **{n + 3}**.",
                "author_name": f"Reader {n % 4}",
            }
            if n >= 4 and n % 3 == 0:
                body["parent_id"] = ids[n - 4]
            answer = await client.post(
                comments,
                params={"uri": uri},
                json=body,
                headers={"X-Talkback-Reader": tokens[n % 3]},
            )
            assert answer.status_code == 201, answer.text
            ids.append(answer.json()["comment"]["id"])
            if n == 5:
                edit_token = answer.json()["edit_token"]
                edited = await client.patch(
                    f"{comments}/{ids[-1]}",
                    json={"text": "Point 5, corrected: the survey is from 2024."},
                    headers={"X-Edit-Token": edit_token},
                )
                assert edited.status_code == 200, edited.text
            if n == 7:
                gone = await client.delete(
                    f"{comments}/{ids[-1]}",
                    headers={"X-Edit-Token": answer.json()["edit_token"]},
                )
                assert gone.status_code == 204, gone.text
        for n, comment in enumerate(ids[:8]):
            if n == 7:
                continue  # deleted
            for reader, token in enumerate(tokens):
                if (n + reader) % 2 == 0 and n % 3 != reader:
                    voted = await client.post(
                        f"{comments}/{comment}/vote",
                        json={"value": 1 if reader else -1},
                        headers={"X-Talkback-Reader": token},
                    )
                    assert voted.status_code == 200, voted.text
        campaign_id = (await client.get(f"/api/v1/{SITE}/campaigns/current")).json()["id"]
        for n in range(3):
            event = checkout_completed(
                session_id=f"cs_test_upgrade_{n}", site=SITE, campaign_id=int(campaign_id),
                amount_minor=1500 + n, currency="EUR", donor_name=f"Reader {n}",
            )  # fmt: skip
            answer = await deliver(client, Gift(f"cs_test_upgrade_{n}", 1500 + n, encode(event)))
            assert answer.json()["outcome"] == "recorded", answer.text
    return tokens


async def pages(url: str, tokens: list[str]) -> dict[str, Any]:
    """What readers get: thread pages in each order, their own votes, the goal bar."""
    seen: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT) as client:
        for uri in THREADS[:2]:
            for sort in ("oldest", "newest", "most_voted"):
                answer = await client.get(
                    f"/api/v1/{SITE}/comments", params={"uri": uri, "sort": sort}
                )
                assert answer.status_code == 200, answer.text
                seen[f"{uri} {sort}"] = answer.json()
            for n, token in enumerate(tokens):
                answer = await client.get(
                    f"/api/v1/{SITE}/me", params={"uri": uri}, headers={"X-Talkback-Reader": token}
                )
                seen[f"{uri} me {n}"] = answer.json()["votes"]
        seen["campaign"] = (await client.get(f"/api/v1/{SITE}/campaigns/current")).json()
    return seen


def differences(before: Any, after: Any, where: str = "") -> list[str]:
    """Where `after` does not hold what `before` held (keys it added are fine)."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key, value in before.items():
            if key not in after:
                found.append(f"{where}.{key}: gone")
            else:
                found += differences(value, after[key], f"{where}.{key}")
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [d for n, pair in enumerate(zip(before, after, strict=True))
                for d in differences(*pair, f"{where}[{n}]")]  # fmt: skip
    return [] if before == after else [f"{where}: {before!r} -> {after!r}"]


def test_database_of_the_previous_release_migrates_and_serves_the_same_pages(
    tmp_path: Path,
) -> None:
    old_src = previous_release(tmp_path / "previous")
    database = f"sqlite+aiosqlite:///{tmp_path / 'talkback.db'}"
    env = talkback_env(database, tmp_path) | {"TALKBACK_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}
    old_env = env | {"PYTHONPATH": str(old_src)}
    # The installed script names this release's entry point; the previous release's code
    # is only on PYTHONPATH, so it runs as a module (`python -m talkback`).
    old = (sys.executable, "-m", "talkback")
    run_cli(old_env, "migrate", command=old)
    run_cli(
        old_env, "site", "add", SITE, "--name", "The Upgraded Times", "--origin", ORIGIN,
        command=old,
    )  # fmt: skip
    campaign = tmp_path / "campaign.jsonl"
    header = {"format": "talkback-export", "version": 1}
    campaign.write_text(f"{json.dumps(header)}\n{json.dumps(CAMPAIGN)}\n")
    run_cli(old_env, "import", "talkback", str(campaign), "--site", SITE, command=old)
    with running_server(old_env, tmp_path / "previous.log", command=old) as server:
        tokens = asyncio.run(fill(server.url))
        before = asyncio.run(pages(server.url, tokens))
        server.stop()
    with contextlib.closing(sqlite3.connect(tmp_path / "talkback.db")) as made:
        assert made.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (PREVIOUS_HEAD,)
        ], "the previous release did not make this database"

    run_cli(env, "migrate")
    with running_server(env, tmp_path / "upgraded.log") as server:
        after = asyncio.run(pages(server.url, tokens))
        server.stop()
    changed = differences(before, after)
    assert not changed, f"pages changed by the upgrade: {changed[:20]}"
    shown = sum(len(page["comments"]) for key, page in before.items() if key.endswith("oldest"))
    print(
        f"\nupgrade {PREVIOUS_HEAD} -> head: {len(before)} answers identical, "
        f"{shown} top-level comments with their replies"
    )
