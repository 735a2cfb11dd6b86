"""Thread identity from page addresses."""

from __future__ import annotations

import pytest

from talkback.core.uris import InvalidUri, normalise_uri


@pytest.mark.parametrize(
    ("raw", "uri"),
    [
        ("/news/story", "/news/story"),
        ("/news/story/", "/news/story"),
        ("https://paper.example/news/story/#comments", "/news/story"),
        ("http://www.paper.example/news/story?utm_source=tw&fbclid=1", "/news/story"),
        ("/search?q=flood&page=2", "/search?q=flood&page=2"),
        ("news//story", "/news/story"),
        ("/", "/"),
        ("https://paper.example", "/"),
        ("  /padded  ", "/padded"),
    ],
)
def test_spellings_normalise(raw: str, uri: str) -> None:
    assert normalise_uri(raw) == uri


@pytest.mark.parametrize("raw", ["", "   ", "javascript:alert(1)", "/a\nb", "/" + "x" * 2048])
def test_bad_uris_are_refused(raw: str) -> None:
    with pytest.raises(InvalidUri):
        normalise_uri(raw)
