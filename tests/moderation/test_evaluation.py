"""The default settings hold their measured quality on the evaluation set.

`bench/moderation_eval.py` is run as a process, as a person tuning moderation runs it; the
set is `evaluation_set.txt` beside this file. The bars are the ones the defaults were tuned
to (docs/moderation.md): a change to the checks, the word list or the thresholds that
lets insults or obfuscated profanity through, or that holds civil comments, fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "moderation_eval.py"
CIVIL = ("civil_disagreement", "sharp_civil_argument")
CLASSES = {*CIVIL, "insults", "slurs", "obfuscated", "spam"}


def evaluation() -> dict[str, dict[str, dict[str, Any]]]:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    table: dict[str, dict[str, dict[str, Any]]] = json.loads(result.stdout)
    return table


def test_default_settings_catch_insults_and_obfuscation_and_spare_civil_comments() -> None:
    after = evaluation()["after"]

    assert set(after) == CLASSES
    assert sum(row["comments"] for row in after.values()) >= 300
    assert after["insults"]["recall"] >= 0.9, after["insults"]
    assert after["obfuscated"]["recall"] >= 0.9, after["obfuscated"]
    civil = sum(after[name]["comments"] for name in CIVIL)
    held = sum(after[name]["caught"] for name in CIVIL)
    assert held / civil <= 0.02, {name: after[name] for name in CIVIL}
