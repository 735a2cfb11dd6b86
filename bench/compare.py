"""Talkback beside Isso 0.14 and a bare uvicorn ceiling, over real sockets, in one run.

Run: `.venv/bin/python bench/compare.py` (about 20 minutes on 2 cores), or `--quick` for a
two-minute smoke run; `pip install -e '.[bench]'` first. bench/README.md says what it does
and what each figure means; bench/RESULTS.md and its plots are what it writes.

Why it is built this way:
- Every server is a real process tree on 127.0.0.1 (`talkback serve --workers 2`, uvicorn
  with 2 workers, gunicorn with 2 workers), loaded by wrk, the tool of issue 13's table, so
  the figures include sockets, HTTP parsing and the workers' scheduling, unlike the
  in-process thread_read.py.
- All databases hold the same rows, planned once in batches (peers/plan.py) and written to
  each; Talkback's counters are checked by SQL before anything is measured.
- The bare app serves bytes recorded from the running Talkback, so its rate is the ceiling
  for exactly those answers; servers run one at a time so none competes with another.
- Every load is bounded (`-d`, `--timeout`), every process started here is stopped by its
  own process group, and the throwaway PostgreSQL database is dropped WITH (FORCE).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from peers import isso, machine, report, talkback
from peers.plan import POST_THREADS, Plan, batches, post_uri, summary, thread_uri
from peers.processes import LOOPBACK, Server, ServerFailed, free_port, measure_tree
from peers.scenarios import (
    CONCURRENCY,
    QUICK_CONCURRENCY,
    isso_scenarios,
    run_all,
    talkback_counts,
    talkback_read,
    talkback_scenarios,
)
from peers.wrk import TIMEOUT_SECONDS
from talkback.store.database import Database
from thread_read import ORIGIN, bounded_int, fresh_database

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SERVERS = ("talkback-sqlite", "talkback-postgresql", "bare", "isso")
DEFAULT_COMMENTS = 1_000_000
QUICK = {"comments": 20_000, "seconds": 1, "warmup": 1}
FULL = {"comments": DEFAULT_COMMENTS, "seconds": 10, "warmup": 2}


def say(line: str) -> None:
    print(line, flush=True)


class Run:
    """One comparison: its parameters, folders, and the results file it fills in."""

    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        self.args = args
        self.folder = folder
        self.tag = datetime.now(UTC).strftime("run%Y%m%dT%H%M%S")
        self.logs = RESULTS_DIR / f"compare-{self.tag}"
        self.plan = Plan.for_total(args.comments, args.seed)
        self.isso_sizes: list[int] = []
        self.concurrency = QUICK_CONCURRENCY if args.quick else CONCURRENCY
        self.result: dict[str, Any] = {
            "benchmark": "compare",
            "machine": machine.describe(),
            "versions": machine.versions(),
            "parameters": {
                "quick": args.quick,
                "kind": run_kind(args),
                "comments": args.comments,
                "seconds": args.seconds,
                "warmup_seconds": args.warmup,
                "timeout_seconds": TIMEOUT_SECONDS,
                "servers": list(args.servers),
                "seed": args.seed,
            },
            "servers": {},
            "scenarios": [],
            "notes": [],
        }

    def note(self, line: str) -> None:
        say(f"note: {line}")
        self.result["notes"].append(line)

    # ------------------------------------------------------------------------ seeding

    async def seed(
        self, stores: dict[str, talkback.TalkbackStore], peer: isso.IssoStore | None
    ) -> None:
        """Every batch of the plan into every store, then each store's counters checked."""
        for store in stores.values():
            await store.prepare()
        measured_uris = {thread_uri(size) for size in self.plan.sizes}
        measured: dict[str, dict[str, int]] = {}
        began, written = time.perf_counter(), 0
        for batch in batches(self.plan):
            # Concurrently: SQLite writes in aiosqlite's thread, PostgreSQL in its server.
            await asyncio.gather(*(store.write(batch) for store in stores.values()))
            if peer is not None:
                peer.write([t for t in batch if peer.takes(t, t.uri in measured_uris)])
            measured.update({t.uri: t.summary() for t in batch if t.uri in measured_uris})
            written += sum(len(t.comments) for t in batch)
            seconds = time.perf_counter() - began
            say(f"  seeded {written:,} / {self.plan.comments:,} comments ({seconds:.0f} s)")
        for name, store in stores.items():
            self.result["versions"][name.replace("talkback-", "")] = await store.finish()
        self.result["seeded"] = summary(self.plan, measured)
        self.result["seeded"]["seconds"] = round(time.perf_counter() - began, 1)
        if peer is not None:
            peer.add_threads([post_uri(n) for n in range(POST_THREADS)])
            sizes = [s for s in self.plan.sizes if s <= isso.MAX_THREAD]
            self.result["seeded"]["isso"] = (
                f"{peer.comments:,} comments: the measured threads of "
                + ", ".join(f"{s:,}" for s in sizes)
                + f" and filler up to {isso.MAX_COMMENTS:,} comments in all"
            )
            self.isso_sizes = sizes

    # ------------------------------------------------------------------------ servers

    def measure(self, server: Server, scenarios: Sequence[Any]) -> None:
        info = self.result["servers"].setdefault(server.name, {})
        info["memory_idle"] = measure_tree(server).as_dict()
        info["command"] = " ".join(server.command)
        say(f"{server.name}: {server.base_url}, idle RSS {info['memory_idle']['rss_mb']:.0f} MB")
        self.result["scenarios"] += run_all(
            server, scenarios, seconds=self.args.seconds, warmup=self.args.warmup, say=say
        )
        info["workers_replaced_at_start"] = server.deaths_at_start
        info["workers_replaced_under_load"] = server.deaths() - server.deaths_at_start
        if info["workers_replaced_under_load"]:
            self.note(
                f"{server.name}: its supervisor found {info['workers_replaced_under_load']} "
                f"worker(s) dead under load and replaced them (see {server.log.name}): its "
                "figures were measured with fewer workers part of the time"
            )

    def talkback_targets(self) -> list[str]:
        return [talkback_read(size) for size in self.plan.sizes] + [
            talkback_counts(self.plan.count_uris())
        ]

    async def run_talkback(self, name: str, url: str) -> None:
        server = talkback.server(name, url, self.folder / name, self.logs / f"{name}.log")
        with server:
            recorded = talkback.capture(
                server.base_url, self.talkback_targets(), {"Origin": ORIGIN}
            )
            answers = self.logs / "talkback-answers.json"
            if answers.exists():
                before = json.loads(answers.read_text())
                same = [a["body"] for a in before] == [a["body"] for a in recorded]
                self.result["servers"][name] = {"same_bytes_as_first_talkback": same}
            else:
                talkback.save(recorded, answers)
            scenarios = talkback_scenarios(
                server.base_url,
                self.plan.sizes,
                self.plan.count_uris(),
                posting=True,
                tag=f"{self.tag}-{name}",
                concurrency=self.concurrency,
            )
            self.measure(server, scenarios)
            stored = await stored_talkback_posts(url)
        self.check_posting(name, stored)

    def run_bare(self) -> None:
        answers = self.logs / "talkback-answers.json"
        if not answers.exists():
            self.note("bare app skipped: it serves Talkback's recorded answers and no Talkback ran")
            return
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "bare_app:app",
            "--app-dir",
            str(Path(__file__).parent / "peers"),
        ]
        command += ["--host", LOOPBACK, "--port", str(port), "--workers", "2", "--no-access-log"]
        env = {**os.environ, "BENCH_BARE_RESPONSES": str(answers)}
        ready = talkback_read(self.plan.sizes[0])
        bare = Server(
            "bare", command, env, self.logs / "bare.log", port, ready, 2, *talkback.UVICORN_MARKERS
        )
        with bare as server:
            scenarios = talkback_scenarios(
                server.base_url,
                self.plan.sizes,
                self.plan.count_uris(),
                posting=False,
                tag=self.tag,
                concurrency=self.concurrency,
            )
            self.measure(server, scenarios)

    def run_isso(self, peer: isso.IssoStore) -> None:
        with peer.server(self.logs / "isso.log") as server:
            scenarios = isso_scenarios(
                server.base_url,
                peer.host,
                self.isso_sizes,
                self.plan.count_uris(),
                tag=f"{self.tag}-isso",
                concurrency=self.concurrency,
            )
            self.measure(server, scenarios)
        self.check_posting("isso", peer.count([post_uri(n) for n in range(POST_THREADS)]))

    def check_posting(self, name: str, stored: int) -> None:
        """Comments stored in the posting threads against the 2xx answers wrk counted.

        wrk stops with up to `c` requests in flight, which the server may still commit, so
        a consistent run stores between the acknowledged count and that plus the in-flight.
        """
        rows = [
            r for r in self.result["scenarios"] if r["server"] == name and r["scenario"] == "post"
        ]
        statuses: dict[str, int] = {}
        for row in rows:
            for counts in (row.get("statuses", {}), row.get("warmup_statuses", {})):
                for status, n in counts.items():
                    statuses[status] = statuses.get(status, 0) + n
        acknowledged = sum(n for status, n in statuses.items() if status.startswith("2"))
        in_flight = sum(2 * r["connections"] for r in rows)
        verdict = "consistent" if acknowledged <= stored <= acknowledged + in_flight else "MISMATCH"
        check = {
            "statuses": statuses,
            "acknowledged": acknowledged,
            "stored": stored,
            "verdict": verdict,
        }
        self.result["servers"].setdefault(name, {})["posting_check"] = check
        say(f"  {name} posting check: {check}")

    # ------------------------------------------------------------------------ the run

    async def go(self) -> Path:
        servers = self.args.servers
        self.logs.mkdir(parents=True, exist_ok=True)
        talkback.flush_broker()
        peer: isso.IssoStore | None = None
        if "isso" in servers:
            try:
                self.result["versions"].update(isso.install(self.logs / "isso-install.log"))
                peer = isso.IssoStore(self.folder)
            except isso.IssoUnavailable as exc:
                self.note(f"Isso left out: {exc}")
        async with AsyncExitStack() as stack:
            urls: dict[str, str] = {}
            for name in ("talkback-sqlite", "talkback-postgresql"):
                if name in servers or (name == "talkback-sqlite" and "bare" in servers):
                    backend = name.removeprefix("talkback-")
                    urls[name] = await stack.enter_async_context(fresh_database(backend))
            targets = ", ".join([*urls, *(["isso"] if peer else [])])
            say(f"seeding {self.plan.comments:,} comments into {targets}")
            await self.seed({n: talkback.TalkbackStore(u) for n, u in urls.items()}, peer)
            for name, url in urls.items():
                try:
                    await self.run_talkback(name, url)
                except ServerFailed as exc:
                    self.note(f"{name} failed: {exc}")
                if name == "talkback-sqlite" and "bare" in servers:
                    self.run_bare()
            if "bare" in servers and "talkback-sqlite" not in urls:
                self.run_bare()
            if peer is not None:
                try:
                    self.run_isso(peer)
                except ServerFailed as exc:
                    self.note(f"Isso failed: {exc}")
                finally:
                    peer.close()
        return self.write()

    def write(self) -> Path:
        self.result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        path = RESULTS_DIR / f"compare-{self.tag}.json"
        self.result["results_file"] = str(path.relative_to(RESULTS_DIR.parent.parent))
        path.write_text(json.dumps(self.result, indent=2) + "\n")
        return path


