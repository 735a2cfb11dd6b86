"""bench/RESULTS.md and its plots, generated from a compare.py results file.

The Markdown is rebuilt whole from the JSON, so a results file can be rendered again
(`compare.py --report FILE`) without rerunning anything, and every figure in RESULTS.md can
be traced to a row of the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display; chosen before pyplot is imported
import matplotlib.pyplot as plt

BENCH = Path(__file__).resolve().parent.parent
RESULTS_MD = BENCH / "RESULTS.md"
PLOTS = {"requests_per_second": "compare-requests.png", "p99_ms": "compare-p99.png"}
LABELS = {
    "talkback-sqlite": "Talkback, SQLite",
    "talkback-postgresql": "Talkback, PostgreSQL",
    "isso": "Isso 0.14",
    "bare": "bare uvicorn, same bytes",
}
ORDER = tuple(LABELS)
STYLE = {
    "talkback-sqlite": ("tab:blue", "o"),
    "talkback-postgresql": ("tab:purple", "s"),
    "isso": ("tab:orange", "^"),
    "bare": ("tab:gray", "x"),
}


def find(
    rows: Sequence[dict[str, Any]], server: str, kind: str, size: int | None, c: int
) -> dict[str, Any] | None:
    for row in rows:
        if (row["server"], row["scenario"], row["thread_size"], row["connections"]) == (
            server,
            kind,
            size,
            c,
        ):
            return row
    return None


def cell(row: dict[str, Any] | None) -> str:
    if row is None:
        return "—"
    if "error" in row:
        return "failed"
    text = f"{row['requests_per_second']:,.0f} ({row['p50_ms']:.1f} / {row['p99_ms']:.1f} ms)"
    if row["failed_requests"]:
        text += f", **{row['failed_requests']:,} failed**"
    return text


def ratio(ours: dict[str, Any] | None, theirs: dict[str, Any] | None) -> str:
    if not ours or not theirs or "error" in ours or "error" in theirs:
        return "—"
    if not theirs["requests_per_second"]:
        return "—"
    value = ours["requests_per_second"] / theirs["requests_per_second"]
    return f"{value:.2f}" if value < 10 else f"{value:,.0f}"


def scenario_keys(rows: Sequence[dict[str, Any]]) -> list[tuple[str, int | None, int]]:
    """(kind, size, connections) in reading order: reads by size, then counts, then posts."""
    keys = {(r["scenario"], r["thread_size"], r["connections"]) for r in rows}
    rank = {"read": 0, "counts": 1, "post": 2}
    return sorted(keys, key=lambda k: (rank[k[0]], k[1] or 0, k[2]))


def servers_in(rows: Sequence[dict[str, Any]]) -> list[str]:
    present = {row["server"] for row in rows}
    return [name for name in ORDER if name in present]


def name_of(kind: str, size: int | None) -> str:
    if kind == "read":
        return f"thread of {size:,}, first page"
    return {"counts": "counts of 10 uris", "post": "posting"}[kind]


def main_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    servers = servers_in(rows)
    lines = [
        "| scenario | c | " + " | ".join(LABELS[s] for s in servers) + " |",
        "|---|---:|" + "---:|" * len(servers),
    ]
    for kind, size, c in scenario_keys(rows):
        cells = [cell(find(rows, s, kind, size, c)) for s in servers]
        lines.append(f"| {name_of(kind, size)} | {c} | " + " | ".join(cells) + " |")
    return lines


def ratio_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    pairs = [
        ("talkback-sqlite", "bare"),
        ("talkback-postgresql", "bare"),
        ("talkback-sqlite", "isso"),
        ("talkback-postgresql", "isso"),
    ]
    servers = set(servers_in(rows))
    pairs = [(a, b) for a, b in pairs if a in servers and b in servers]
    if not pairs:
        return ["(no pair of servers to compare in this run)"]
    heads = [
        f"{LABELS[a].replace('Talkback, ', 'Talkback ')} / {LABELS[b].split(',')[0]}"
        for a, b in pairs
    ]
    lines = ["| scenario | c | " + " | ".join(heads) + " |", "|---|---:|" + "---:|" * len(pairs)]
    for kind, size, c in scenario_keys(rows):
        cells = [
            ratio(find(rows, a, kind, size, c), find(rows, b, kind, size, c)) for a, b in pairs
        ]
        if any(value != "—" for value in cells):
            lines.append(f"| {name_of(kind, size)} | {c} | " + " | ".join(cells) + " |")
    return lines


def memory_table(result: dict[str, Any]) -> list[str]:
    rows = result["scenarios"]
    lines = [
        "| server | processes | RSS idle | RSS under load, max | PSS under load, max "
        "| largest process, max |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for server in servers_in(rows):
        measured = [r["memory"] for r in rows if r["server"] == server and "memory" in r]
        if not measured:
            continue
        idle = result["servers"].get(server, {}).get("memory_idle", {})
        lines.append(
            f"| {LABELS[server]} | {max(m['processes'] for m in measured)} | "
            f"{idle.get('rss_mb', 0):,.0f} MB | {max(m['rss_mb'] for m in measured):,.0f} MB | "
            f"{max(m['pss_mb'] for m in measured):,.0f} MB | "
            f"{max(m['largest_process_rss_mb'] for m in measured):,.0f} MB |"
        )
    return lines


def check_lines(result: dict[str, Any]) -> list[str]:
    """Posting answers against stored comments, and whether both Talkbacks sent one page."""
    lines = []
    for server, info in result["servers"].items():
        if "same_bytes_as_first_talkback" in info:
            same = "the same" if info["same_bytes_as_first_talkback"] else "**different**"
            lines.append(f"- {LABELS[server]} answered {same} bytes as the first Talkback.")
    for server, info in result["servers"].items():
        check = info.get("posting_check")
        if check:
            lines.append(
                f"- {LABELS[server]}: answers {check['statuses']}; {check['stored']:,} comments "
                f"stored in the posting threads for {check['acknowledged']:,} acknowledged "
                f"({check['verdict']})."
            )
    return lines


def plot(rows: Sequence[dict[str, Any]], metric: str, path: Path) -> None:
    """One panel per concurrency: `metric` against thread size, one line per server."""
    concurrencies = sorted({r["connections"] for r in rows if r["scenario"] == "read"})
    figure, axes = plt.subplots(
        1, len(concurrencies), figsize=(6 * len(concurrencies), 4.5), squeeze=False
    )
    for axis, c in zip(axes[0], concurrencies, strict=True):
        for server in servers_in(rows):
            points = sorted(
                (r["thread_size"], r[metric])
                for r in rows
                if r["server"] == server
                and r["scenario"] == "read"
                and r["connections"] == c
                and "error" not in r
                and r["requests"] > 0
            )
            if points:
                colour, marker = STYLE[server]
                axis.plot(
                    *zip(*points, strict=True), label=LABELS[server], color=colour, marker=marker
                )
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("comments in the thread")
        axis.set_ylabel("requests/s" if metric == "requests_per_second" else "p99 latency, ms")
        axis.set_title(f"thread first page, {c} connections")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def render(result: dict[str, Any], folder: Path = BENCH) -> Path:
    """Write RESULTS.md and the plots into `folder` (bench/ by default)."""
    rows = result["scenarios"]
    for metric, name in PLOTS.items():
        plot(rows, metric, folder / name)
    machine, versions, params, seeded = (
        result["machine"],
        result["versions"],
        result["parameters"],
        result["seeded"],
    )
    left_out = seeded["left_out_sizes"]
    notes = [f"- {note}" for note in result.get("notes", [])]
    lines = [
        "# Talkback beside its peers: bench/compare.py",
        "",
        f"Generated by `bench/compare.py` on {result['finished_at']} "
        f"({params.get('kind', 'run')}); the figures come from "
        f"`{result['results_file']}`. How to run it and what each figure means: bench/README.md.",
        "Which of the design's performance targets these figures meet, and the measured "
        'reasons where they fall short: docs/design.md, "Where they stand".',
        "",
        "## Machine",
        "",
        f"- CPU: {machine['cpu']}, {machine['nproc']} cores for this process (`nproc`), "
        f"{machine['memory_gib']} GiB memory, Linux {machine['kernel']}",
        f"- load average at start: {' / '.join(map(str, machine['load_at_start']))} "
        "(1 / 5 / 15 min; the load before each scenario is in the results file)",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        f"- wrk: `-t1 -c<c> -d{params['seconds']}s --timeout {params['timeout_seconds']}s`, "
        f"after a {params['warmup_seconds']} s warm-up of the same load; all on 127.0.0.1",
        "",
        "## Seeded",
        "",
        f"One database of {seeded['comments']:,} comments per server: threads of "
        + ", ".join(f"{s:,}" for s in seeded["thread_sizes"])
        + f" comments measured, and {seeded['filler_threads']:,} filler threads of up to "
        f"{seeded['filler_size']} around them"
        + (
            f"; sizes {', '.join(f'{s:,}' for s in left_out)} left out (too few comments)"
            if left_out
            else ""
        )
        + ". Isso's database: "
        + seeded.get("isso", "not seeded")
        + ".",
        "",
        *notes,
        *([""] if notes else []),
        "## Requests/s (p50 / p99 latency)",
        "",
        *main_table(rows),
        "",
        "## Ratios of requests/s",
        "",
        *ratio_table(rows),
        "",
        "## Memory of each server's whole process tree",
        "",
        *memory_table(result),
        "",
        "PostgreSQL's own processes are not in Talkback-on-PostgreSQL's tree.",
        "",
        "## Checks",
        "",
        *(check_lines(result) or ["(no posting scenario ran)"]),
        "",
        "## Plots",
        "",
        f"![requests/s against thread size]({PLOTS['requests_per_second']})",
        "",
        f"![p99 latency against thread size]({PLOTS['p99_ms']})",
        "",
    ]
    path = folder / RESULTS_MD.name
    path.write_text("\n".join(lines))
    return path
