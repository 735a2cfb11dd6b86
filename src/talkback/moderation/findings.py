"""What a check says about a comment, and how many findings become one verdict."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any


class Action(IntEnum):
    """Ordered by severity, so the verdict is simply the most severe finding."""

    APPROVE = 0
    HOLD = 1
    REJECT = 2


STATUS_OF = {Action.APPROVE: "approved", Action.HOLD: "pending", Action.REJECT: "rejected"}


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    action: Action
    reason: str
    score: float | None = None

    def stored(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "verdict": STATUS_OF[self.action],
            "reason": self.reason,
            "score": self.score,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    action: Action
    findings: tuple[Finding, ...]
    toxicity: float | None

    @property
    def status(self) -> str:
        return STATUS_OF[self.action]

    def stored(self) -> list[dict[str, Any]]:
        return [finding.stored() for finding in self.findings]


def combine(findings: list[Finding], toxicity: float | None) -> Verdict:
    action = max((f.action for f in findings), default=Action.APPROVE)
    return Verdict(action, tuple(findings), toxicity)
