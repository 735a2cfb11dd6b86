"""WordPress import benchmark: wall time, comments per second and peak memory, at two sizes.

Run: `.venv/bin/python bench/import_wxr.py [--sizes 10000,100000] [--per-post 100]`.

Why it is built this way:
- The claim under test is that an import streams: memory is bounded by the largest
  thread, not by the file. So the same generator writes two WXR files of different sizes
  with threads of the same size, and each is imported into a fresh SQLite database in a
  fresh process (`--one`), so that peak RSS (`resource.getrusage`) belongs to that import
  alone. If memory were proportional to the file, the 100,000-comment peak would be about
  ten times the 10,000-comment one; bounded, the two are close.
- Peak RSS includes what the process holds before importing (Python, SQLAlchemy, the
  moderation model the service context loads); the "before" column shows that baseline and
  "growth" the import's own share. A second pass per size runs under `tracemalloc`, whose
  peak counts only Python allocations during the import (slower, so it is not timed).
- The generated file is our own text: posts with a fixed number of comments, about 30 %
  replies to an earlier comment of the same post, one reply in 20 written before its parent
  in the file, wpDiscuz vote meta on every tenth comment, some HTML and non-ASCII text.
  Generation is a bounded loop writing straight to disk, never holding the document.
- Nothing leaves the machine: a temporary directory holds the file and the database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from talkback import __version__
from talkback.config import Settings
from talkback.context import Context
from talkback.importers.formats.wordpress import WORDPRESS
from talkback.importers.options import ImportOptions
from talkback.importers.run import run_import
from talkback.sites.sites import create_site
from talkback.store.migrate import migrate

SECRET_KEY = "bench-secret-key"
RESULTS = Path(__file__).parent / "results"
WORDS = [
    "harbour", "bridge", "council", "tide", "ferry", "night", "budget", "school", "river",
    "vote", "market", "rail", "Straße", "café", "naïve", "élan", "übrigens",
]  # fmt: skip


def write_wxr(path: Path, comments: int, per_post: int, seed: int) -> None:
    """A WXR 1.2 file with `comments` comments in posts of `per_post` comments each."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                  'xmlns:wp="http://wordpress.org/export/1.2/" '
                  'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n<channel>\n'
                  "<title>Bench Gazette</title>\n")  # fmt: skip
        next_id = 1
        for post in range(1, (comments + per_post - 1) // per_post + 1):
            count = min(per_post, comments - next_id + 1)
            _write_item(out, rng, post, next_id, count)
            next_id += count
        out.write("</channel>\n</rss>\n")


def _write_item(out: TextIO, rng: random.Random, post: int, first_id: int, count: int) -> None:
    out.write(f"<item><title>Story {post}</title>"
              f"<link>https://bench.example/{2026 - post % 5}/story-{post}/</link>"
              f"<wp:post_id>{post}</wp:post_id><wp:post_type>post</wp:post_type>"
              "<content:encoded><![CDATA[<p>The story itself.</p>]]>"
              "</content:encoded>\n")  # fmt: skip
    comments = []
    for offset in range(count):
        comment_id = first_id + offset
        parent = 0
        if offset and rng.random() < 0.3:
            parent = rng.randrange(first_id, comment_id)
        comments.append((comment_id, parent))
    for index in range(len(comments) - 1):
        if comments[index + 1][1] == comments[index][0] and rng.random() < 0.05:
            comments[index], comments[index + 1] = comments[index + 1], comments[index]
    for comment_id, parent in comments:
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 60)))
        body = (
            f'{words}\n\n<strong>{rng.choice(WORDS)}</strong> <a href="https://x.example/">link</a>'
        )
        minute = comment_id % 60
        meta = ""
        if comment_id % 10 == 0:
            like, dislike = rng.randint(0, 40), rng.randint(0, 10)
            meta = ("<wp:commentmeta><wp:meta_key>wpdiscuz_votes_seperate</wp:meta_key>"
                    f'<wp:meta_value><![CDATA[a:2:{{s:4:"like";i:{like};s:7:"dislike";'
                    f"i:{dislike};}}]]></wp:meta_value></wp:commentmeta>")  # fmt: skip
        out.write(f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                  f"<wp:comment_author><![CDATA[Reader {comment_id % 997}]]></wp:comment_author>"
                  f"<wp:comment_author_email>reader{comment_id % 997}@bench.example"
                  "</wp:comment_author_email>"
                  f"<wp:comment_author_IP>198.51.100.{comment_id % 250}</wp:comment_author_IP>"
                  f"<wp:comment_date_gmt>2025-06-01 12:{minute:02d}:{comment_id % 60:02d}"
                  "</wp:comment_date_gmt>"
                  f"<wp:comment_content><![CDATA[{body}]]></wp:comment_content>"
                  "<wp:comment_approved>1</wp:comment_approved>"
                  f"<wp:comment_parent>{parent}</wp:comment_parent>"
                  f"{meta}</wp:comment>\n")  # fmt: skip
    out.write("</item>\n")


