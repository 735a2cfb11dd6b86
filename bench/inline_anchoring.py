"""Inline feedback's anchoring: how often an edited article keeps its passages on the right
words, and what placing 200 of them costs a reader's browser.

Run: `.venv/bin/python bench/inline_anchoring.py [--runs 5] [--words 5000] [--passages 200]`.

Three figures:
1. Accuracy on a table of edits: `--articles` articles of `--words` words (generated here
   from a seeded vocabulary of ~250 words, never repeating a sentence, so short runs of
   words recur as in news prose, and more often) and, for each kind of edit, `--trials`
   passages of 3 to 12 words (single words for one kind) in each, edited the way the kind
   says. Every
   trial is one passage in one edited copy, located by `core/anchoring.py`'s rules, which
   the widget defers to whenever a passage is not exactly where its anchor says. Each
   outcome is *right* (exactly on the passage's words, wherever the edit put them; for
   words edited inside the passage, on at least 80 % of the edited passage with at most one
   word of its surroundings on either side; for a passage deleted or rewritten, "changed"),
   *marked changed* (when the words are still there) or *wrong* (anything else). Wrong must
   be 0: feedback is never pinned to other words.
2. The server's cost of locating `--passages` passages in the article, unchanged and with a
   sentence added at the top of every paragraph (every offset moved), in process.
3. Chromium: a publisher's page with the article marked (`data-talkback-article`) and the
   passages' feedback (one comment each) seeded, in the first article; the page opened in a
   new browser context
   (a first visit), and the widget's own User Timing entry `talkback:inline-placed` read:
   how long finding and drawing every passage took (`duration`), and when it was done
   after navigation start. Once on the article as the feedback was made (each passage is
   checked where its anchor says, in the browser) and once on the edited article (the
   widget posts the text to /inline/locate once and draws the server's placements).

Only 127.0.0.1 is used: the app and the publisher's page on loopback ports (uvicorn in
threads, as bench/widget.py), SQLite in a temp directory, Debian's Chromium with background
networking off.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright
from rich.console import Console
from rich.table import Table
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from talkback import __version__
from talkback.app import create_app
from talkback.comments.posting import CommentDraft, post_comment
from talkback.context import Context
from talkback.core.anchoring import How, Placement, Quote, locate_all, text_hash
from talkback.core.identity import hash_ip
from talkback.readers.tokens import Reader
from talkback.sites.sites import create_site
from talkback.store.migrate import migrate
from thread_read import RESULTS_DIR, SECRET_KEY, SITE, app_settings
from widget import CHROMIUM, CHROMIUM_ARGS, BenchError, ServerThread

URI = "/2026/12/river-barrier-long-read"
CONTEXT = 32  # the widget's characters of context on each side (article.js)
START, END = "\ue000", "\ue001"
"""Private-use marks put around a passage before an edit, so the edited text says where the
passage went; removed before anything is located."""
TIMEOUT_MS = 60_000
PLACED = """(count) => performance.getEntriesByName('talkback:inline-placed')
  .some((entry) => entry.detail.placed + entry.detail.changed >= count)"""
LAST_PLACED = """() => {
  const entry = performance.getEntriesByName('talkback:inline-placed').at(-1);
  return { duration: entry.duration, done: entry.startTime + entry.duration, ...entry.detail };
}"""

DETERMINERS = ("the", "this", "every", "one", "their", "its", "another", "each", "that")
ADJECTIVES = (
    "wet", "late", "costly", "narrow", "eastern", "northern", "muddy", "early", "public", "local",
    "heavy", "quiet", "angry", "patient", "careful", "second", "old", "new", "broken", "steep",
    "hidden", "cautious", "rising", "frozen", "shallow", "deep", "official", "private", "modest",
    "urgent", "familiar", "remote", "sudden", "gradual", "bitter", "cheerful", "tired", "grey",
    "wooden", "concrete", "temporary", "permanent", "disputed", "delayed", "repaired", "flooded",
)  # fmt: skip
NOUNS = (
    "barrier", "council", "river", "engineer", "resident", "farmer", "mayor", "survey", "bank",
    "pump", "station", "wall", "towpath", "bridge", "tender", "contractor", "insurer", "street",
    "terrace", "quay", "shopkeeper", "volunteer", "rowing club", "hydrologist", "committee",
    "budget", "report", "letter", "meeting", "winter", "spring", "night", "storm", "sandbag",
    "borehole", "clay", "culvert", "sluice", "meadow", "lane", "school", "bus route", "ferry",
    "harbour", "warehouse", "pension", "lawyer", "architect", "reporter", "photograph", "map",
    "consultation", "petition", "deadline", "estimate", "crane", "trench", "gauge", "kitchen",
    "cellar", "garden", "allotment", "church", "market", "railway", "signal", "warning", "siren",
)  # fmt: skip
VERBS = (
    "inspected", "ignored", "funded", "delayed", "questioned", "repaired", "measured", "flooded",
    "promised", "rejected", "approved", "photographed", "mapped", "blocked", "cleared", "surveyed",
    "praised", "criticised", "rebuilt", "closed", "reopened", "described", "visited", "doubted",
    "defended", "costed", "replaced", "drained", "checked", "tested", "watched", "signed",
)  # fmt: skip
PREPOSITIONS = (
    "near", "beside", "behind", "above", "below", "across", "along", "towards", "beyond", "under",
    "after", "before", "during", "without", "despite",
)  # fmt: skip
ADVERBS = (
    "quietly", "finally", "again", "twice", "reluctantly", "eventually", "openly", "briefly",
    "carefully", "repeatedly", "suddenly", "formally", "privately", "rarely", "already",
)  # fmt: skip
LINKS = ("and", "but", "while", "because", "although", "so", "until", "since")


# ------------------------------------------------------------------------------ article


def _phrase(rng: random.Random) -> str:
    """A noun phrase: a determiner, sometimes an adjective, a noun, sometimes a number."""
    words = [rng.choice(DETERMINERS)]
    if rng.random() < 0.6:
        words.append(rng.choice(ADJECTIVES))
    words.append(rng.choice(NOUNS))
    if rng.random() < 0.15:
        words.append(f"number {rng.randint(2, 999)}")
    return " ".join(words)


def _clause(rng: random.Random) -> str:
    adverb = f"{rng.choice(ADVERBS)} " if rng.random() < 0.3 else ""
    place = f" {rng.choice(PREPOSITIONS)} {_phrase(rng)}" if rng.random() < 0.7 else ""
    return f"{_phrase(rng)} {adverb}{rng.choice(VERBS)} {_phrase(rng)}{place}"


def sentence(rng: random.Random, used: set[str]) -> str:
    """One sentence no other in the article repeats: news-like in how its words repeat
    (function words and short phrases often, longer runs of words seldom), not in sense."""
    while True:
        text = _clause(rng)
        if rng.random() < 0.5:
            text += f", {rng.choice(LINKS)} {_clause(rng)}"
        text = text[0].upper() + text[1:] + "."
        if text not in used:
            used.add(text)
            return text


def make_article(rng: random.Random, words: int) -> list[list[str]]:
    """Paragraphs of four to seven sentences, about `words` words in all."""
    used: set[str] = set()
    paragraphs: list[list[str]] = []
    count = 0
    while count < words:
        paragraph = [sentence(rng, used) for _ in range(rng.randint(4, 7))]
        count += sum(len(line.split()) for line in paragraph)
        paragraphs.append(paragraph)
    return paragraphs


def article_text(paragraphs: Sequence[Sequence[str]]) -> str:
    """The text the widget reads from the page below (`ArticleText`): each paragraph's
    sentences with a space between, a newline between paragraphs."""
    return "\n".join(" ".join(paragraph) for paragraph in paragraphs)


def article_html(paragraphs: Sequence[Sequence[str]]) -> str:
    return "\n".join(f"<p>{' '.join(paragraph)}</p>" for paragraph in paragraphs)


# ---------------------------------------------------------------------------- passages


@dataclass(frozen=True, slots=True)
class Passage:
    paragraph: int
    sentence: int
    first_word: int
    words: int


def pick_passages(
    rng: random.Random, paragraphs: Sequence[Sequence[str]], count: int, words: tuple[int, int]
) -> list[Passage]:
    """`count` passages in distinct sentences, each `words` words long (inclusive range)."""
    places = [(p, s) for p, paragraph in enumerate(paragraphs) for s in range(len(paragraph))]
    chosen = rng.sample(places, count)
    passages = []
    for p, s in chosen:
        length = len(paragraphs[p][s].split())
        size = min(rng.randint(*words), length)
        passages.append(Passage(p, s, rng.randint(0, length - size), size))
    return passages


def marked(paragraphs: Sequence[Sequence[str]], passage: Passage) -> list[list[str]]:
    """A copy of the article with the passage's words between START and END."""
    copy = [list(paragraph) for paragraph in paragraphs]
    words = copy[passage.paragraph][passage.sentence].split(" ")
    first, last = passage.first_word, passage.first_word + passage.words - 1
    words[first] = START + words[first]
    words[last] = words[last] + END
    copy[passage.paragraph][passage.sentence] = " ".join(words)
    return copy


