"""The demo's article: its words, its page, and its text as the inline feedback widget reads it.

The page marks the story's body for inline feedback (`data-talkback-article`) and asks
readers one question about a claim in it (`data-talkback-question`), as a publisher would.
Seeded inline feedback is anchored to `article_text` of the page the demo serves, so its
offsets and hash are the ones the widget computes, and a test holds the two together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lxml import html as lxml_html
from markupsafe import Markup

from talkback.demo.stories import Story
from talkback.demo.templates import templates

SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "textarea"})
"""Elements whose text a reader does not read as the article (the brief's article text)."""
TALKBACK_ATTRIBUTES = ("hidden", "data-talkback", "data-talkback-campaign", "data-talkback-ui")


@dataclass(frozen=True, slots=True)
class PublisherQuestion:
    """A question the newsroom asks about one claim: `passage` occurs once in one
    paragraph, and the page wraps it in `<span data-talkback-question="prompt">`."""

    prompt: str
    passage: str

    def around(self, paragraph: str) -> tuple[str, str] | None:
        """The paragraph's text before and after the passage, if it holds it."""
        before, found, after = paragraph.partition(self.passage)
        return (before, after) if found else None


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed the page's head announces (`<link rel="alternate">`), as feed readers look."""

    title: str
    href: str


@dataclass(frozen=True, slots=True)
class Article:
    headline: str
    standfirst: str
    byline: str
    published: date
    paragraphs: tuple[str, ...]
    figure_caption: str
    figure_alt: str
    question: PublisherQuestion


ARTICLE = Article(
    headline="Council puts Wend flood barrier on hold for another year",
    standfirst=(
        "Councillors voted seven to five for a second engineering review of the £14.2 million "
        "Ferry Reach barrier, leaving Quayside households to face another winter behind "
        "sandbags."
    ),
    byline="By Hanna Okafor, Local Democracy Reporter",
    published=date(2026, 11, 25),
    paragraphs=(
        "Wendmouth Town Council has postponed work on the long-awaited tidal barrier at Ferry "
        "Reach for at least twelve months, after councillors voted seven to five on Tuesday "
        "night to commission a second engineering review of the £14.2 million scheme.",
        "The barrier, a pair of steel gates designed to swing shut across the mouth of the "
        "River Wend during surge tides, was due to go out to tender in January. Supporters say "
        "it would protect around 380 homes and 60 businesses on the Quayside and Marsh Lane, "
        "many of which flooded in February 2024 when the river rose almost two metres above "
        "its usual spring-tide level in a single night.",
        "Councillor Idris Penhale, who chairs the flood resilience committee and moved the "
        "motion to pause, said the decision was \u201cabout getting it right, not about getting "
        "it cheap\u201d. Survey boreholes near the old ferry slipway had found softer clay than "
        "the original design assumed, he told the meeting, and the gate foundations might "
        "have to go twice as deep. \u201cI would rather explain a year\u2019s delay to residents "
        "than explain a barrier that settles out of true in its first decade.\u201d",
        "Residents who filled the public gallery were less patient. Gwen Ashdown, who chairs "
        "the Quayside Residents\u2019 Association and whose ground floor on Tanners Row stood "
        "under 70 centimetres of water three winters ago, said people had been promised a "
        "barrier \u201cbefore the next bad winter\u201d at every local election since 2019. "
        "\u201cWe have had the consultation, the exhibition and the model in the library "
        "window. What we have not had is a single pile in the ground.\u201d",
        "Council officers confirmed that the delay puts £3.5 million of the funding at risk. "
        "That money was pledged by the regional Estuary Authority on condition that "
        "construction starts before March 2028, and the authority said only that it would "
        "\u201cconsider any request for an extension on its merits\u201d. Officers expect the "
        "review to cost about £180,000 and take eight months, while building costs are "
        "rising by roughly six per cent a year.",
        "In the meantime the council says it will repair the temporary flood walls along "
        "Harbour Road, store 4,000 filled sandbags at the fire station, and offer its free "
        "text-message flood warnings to every household in the flood zone. The engineers are "
        "due to report to full council next September; the terms of the review will be "
        "published within a month, and residents can comment on them at the library or "
        "online.",
    ),
    figure_caption=(
        "The planned Ferry Reach barrier would close across the mouth of the Wend below the "
        "Old Bridge. Shaded areas flooded in February 2024. Map: Courier graphics."
    ),
    figure_alt=(
        "Map of Wendmouth: the River Wend runs from the north-west to the estuary in the "
        "south-east, with the planned barrier drawn across it at Ferry Reach."
    ),
    question=PublisherQuestion(
        prompt="Do rising building costs make the delay a false economy?",
        passage="building costs are rising by roughly six per cent a year",
    ),
)


def render_article_page(
    paper: str,
    published: str,
    *,
    mailbox: bool,
    comments: str = "",
    feeds: tuple[FeedLink, ...] = (),
    more_stories: tuple[Story, ...] = (),
) -> str:
    """The article page as `/` serves it. `comments`: the thread's first page as HTML
    (`thread.html`, sanitised), put in the comments container for the widget to replace;
    `feeds`: the Atom feeds the head links to; `more_stories`: the list with counts."""
    return templates.get_template("article.html").render(
        paper=paper, article=ARTICLE, published=published, mailbox=mailbox,
        comments=Markup(comments), feeds=feeds, more_stories=more_stories,
    )  # fmt: skip


def article_text(page: str) -> str:
    """The text of the page's `[data-talkback-article]` element, as the widget reads it:
    its Text nodes in document order, whitespace as it is, leaving out scripts, styles,
    hidden elements and Talkback's own."""
    containers = lxml_html.document_fromstring(page).xpath("//*[@data-talkback-article]")
    if len(containers) != 1:
        raise ValueError(f"the page marks {len(containers)} articles, not one")
    parts: list[str] = []
    _collect(containers[0], parts)
    return "".join(parts)


def demo_article_text() -> str:
    """The demo article's text. The marked body holds none of what differs between sites
    (paper name, date format, mailbox note), so any values do for them here."""
    return article_text(render_article_page("", "", mailbox=False))


def _collect(element: lxml_html.HtmlElement, parts: list[str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        if isinstance(child.tag, str) and not _skipped(child):  # comments have no str tag
            _collect(child, parts)
        if child.tail:
            parts.append(child.tail)


def _skipped(element: lxml_html.HtmlElement) -> bool:
    return (
        element.tag in SKIPPED_TAGS
        or element.get("id") == "talkback"
        or any(name in element.attrib for name in TALKBACK_ATTRIBUTES)
    )