def _maxrss_mib() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def import_once(wxr: Path, database: Path, traced: bool) -> dict[str, Any]:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{database}", secret_key=SECRET_KEY,
                        broker_url="memory://", smtp_url=None, rate_limits="off")  # fmt: skip
    context = Context.from_settings(settings)
    try:
        await migrate(context.database)
        await create_site(
            context.database, "bench", name="Bench", origins=["https://bench.example"]
        )
        options = ImportOptions(secret_key=SECRET_KEY)
        before = _maxrss_mib()
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        summary = await run_import(context, "bench", wxr, WORDPRESS, options)
        elapsed = time.perf_counter() - started
        traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else None
        if traced:
            tracemalloc.stop()
        return {
            "comments": summary.comments_imported,
            "threads": summary.threads_created,
            "seconds": elapsed,
            "rss_before_mib": before,
            "rss_peak_mib": _maxrss_mib(),
            "tracemalloc_peak_mib": traced_peak,
        }
    finally:
        await context.close()


def run_child(wxr: Path, traced: bool) -> dict[str, Any]:
    """One import in a fresh interpreter, so its peak RSS is its own."""
    with tempfile.TemporaryDirectory(prefix="talkback-bench-db-") as directory:
        command = [sys.executable, __file__, "--one", str(wxr),
                   "--database", str(Path(directory) / "bench.db")]  # fmt: skip
        if traced:
            command.append("--traced")
        done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comment counts, comma-separated")
    parser.add_argument("--per-post", type=int, default=100, help="comments per post (thread)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(asyncio.run(import_once(args.one, args.database, args.traced))))
        return
    sizes = [int(size) for size in args.sizes.split(",")]
    if any(not 1 <= size <= 1_000_000 for size in sizes):
        parser.error("sizes must be between 1 and 1,000,000 comments")
    console = Console()
    rows = []
    with tempfile.TemporaryDirectory(prefix="talkback-bench-wxr-") as directory:
        for size in sizes:
            wxr = Path(directory) / f"bench-{size}.xml"
            write_wxr(wxr, size, args.per_post, args.seed)
            timed = run_child(wxr, traced=False)
            traced = run_child(wxr, traced=True)
            if timed["comments"] != size:
                raise SystemExit(f"imported {timed['comments']} of {size} comments")
            rows.append({"size": size, "file_mib": wxr.stat().st_size / 2**20, **timed,
                         "tracemalloc_peak_mib": traced["tracemalloc_peak_mib"]})  # fmt: skip
    table = Table("comments", "file MiB", "threads", "seconds", "comments/s", "RSS before MiB",
                  "RSS peak MiB", "growth MiB", "tracemalloc peak MiB")  # fmt: skip
    for row in rows:
        table.add_row(
            f"{row['size']:,}", f"{row['file_mib']:.1f}", f"{row['threads']:,}",
            f"{row['seconds']:.1f}", f"{row['size'] / row['seconds']:,.0f}",
            f"{row['rss_before_mib']:.0f}", f"{row['rss_peak_mib']:.0f}",
            f"{row['rss_peak_mib'] - row['rss_before_mib']:.0f}",
            f"{row['tracemalloc_peak_mib']:.1f}",
        )  # fmt: skip
    console.print(table)
    if len(rows) >= 2:
        small, large = rows[0], rows[-1]
        console.print(
            f"{large['size'] // small['size']}x the comments: "
            f"{large['tracemalloc_peak_mib'] / small['tracemalloc_peak_mib']:.2f}x the "
            f"tracemalloc peak, {large['rss_peak_mib'] / small['rss_peak_mib']:.2f}x the peak RSS"
        )
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "import_wxr-sqlite.json"
    out.write_text(json.dumps({
        "talkback": __version__, "python": platform.python_version(),
        "machine": platform.platform(), "per_post": args.per_post, "seed": args.seed,
        "runs": rows,
    }, indent=2) + "\n")  # fmt: skip
    console.print(f"results: {out}")


if __name__ == "__main__":
    main()
