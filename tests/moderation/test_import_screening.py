"""`talkback import … --screen`, run as an operator runs it: separate processes on SQLite.

The archive is Isso's generic JSON, written here: two civil comments, an insult the old
system published, and profanity spelled to slip past a filter (test data).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

CIVIL = [
    "The allotment waiting list is shorter than the council claims.",
    "Lovely photos of the plant swap, thank you.",
]
ABUSIVE = ["You are a stupid idiot, shut up.", "What a load of sh*t, you f u c k i n g clown."]


def talkback(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`talkback …` as its own process, on a SQLite database in `data_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALKBACK_")}
    env |= {"TALKBACK_DATA_DIR": str(data_dir), "TALKBACK_SECRET_KEY": "k" * 32, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "talkback", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def archive(path: Path) -> Path:
    comments = [
        {"id": number, "author": f"Reader {number}", "created": f"2024-03-09 1{number}:00:00",
         "text": text}
        for number, text in enumerate(CIVIL + ABUSIVE)
    ]  # fmt: skip
    path.write_text(json.dumps([{"id": "/2024/03/allotments/", "comments": comments}]))
    return path


def outcomes(summary: str) -> dict[str, int]:
    """The import's summary table as {outcome: count}."""
    rows = (line.strip("│ ").split("│") for line in summary.splitlines() if "│" in line)
    return {outcome.strip(): int(count) for outcome, count in rows}


def exported(data_dir: Path, site: str) -> dict[str, dict[str, Any]]:
    """The site's comments by text, as `talkback export` writes them."""
    result = talkback(data_dir, "export", "--site", site)
    assert result.returncode == 0, result.stderr
    records = (json.loads(line) for line in result.stdout.splitlines())
    return {record["text"]: record for record in records if record.get("type") == "comment"}


def test_screened_import_holds_what_moderation_would_stop_and_drops_nothing(
    tmp_path: Path,
) -> None:
    source = archive(tmp_path / "isso.json")
    assert talkback(tmp_path, "migrate").returncode == 0
    for site in ("screened", "trusted"):
        added = talkback(tmp_path, "site", "add", site, "--name", site, "--origin",
                         f"https://{site}.example")  # fmt: skip
        assert added.returncode == 0, added.stderr

    screened = talkback(tmp_path, "import", "isso", str(source), "--site", "screened", "--screen")
    trusted = talkback(tmp_path, "import", "isso", str(source), "--site", "trusted")

    assert screened.returncode == 0, screened.stderr
    assert outcomes(screened.stdout) == {
        "threads created": 1, "threads updated": 0, "comments imported (approved)": 2,
        "comments imported (pending)": 2, "note: held for review by --screen": 2,
    }  # fmt: skip
    comments = exported(tmp_path, "screened")
    assert sorted(comments) == sorted(CIVIL + ABUSIVE)
    assert {comments[text]["status"] for text in CIVIL} == {"approved"}
    assert {comments[text]["status"] for text in ABUSIVE} == {"pending"}
    insult, obfuscated = (comments[text]["moderation"]["verdict"] for text in ABUSIVE)
    assert "toxicity" in [finding["check"] for finding in insult]
    assert "word_list" in [finding["check"] for finding in obfuscated]
    # Without the flag, the source's word stands: everything it published is published.
    assert trusted.returncode == 0, trusted.stderr
    assert outcomes(trusted.stdout)["comments imported (approved)"] == 4
    assert "note: held for review by --screen" not in outcomes(trusted.stdout)
    assert {c["status"] for c in exported(tmp_path, "trusted").values()} == {"approved"}
