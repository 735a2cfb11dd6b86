"""Progress reporting without tying the importers to a terminal.

The command line shows rich progress bars; tests and the admin UI pass `NO_PROGRESS`.
Reading is measured in bytes of the source (`CountingReader`), writing in comments.
"""

from __future__ import annotations

import io
from typing import BinaryIO, Protocol


class Progress(Protocol):
    def phase(self, name: str, total: int | None) -> None:
        """A new phase starts; `total` is its size in the units `advance` will count."""

    def advance(self, amount: int) -> None: ...


class _Silent:
    def phase(self, name: str, total: int | None) -> None:
        return None

    def advance(self, amount: int) -> None:
        return None


NO_PROGRESS: Progress = _Silent()


class CountingReader(io.RawIOBase):
    """A binary file that reports every byte read, so a streaming parser drives the bar.

    `skip_to_markup` (lenient XML reading) drops whatever precedes the first `<`, such as
    a stray character before the XML declaration, and remembers how many bytes it dropped
    and how many line ends were among them (the parser counts lines from what it is given).
    """

    def __init__(self, raw: BinaryIO, progress: Progress, *, skip_to_markup: bool = False) -> None:
        self._raw = raw
        self._progress = progress
        self._skipping = skip_to_markup
        self.skipped_bytes = 0
        self.skipped_lines = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        while True:
            data = self._raw.read(len(buffer))
            if not data:
                return 0
            self._progress.advance(len(data))
            if self._skipping:
                start = data.find(b"<")
                skipped = data if start < 0 else data[:start]
                self.skipped_bytes += len(skipped)
                self.skipped_lines += skipped.count(b"\n")
                if start < 0:
                    continue
                data = data[start:]
                self._skipping = False
            buffer[: len(data)] = data
            return len(data)

    def read(self, size: int = -1) -> bytes:
        """lxml reads through `read(n)`; answer in at most `n` bytes like a file would."""
        if size is None or size < 0:
            return self.readall()
        buffer = bytearray(size)
        count = self.readinto(buffer)
        return bytes(buffer[:count])