def run_kind(args: argparse.Namespace) -> str:
    """How RESULTS.md names the run: only the defaults make a full run."""
    if args.quick:
        return "quick smoke run, c16 only"
    if args.comments == DEFAULT_COMMENTS and args.seconds >= 10:
        return "full run"
    return f"custom run ({args.comments:,} comments, {args.seconds} s per scenario)"


async def stored_talkback_posts(url: str) -> int:
    database = Database(url)
    try:
        async with database.read() as conn:
            found = await conn.scalar(
                text(
                    "SELECT count(*) FROM comments c JOIN threads t ON t.id = c.thread_id "
                    "WHERE t.uri LIKE '/bench/post-%'"
                )
            )
            return int(found or 0)
    finally:
        await database.close()


def server_list(value: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = [name for name in names if name not in SERVERS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(SERVERS)}")
    return names


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 20,000 comments, 1 s loads, 16 connections only",
    )
    parser.add_argument(
        "--comments",
        type=bounded_int(1_000, 2_000_000),
        help="comments in each database (default 1,000,000)",
    )
    parser.add_argument(
        "--seconds", type=bounded_int(1, 120), help="measured seconds per scenario (default 10)"
    )
    parser.add_argument(
        "--warmup", type=bounded_int(0, 60), help="warm-up seconds before each (default 2)"
    )
    parser.add_argument(
        "--servers",
        type=server_list,
        default=SERVERS,
        help=f"comma-separated, default {','.join(SERVERS)}",
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed for the threads' shape")
    parser.add_argument(
        "--report",
        type=Path,
        metavar="RESULTS_JSON",
        help="only render bench/RESULTS.md from a results file",
    )
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report:
        say(f"wrote {report.render(json.loads(args.report.read_text()))}")
        return 0
    with tempfile.TemporaryDirectory(prefix="talkback-compare-") as folder:
        path = asyncio.run(Run(args, Path(folder)).go())
    say(f"results: {path}")
    say(f"wrote {report.render(json.loads(path.read_text()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