def unmarked(text: str) -> tuple[str, tuple[int, int] | None]:
    """The text without the marks, and where the passage is in it (None if it was cut)."""
    if START not in text:
        return text, None
    start = text.index(START)
    end = text.index(END) - 1
    return text.replace(START, "").replace(END, ""), (start, end)


def span_of(paragraphs: Article, passage: Passage) -> tuple[int, int]:
    """Where the passage is in the article as written."""
    text, span = unmarked(article_text(marked(paragraphs, passage)))
    if span is None or text != article_text(paragraphs):
        raise BenchError("a passage's marks changed the article")
    return span


def quote_of(text: str, span: tuple[int, int]) -> Quote:
    """The anchor the widget makes of a selection (article.js `anchorAt`)."""
    start, end = span
    return Quote(
        text[start:end], text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT],
        start, end,
    )  # fmt: skip


# ------------------------------------------------------------------------------- edits

Article = list[list[str]]


def _sentence_with_mark(article: Article) -> tuple[int, int]:
    for p, paragraph in enumerate(article):
        for s, line in enumerate(paragraph):
            if START in line:
                return p, s
    raise BenchError("no marked passage")


def _edit_inside(article: Article, change: Callable[[list[str]], None]) -> Article:
    """Change the words of the marked passage (between its marks) with `change`."""
    p, s = _sentence_with_mark(article)
    line = article[p][s]
    before, rest = line.split(START, 1)
    inside, after = rest.split(END, 1)
    words = inside.split(" ")
    change(words)
    article[p][s] = before + START + " ".join(words) + END + after
    return article


