"""What an import did, for the person who ran it: counts, and every skip with its reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

MAX_PROBLEMS = 50


@dataclass
class ImportSummary:
    """Counts per outcome. `skipped` and `notes` are keyed by a human-readable reason;
    `problems` lists the first MAX_PROBLEMS malformed spots of a lenient read."""

    source: str
    threads_created: int = 0
    threads_updated: int = 0
    imported: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    votes_imported: int = 0
    campaigns_created: int = 0
    donations_imported: int = 0
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0

    @property
    def comments_imported(self) -> int:
        return sum(self.imported.values())

    @property
    def comments_skipped(self) -> int:
        return sum(self.skipped.values())

    def skip(self, reason: str, count: int = 1) -> None:
        self.skipped[reason] += count

    def note(self, reason: str, count: int = 1) -> None:
        self.notes[reason] += count

    def problem(self, where: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(where)
