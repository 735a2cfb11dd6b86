"""Moderation quality on our own labelled comments: precision and recall per class.

Run: `.venv/bin/python bench/moderation_eval.py [--json] [--sweep] [--set FILE]`.

The set (`tests/moderation/evaluation_set.txt`, 300-odd comments written for this project)
has two civil classes and four that moderation should stop. Each comment is judged twice
with a site's default settings, as a new comment with no history:

- before: the pipeline as it was before issue 16: the link count, and the model on the
  text as written, holding at 0.75 and rejecting at 0.97;
- after: the pipeline as shipped (`moderation/pipeline.py`): de-obfuscation, the word list,
  the model's second pass, today's default thresholds.

A comment is "caught" when held or rejected. For a class that should be stopped, recall is
the share caught, and precision the share of that class among its caught comments plus
every caught civil comment (the class against civil comments). For a civil class, recall
is the share published (one minus its false-positive rate) and precision the share of
that class among its published comments plus every published comment that should have
been stopped. Runs on the model alone: no database, no network.

`--sweep` shows how the shipped pipeline's recall and civil false positives move with
the hold threshold: the figures the default was chosen from.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from talkback.moderation import checks
from talkback.moderation.classifier import Scorer, profanity_scorer
from talkback.moderation.findings import Action
from talkback.moderation.pipeline import judge
from talkback.moderation.settings import ModerationSettings

SET = Path(__file__).resolve().parent.parent / "tests" / "moderation" / "evaluation_set.txt"
CIVIL = ("civil_disagreement", "sharp_civil_argument")
BEFORE = ModerationSettings(hold_threshold=0.75, reject_threshold=0.97)

Judge = Callable[[str], Awaitable[Action]]


def read_set(path: Path) -> dict[str, list[str]]:
    """Comments by class: `[class]` starts a class, `#` a note, one comment a line."""
    classes: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith("[") and text.endswith("]"):
            current = classes.setdefault(text[1:-1], [])
        elif current is None:
            raise SystemExit(f"{path}: a comment before the first [class]: {text!r}")
        else:
            current.append(text)
    return classes


def before(scorer: Scorer) -> Judge:
    async def verdict(text: str) -> Action:
        item = checks.Submission(text)
        findings = [checks.links(item, BEFORE), checks.toxicity(await scorer.score(text), BEFORE)]
        return max((f.action for f in findings if f), default=Action.APPROVE)

    return verdict


def after(scorer: Scorer, rules: ModerationSettings | None = None) -> Judge:
    rules = (rules or ModerationSettings()).with_compiled_patterns()

    async def verdict(text: str) -> Action:
        return (await judge(checks.Submission(text), rules, scorer)).action

    return verdict


async def caught_by_class(
    classes: dict[str, list[str]], verdict: Judge
) -> dict[str, tuple[int, int]]:
    """(comments, caught) for each class."""
    counts = {}
    for name, texts in classes.items():
        actions = await asyncio.gather(*(verdict(text) for text in texts))
        counts[name] = (len(texts), sum(action is not Action.APPROVE for action in actions))
    return counts


def scores(counts: dict[str, tuple[int, int]]) -> dict[str, dict[str, float]]:
    """Precision and recall per class, as the module's docstring defines them."""
    civil_caught = sum(counts[name][1] for name in CIVIL if name in counts)
    stopped_published = sum(n - caught for name, (n, caught) in counts.items() if name not in CIVIL)
    table = {}
    for name, (n, caught) in counts.items():
        if name in CIVIL:
            hits, others = n - caught, stopped_published
        else:
            hits, others = caught, civil_caught
        table[name] = {
            "comments": n,
            "caught": caught,
            "recall": hits / n if n else 0.0,
            "precision": hits / (hits + others) if hits + others else 1.0,
        }
    return table


async def evaluate(path: Path) -> dict[str, dict[str, dict[str, float]]]:
    classes = read_set(path)
    scorer = profanity_scorer()
    await scorer.warm_up()
    return {
        "before": scores(await caught_by_class(classes, before(scorer))),
        "after": scores(await caught_by_class(classes, after(scorer))),
    }


SWEEP = (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


async def sweep(path: Path) -> str:
    """Civil false positives and recall per class of the shipped pipeline, by threshold."""
    classes = read_set(path)
    scorer = profanity_scorer()
    await scorer.warm_up()
    stopped = [name for name in classes if name not in CIVIL]
    lines = [
        f"| hold at | civil held | {' | '.join(f'{name} recall' for name in stopped)} |",
        f"| ---: | ---: | {' | '.join('---:' for _ in stopped)} |",
    ]
    for threshold in SWEEP:
        rules = ModerationSettings(hold_threshold=threshold, reject_threshold=max(threshold, 0.97))
        table = scores(await caught_by_class(classes, after(scorer, rules)))
        civil = sum(table[name]["caught"] for name in CIVIL) / sum(
            table[name]["comments"] for name in CIVIL
        )
        recalls = " | ".join(f"{table[name]['recall']:.2f}" for name in stopped)
        lines.append(f"| {threshold:.2f} | {civil:.1%} | {recalls} |")
    return "\n".join(lines)


def markdown(result: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = [
        "| class | comments | caught before | caught after | precision before | "
        "precision after | recall before | recall after |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, old in result["before"].items():
        new = result["after"][name]
        lines.append(
            f"| {name} | {old['comments']:.0f} | {old['caught']:.0f} | {new['caught']:.0f} | "
            f"{old['precision']:.2f} | {new['precision']:.2f} | "
            f"{old['recall']:.2f} | {new['recall']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--set", type=Path, default=SET, help="the labelled comments")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--sweep", action="store_true", help="recall by hold threshold")
    arguments = parser.parse_args()
    if arguments.sweep:
        sys.stdout.write(asyncio.run(sweep(arguments.set)) + "\n")
        return
    result = asyncio.run(evaluate(arguments.set))
    sys.stdout.write((json.dumps(result) if arguments.json else markdown(result)) + "\n")


if __name__ == "__main__":
    main()
