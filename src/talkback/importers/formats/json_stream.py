"""Reading big JSON exports one element at a time.

Commento and Isso exports are single JSON documents that can hold every comment a site
ever had. The standard library's decoder does the parsing; this module only frames it:
it walks the outer object or array and hands over one member at a time, decoding each
from a window of the file that grows only as far as that member needs. Memory is bounded
by the largest single element (one comment, or one Isso thread), not the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NoReturn, TextIO

from talkback.importers.records import ImportFailed

_CHUNK = 1 << 16
_WHITESPACE = " \t\r\n"


class MalformedJson(ImportFailed):
    code = "malformed_json"


class JsonStream:
    def __init__(self, source: TextIO) -> None:
        self._source = source
        self._decoder = json.JSONDecoder()
        self._buffer = ""
        self._position = 0
        self._consumed = 0
        self._eof = False

    def array_items(self) -> Iterator[Any]:
        """Each element of a top-level array."""
        self._expect("[")
        yield from self._items()
        self._end()

    def object_members(self, streamed: frozenset[str]) -> Iterator[tuple[str, Any]]:
        """(key, value) for each member of a top-level object; for keys in `streamed`
        whose value is an array, (key, element) once per element instead."""
        self._expect("{")
        if self._peek() == "}":
            self._position += 1
            self._end()
            return
        while True:
            key = self._value()
            if not isinstance(key, str):
                self._fail("expected a member name")
            self._expect(":")
            if key in streamed and self._peek() == "[":
                self._position += 1
                for item in self._items():
                    yield key, item
            else:
                yield key, self._value()
            if self._peek() == ",":
                self._position += 1
                continue
            self._expect("}")
            self._end()
            return

    def _items(self) -> Iterator[Any]:
        """Elements of an array whose `[` was consumed, through its `]`."""
        if self._peek() == "]":
            self._position += 1
            return
        while True:
            yield self._value()
            separator = self._peek()
            self._position += 1
            if separator == "]":
                return
            if separator != ",":
                self._fail("expected ',' or ']'")

    def _value(self) -> Any:
        self._peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buffer, self._position)
            except json.JSONDecodeError as exc:
                if self._eof or not self._more():
                    self._fail(exc.msg)
                continue
            if end == len(self._buffer) and not self._eof and self._more():
                continue  # a number may go on in the next chunk
            self._position = end
            return value

    def _peek(self) -> str:
        while True:
            while self._position < len(self._buffer):
                char = self._buffer[self._position]
                if char not in _WHITESPACE:
                    return char
                self._position += 1
            if not self._more():
                return ""

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            self._fail(f"expected {char!r}")
        self._position += 1

    def _end(self) -> None:
        if self._peek() != "":
            self._fail("unexpected data after the document")

    def _more(self) -> bool:
        """Read more of the file, keeping only the unparsed rest of the buffer."""
        if self._eof:
            return False
        wanted = max(_CHUNK, len(self._buffer) - self._position)
        data = self._source.read(wanted)
        if not data:
            self._eof = True
            return False
        self._consumed += self._position
        self._buffer = self._buffer[self._position :] + data
        self._position = 0
        return True

    def _fail(self, message: str) -> NoReturn:
        where = self._consumed + self._position
        raise MalformedJson(
            f"not valid JSON near character {where}: {message}. Nothing was imported"
        )
