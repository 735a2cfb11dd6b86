"""What a check says about a comment, and how many findings become one verdict."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from typing_extensions import TypedDict


class Action(IntEnum):
    """Ordered by severity, so the verdict is simply the most severe finding."""

    APPROVE = 0
    HOLD = 1
    REJECT = 2


STATUS_OF = {Action.APPROVE: "approved", Action.HOLD: "pending", Action.REJECT: "rejected"}
# The reason codes an author is told are the checks' names, except the trap's: a bot that
# reads the answer learns that it looked automated, not which field gave it away.
PUBLIC_REASON = {"honeypot": "automated"}


class StoredFinding(TypedDict):
    """A finding as stored on the comment (`comments.moderation`) and shown to moderators."""

    check: str
    verdict: str
    reason: str
    score: float | None


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    action: Action
    reason: str
    score: float | None = None

    def stored(self) -> StoredFinding:
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

    @property
    def reasons(self) -> tuple[str, ...]:
        """What decided a hold or a rejection, as stable codes for the author's client:
        the checks whose action is the verdict's, in pipeline order, each once. Empty when
        approved, so findings that only inform moderators are never shown as reasons."""
        if self.action is Action.APPROVE:
            return ()
        codes = (
            PUBLIC_REASON.get(f.check, f.check) for f in self.findings if f.action is self.action
        )
        return tuple(dict.fromkeys(codes))

    def stored(self) -> list[StoredFinding]:
        return [finding.stored() for finding in self.findings]


def combine(findings: list[Finding], toxicity: float | None) -> Verdict:
    action = max((f.action for f in findings), default=Action.APPROVE)
    return Verdict(action, tuple(findings), toxicity)
