"""What a feed says in words, in its site's language: English and German, as the widget,
the thread fragment and the mails; other languages read the English."""

from __future__ import annotations

from dataclasses import dataclass

from talkback.mail.compose import language_of


@dataclass(frozen=True, slots=True)
class FeedWords:
    language: str
    """The feed's `xml:lang`."""
    site: str
    """The site feed's title; `{name}` is the site's."""
    thread: str
    """A thread feed's title; `{title}` is the article's (its address when untitled)."""
    replies: str
    """A reader's replies feed's title; `{name}` is the site's."""
    entry: str
    """An entry's title: `{author}` wrote on `{title}`."""
    anonymous: str


WORDS = {
    "en": FeedWords(
        language="en",
        site="Comments on {name}",
        thread="Comments on {title}",
        replies="Replies to your comments on {name}",
        entry="{author} on {title}",
        anonymous="Anonymous",
    ),
    "de": FeedWords(
        language="de",
        site="Kommentare auf {name}",
        thread="Kommentare zu {title}",
        replies="Antworten auf Ihre Kommentare auf {name}",
        entry="{author} zu {title}",
        anonymous="Anonym",
    ),
}


def feed_words(locale: str) -> FeedWords:
    return WORDS.get(language_of(locale), WORDS["en"])
