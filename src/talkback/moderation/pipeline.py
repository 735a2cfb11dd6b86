"""The pipeline run on every new or edited comment: checks in order, one verdict.

Rate limits and bans come before it (they refuse a request rather than judge a comment);
the service gathers the facts from history that the checks need.
"""

from __future__ import annotations

import asyncio

from talkback.moderation import checks
from talkback.moderation.classifier import Scorer
from talkback.moderation.deobfuscation import deobfuscated
from talkback.moderation.findings import Finding, Verdict, combine
from talkback.moderation.settings import ModerationSettings

CHECKS_BEFORE_SCORING = (
    checks.honeypot_and_timing, checks.links, checks.banned_words, checks.word_list,
    checks.personal_attack,
)  # fmt: skip
CHECKS_AFTER_SCORING = (checks.duplicates_and_floods, checks.site_mode)


async def judge(item: checks.Submission, rules: ModerationSettings, scorer: Scorer) -> Verdict:
    """Approve, hold or reject, with every check's finding and the toxicity score.

    The score is computed even when an earlier check already decided, because
    moderators sort their queue by it.
    """
    findings: list[Finding] = [f for check in CHECKS_BEFORE_SCORING if (f := check(item, rules))]
    score = await toxicity_score(item.text, scorer)
    if toxic := checks.toxicity(score, rules):
        findings.append(toxic)
    findings += [f for check in CHECKS_AFTER_SCORING if (f := check(item, rules))]
    return combine(findings, score)


async def toxicity_score(text: str, scorer: Scorer) -> float:
    """The higher of two scores: the text as written, and as meant (`deobfuscation.py`).

    Both passes are asked for at once, so the shipped scorer takes them in one batch. The
    written text is kept because normalising can lose what the model relies on (it drops
    nothing a reader wrote plainly, but a split compound is two weaker words).
    """
    meant = deobfuscated(text)
    if not meant or checks.WORD.findall(meant) == checks.WORD.findall(text.lower()):
        return await scorer.score(text)  # nothing was obfuscated: one pass is enough
    written, normalised = await asyncio.gather(scorer.score(text), scorer.score(meant))
    return max(written, normalised)