def inserted_before(article: Article) -> Article:
    p, s = _sentence_with_mark(article)
    article[p].insert(s, "Officials had promised an answer before the summer.")
    return article


def paragraph_on_top(article: Article) -> Article:
    return [["Updated: this story now includes the council's reply."], *article]


def paragraph_moved(article: Article) -> Article:
    p, _ = _sentence_with_mark(article)
    moving = article.pop(p)
    return [*article, moving]


def sentence_moved(article: Article) -> Article:
    p, s = _sentence_with_mark(article)
    line = article[p].pop(s)
    if not article[p]:
        article.pop(p)
    target = 0 if p > len(article) // 2 else len(article) - 1
    article[target].append(line)
    return article


def word_replaced(article: Article) -> Article:
    def change(words: list[str]) -> None:
        middle = len(words) // 2
        words[middle] = "reportedly" if words[middle] != "reportedly" else "apparently"

    return _edit_inside(article, change)


def word_inserted(article: Article) -> Article:
    return _edit_inside(article, lambda words: words.insert(len(words) // 2, "reportedly"))


def punctuation_changed(article: Article) -> Article:
    def change(words: list[str]) -> None:
        middle = max(0, len(words) // 2 - 1)
        words[middle] = words[middle].rstrip(",.") + ","

    return _edit_inside(article, change)


def whitespace_changed(article: Article) -> Article:
    return _edit_inside(article, lambda words: words.insert(len(words) // 2, ""))


def passage_deleted(article: Article) -> Article:
    p, s = _sentence_with_mark(article)
    line = article[p][s]
    article[p][s] = line[: line.index(START)].rstrip() + line[line.index(END) + 1 :]
    return article


def sentence_rewritten(article: Article) -> Article:
    p, s = _sentence_with_mark(article)
    article[p][s] = "That account was disputed by everyone else present."
    return article


def context_rewritten(article: Article) -> Article:
    """The sentence around the passage is rewritten; the passage's words are kept."""
    p, s = _sentence_with_mark(article)
    line = article[p][s]
    passage = line[line.index(START) : line.index(END) + 1]
    article[p][s] = f"Asked again later, one witness repeated {passage} without hesitation."
    return article


def copied_elsewhere(article: Article) -> Article:
    """The passage's words also appear, with other context, in a new first paragraph, and
    words are inserted before the original: two copies, one with the right context."""
    p, s = _sentence_with_mark(article)
    line = article[p][s]
    words = line[line.index(START) + 1 : line.index(END)]
    inserted_before(article)
    return [[f"Readers asked us whether it is true {words} or not."], *article]


def case_changed(article: Article) -> Article:
    return _edit_inside(article, lambda words: words.__setitem__(0, words[0].upper()))


@dataclass(frozen=True, slots=True)
class EditKind:
    name: str
    edit: Callable[[Article], Article]
    expect: str
    """`same`: the same words, wherever they went; `edited`: the passage as edited;
    `gone`: nothing left to place (changed is right)."""
    words: tuple[int, int] = (3, 12)


EDITS = (
    EditKind("unchanged", lambda article: article, "same"),
    EditKind("a sentence inserted before it", inserted_before, "same"),
    EditKind("a paragraph added on top", paragraph_on_top, "same"),
    EditKind("its paragraph moved to the end", paragraph_moved, "same"),
    EditKind("its sentence moved to another paragraph", sentence_moved, "same"),
    EditKind("the sentence around it rewritten", context_rewritten, "same"),
    EditKind("its words also quoted elsewhere", copied_elsewhere, "same"),
    EditKind("one word, a sentence inserted before it", inserted_before, "same", (1, 1)),
    EditKind("one word replaced inside", word_replaced, "edited"),
    EditKind("one word inserted inside", word_inserted, "edited"),
    EditKind("punctuation changed inside", punctuation_changed, "edited"),
    EditKind("a double space inside", whitespace_changed, "edited"),
    EditKind("first word capitalised", case_changed, "edited"),
    EditKind("the passage deleted", passage_deleted, "gone"),
    EditKind("its sentence rewritten", sentence_rewritten, "gone"),
)


def judge(kind: EditKind, placement: Placement, expected: tuple[int, int] | None, text: str) -> str:
    """`right`, `changed` or `wrong`, as the module's docstring defines them."""
    if placement.how is How.CHANGED:
        return "right" if kind.expect == "gone" else "changed"
    if expected is None or placement.start is None or placement.end is None:
        return "wrong"
    if kind.expect == "same":
        return "right" if (placement.start, placement.end) == expected else "wrong"
    start, end = expected
    covered = min(placement.end, end) - max(placement.start, start)
    beside = (text[placement.start : start], text[end : placement.end])
    at_most_a_word = all(len(extra.split()) <= 1 for extra in beside)
    return "right" if covered >= 0.8 * (end - start) and at_most_a_word else "wrong"


def accuracy(
    articles: Sequence[Article], rng: random.Random, per_kind: int
) -> list[dict[str, Any]]:
    """Per kind of edit, `per_kind` trials in each article, judged."""
    rows = []
    for kind in EDITS:
        outcomes: Counter[str] = Counter()
        for paragraphs in articles:
            text = article_text(paragraphs)
            for passage in pick_passages(rng, paragraphs, per_kind, kind.words):
                span = span_of(paragraphs, passage)
                edited, expected = unmarked(article_text(kind.edit(marked(paragraphs, passage))))
                (placement,) = locate_all([quote_of(text, span)], edited)
                outcomes[judge(kind, placement, expected, edited)] += 1
        trials = per_kind * len(articles)
        rows.append({"edit": kind.name, "expect": kind.expect, "trials": trials, **outcomes})
    return rows


# ------------------------------------------------------------------------ server cost


def edited_everywhere(paragraphs: Article) -> Article:
    """Every paragraph gains a sentence at its start: every passage's offsets move."""
    return [[f"Paragraph {n + 1}, updated.", *paragraph] for n, paragraph in enumerate(paragraphs)]


def server_cost(text: str, edited: str, quotes: list[Quote], rounds: int) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for name, target in (("unchanged", text), ("edited", edited)):
        times = []
        for _ in range(rounds):
            began = time.perf_counter()
            placements = locate_all(quotes, target)
            times.append((time.perf_counter() - began) * 1000)
        figures[name] = {
            "median_ms": statistics.median(times),
            "how": dict(Counter(placement.how.value for placement in placements)),
        }
    return figures


# ------------------------------------------------------------------------------ browser


class PublisherSite:
    """The publisher's origin: the article marked for inline feedback, as written (`/…`) or
    edited (`/…?edited`), with the embed snippet pointing at the app."""

    def __init__(self, original: Article, edited: Article) -> None:
        self.api_url = ""
        self.bodies = {False: article_html(original), True: article_html(edited)}
        self.app = Starlette(routes=[Route("/{path:path}", self.article)])

    async def article(self, request: Request) -> HTMLResponse:
        body = self.bodies["edited" in request.query_params]
        return HTMLResponse(
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            "<title>The river barrier, the long read</title></head><body><main>"
            "<h1>The river barrier, the long read</h1>"
            f"<article data-talkback-article>{body}</article>"
            f'<div id="talkback"></div><script src="{self.api_url}/embed.js" '
            f'data-site="{SITE}" async></script></main></body></html>'
        )


async def seed_feedback(database_url: str, origin: str, text: str, quotes: list[Quote]) -> int:
    """One published feedback comment per passage, posted through the service as readers
    from as many addresses (so no flood check holds them)."""
    ctx = Context.from_settings(app_settings(database_url, 64 * 1024 * 1024))
    try:
        await migrate(ctx.database)
        await create_site(ctx.database, SITE, name="Bench Courier", origins=[origin])
        site = await ctx.sites.get(SITE)
        digest = text_hash(text)
        shown = 0
        for n, quote in enumerate(quotes):
            anchor = {
                "exact": quote.exact, "prefix": quote.prefix, "suffix": quote.suffix,
                "start": quote.start, "end": quote.end, "text_hash": digest,
            }  # fmt: skip
            draft = CommentDraft(
                text=f"Is there a source for this? Reader question {n + 1}.",
                author_name=f"Reader {n + 1}", anchor=anchor,  # type: ignore[arg-type]
                title="The river barrier, the long read",
            )  # fmt: skip
            reader = Reader(ip_hash=hash_ip(f"10.{n // 250}.{n % 250}.1", SECRET_KEY))
            posted = await post_comment(ctx, site, URI, draft, reader)
            shown += not posted.held
        return shown
    finally:
        await ctx.close()


def browser_times(page_url: str, passages: int, runs: int) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for name, url in (("as written", page_url), ("edited", f"{page_url}?edited")):
                samples: list[dict[str, Any]] = []
                for _ in range(runs):
                    context = browser.new_context(viewport={"width": 1000, "height": 800})
                    try:
                        page = context.new_page()
                        page.goto(url, wait_until="load")
                        page.wait_for_function(PLACED, arg=passages, timeout=TIMEOUT_MS)
                        samples.append(page.evaluate(LAST_PLACED))
                    finally:
                        context.close()
                figures[name] = {
                    "placed": samples[-1]["placed"],
                    "changed": samples[-1]["changed"],
                    "duration_ms": statistics.median(s["duration"] for s in samples),
                    "done_after_navigation_ms": statistics.median(s["done"] for s in samples),
                    "runs": runs,
                }
        finally:
            browser.close()
    return figures


# -------------------------------------------------------------------------------- run


def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    articles = [make_article(rng, args.words) for _ in range(args.articles)]
    table = accuracy(articles, rng, args.trials)
    paragraphs = articles[0]
    text = article_text(paragraphs)
    chosen = pick_passages(rng, paragraphs, args.passages, (3, 12))
    quotes = [quote_of(text, span_of(paragraphs, passage)) for passage in chosen]
    edited = edited_everywhere(paragraphs)
    cost = server_cost(text, article_text(edited), quotes, rounds=5)
    site = PublisherSite(paragraphs, edited)
    with (
        tempfile.TemporaryDirectory(prefix="talkback-bench-") as tmp,
        ServerThread(site.app) as host,
    ):
        database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'talkback.db'}"
        shown = asyncio.run(seed_feedback(database_url, host.url, text, quotes))
        if shown != len(quotes):
            raise BenchError(f"only {shown} of {len(quotes)} feedback comments were published")
        app = create_app(app_settings(database_url, 64 * 1024 * 1024))
        with ServerThread(app) as api:
            site.api_url = api.url
            browser = browser_times(f"{host.url}{URI}", len(quotes), args.runs)
    return {
        "benchmark": "inline_anchoring",
        "version": __version__,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "articles": args.articles,
        "words": len(text.split()),
        "characters": len(text),
        "paragraphs": len(paragraphs),
        "passages": len(quotes),
        "accuracy": table,
        "server": cost,
        "browser": browser,
    }


def report(result: dict[str, Any], console: Console) -> None:
    title = (
        f"Re-anchoring after an edit ({result['articles']} articles of ~{result['words']:,} words)"
    )
    table = Table(title=title)
    for column in ("edit", "trials", "right", "marked changed", "wrong"):
        table.add_column(column, justify="left" if column == "edit" else "right")
    totals: Counter[str] = Counter()
    for row in result["accuracy"]:
        totals.update({key: row.get(key, 0) for key in ("trials", "right", "changed", "wrong")})
        table.add_row(
            row["edit"], str(row["trials"]), str(row.get("right", 0)),
            str(row.get("changed", 0)), str(row.get("wrong", 0)),
        )  # fmt: skip
    table.add_row(
        "all", str(totals["trials"]), str(totals["right"]), str(totals["changed"]),
        str(totals["wrong"]), style="bold",
    )  # fmt: skip
    console.print(table)
    for name, figures in result["server"].items():
        console.print(
            f"  server, {result['passages']} passages, article {name}: "
            f"{figures['median_ms']:.1f} ms ({figures['how']})"
        )
    for name, figures in result["browser"].items():
        console.print(
            f"  Chromium, {result['passages']} passages, article {name}: placed "
            f"{figures['placed']}, changed {figures['changed']}; finding and drawing "
            f"{figures['duration_ms']:.0f} ms, done {figures['done_after_navigation_ms']:.0f} ms "
            f"after navigation start (median of {figures['runs']} first visits)"
        )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--words", type=int, default=5000, help="words in the article")
    parser.add_argument("--passages", type=int, default=200, help="feedback on the page")
    parser.add_argument("--articles", type=int, default=50, help="articles edited")
    parser.add_argument("--trials", type=int, default=40, help="passages per kind of edit")
    parser.add_argument("--runs", type=int, default=5, help="page loads per scenario")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console()
    result = run(args)
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = RESULTS_DIR / f"inline-anchoring-{stamp}.json"
    path.write_text(json.dumps(result, indent=2))
    report(result, console)
    console.print(f"results: {path}")
    wrong = sum(row.get("wrong", 0) for row in result["accuracy"])
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
