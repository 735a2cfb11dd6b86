"""Isso 0.14 under test: installed from PyPI into its own venv, seeded, run by gunicorn.

Install: `bench/.peers/isso-0.14.0/` (git-ignored), created with this interpreter's
`venv` and `pip install isso==0.14.0 gunicorn`; reused while it imports. Isso needs a C
compiler for misaka (gcc, Debian).

Seeding writes Isso's SQLite database directly, after Isso's own code has created the
schema (`isso.db.SQLite3`, run in its venv: tables, triggers, `user_version`), with the
same rows as Talkback's:

- `threads(id, uri, title)`: one row per thread, the posting threads included (Isso
  fetches a page's title over HTTP when a comment opens a thread nobody has seeded).
- `comments(tid, id, parent, created, modified, mode, remote_addr, text, author, email,
  website, likes, dislikes, voters, notification)`: `mode` 1 (accepted), `created` as
  Unix seconds, `text` the Markdown source (Isso renders it on every read), `likes` and
  `dislikes` our up- and downvotes, `voters` an empty 256-byte Bloom filter (the one
  Isso writes for a new comment holds its author's address; nobody votes here). Isso
  keeps one level of nesting, so a reply's `parent` is its top-level ancestor, as Isso's
  own migration to schema 3 does. `remote_addr` is an anonymised address (/24), as Isso
  stores them.

Settings: moderation off, the guard (rate limits, direct-reply limits) off, gravatar and
the latest-comments endpoint off, notifications to its log; `host`, which Isso contacts
once at start-up, is Isso's own loopback address, so nothing leaves 127.0.0.1. gunicorn
runs 2 sync workers with `--preload`, as Isso's documentation shows it.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from peers.processes import Server, free_port
from thread_read import SeededThread

VERSION = "0.14.0"
PEERS = Path(__file__).resolve().parent.parent / ".peers"
VENV = PEERS / f"isso-{VERSION}"
WORKERS = 2
EMPTY_BLOOM_FILTER = bytes(256)
# Isso's scaled-down database (see bench/README.md): it has no index on comments.tid, so
# every query of every request scans the whole comments table.
MAX_THREAD = 10_000
MAX_COMMENTS = 20_000

CONFIG = """\
[general]
dbpath = {database}
host = {host}
notify = stdout
gravatar = false
latest-enabled = false

[admin]
enabled = false

[moderation]
enabled = false

[guard]
enabled = false

[server]
listen = {host}
"""


class IssoUnavailable(RuntimeError):
    """Isso could not be installed or started; the comparison runs without it."""


def python() -> Path:
    return VENV / "bin" / "python"


def install(log: Path) -> dict[str, str]:
    """The venv with Isso and gunicorn, made on first use; their versions."""
    probe = "import importlib.metadata as m; print(m.version('isso'), m.version('gunicorn'))"
    if not python().exists():
        PEERS.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            steps = (
                [sys.executable, "-m", "venv", str(VENV)],
                [str(python()), "-m", "pip", "install", f"isso=={VERSION}", "gunicorn>=27,<28"],
            )
            for step in steps:
                if subprocess.run(step, stdout=out, stderr=subprocess.STDOUT).returncode:
                    raise IssoUnavailable(f"{' '.join(step)} failed; see {log}")
    done = subprocess.run([python(), "-c", probe], capture_output=True, text=True, check=False)
    if done.returncode:
        raise IssoUnavailable(f"Isso's venv {VENV} is broken: {done.stderr.strip()}")
    isso, gunicorn = done.stdout.split()
    if isso != VERSION:
        raise IssoUnavailable(f"{VENV} holds Isso {isso}, not {VERSION}: remove it")
    return {"isso": isso, "gunicorn": gunicorn}


class IssoStore:
    """Isso's SQLite database, its schema made by Isso, its rows written by us."""

    def __init__(self, folder: Path) -> None:
        self.database = folder / "isso.db"
        self.config = folder / "isso.cfg"
        self._configure(free_port())
        make_schema = (
            "import sys; from isso import config; from isso.db import SQLite3; "
            "SQLite3(sys.argv[1], config.load(config.default_file(), sys.argv[2]))"
        )
        subprocess.run(
            [python(), "-c", make_schema, str(self.database), str(self.config)],
            check=True,
            capture_output=True,
        )
        self.connection = sqlite3.connect(self.database)
        self.threads = 0
        self.comments = 0

    def takes(self, thread: SeededThread, measured: bool) -> bool:
        """Measured threads up to MAX_THREAD, then filler while the total stays within
        MAX_COMMENTS (the plan yields the measured threads first)."""
        if measured:
            return len(thread.comments) <= MAX_THREAD
        return self.comments + len(thread.comments) <= MAX_COMMENTS

    def write(self, batch: Sequence[SeededThread]) -> None:
        if not batch:
            return
        rows = []
        for thread in batch:
            for row in thread.comments:
                rows.append(
                    (
                        thread.thread_id,
                        row["id"],
                        row["root_id"],
                        row["created_at"].timestamp(),
                        None,
                        1,
                        f"198.51.{row['id'] % 250}.0",
                        row["text"],
                        row["author_name"],
                        None,
                        row["author_website"],
                        row["upvotes"],
                        row["downvotes"],
                        EMPTY_BLOOM_FILTER,
                        0,
                    )
                )
        with self.connection:
            self.connection.executemany(
                "INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)",
                [(t.thread_id, t.uri, f"Benchmark thread of {len(t.comments)}") for t in batch],
            )
            self.connection.executemany(
                "INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr, "
                "text, author, email, website, likes, dislikes, voters, notification) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        self.threads = max(self.threads, *(t.thread_id for t in batch))
        self.comments += len(rows)

    def add_threads(self, uris: Sequence[str]) -> None:
        """Empty threads (the posting scenario's), ids after the seeded ones."""
        with self.connection:
            self.connection.executemany(
                "INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)",
                [(self.threads + 1 + n, uri, "Posting") for n, uri in enumerate(uris)],
            )
        self.threads += len(uris)

    def count(self, uris: Sequence[str]) -> int:
        """Comments stored in the threads at `uris` (to check what posting acknowledged)."""
        marks = ",".join("?" * len(uris))
        query = (
            "SELECT count(*) FROM comments JOIN threads ON threads.id = comments.tid "
            f"WHERE threads.uri IN ({marks})"
        )
        found: int = self.connection.execute(query, list(uris)).fetchone()[0]
        return found

    def close(self) -> None:
        self.connection.close()

    def _configure(self, port: int) -> None:
        self.port = port
        self.host = f"http://127.0.0.1:{port}"
        self.config.write_text(CONFIG.format(database=self.database, host=self.host))

    def server(self, log: Path) -> Server:
        """gunicorn on a port free right now (the one seen at seeding may be taken since)."""
        self._configure(free_port())
        command = [
            str(VENV / "bin" / "gunicorn"),
            "--workers",
            str(WORKERS),
            "--preload",
            "--no-control-socket",
            "--bind",
            f"127.0.0.1:{self.port}",
            "isso.run",
        ]
        env = {"ISSO_SETTINGS": str(self.config), "PATH": "/usr/bin:/bin"}
        markers = ("Booting worker with pid", "WORKER TIMEOUT")
        return Server("isso", command, env, log, self.port, "/config", WORKERS, *markers)
