"""A strict reader for the one PHP-serialized shape vote plugins store in comment meta.

wpDiscuz keeps a comment's votes as `a:2:{s:4:"like";i:3;s:7:"dislike";i:1;}`: an array
of string or integer keys to integers or strings. Exactly that is accepted; objects,
references and nested arrays are refused (never evaluated), so hostile meta is inert.
String lengths count UTF-8 bytes, as PHP's do.
"""

from __future__ import annotations


class NotSerializedArray(ValueError):
    pass


def parse_flat_array(value: str) -> dict[str | int, int | str]:
    data = value.strip().encode()
    reader = _Reader(data)
    reader.expect(b"a:")
    count = reader.integer(b":")
    reader.expect(b"{")
    result: dict[str | int, int | str] = {}
    for _ in range(count):
        key = reader.scalar()
        result[key] = reader.scalar()
    reader.expect(b"}")
    if reader.position != len(data):
        raise NotSerializedArray("trailing data after the array")
    return result


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0

    def expect(self, token: bytes) -> None:
        if not self.data.startswith(token, self.position):
            raise NotSerializedArray(f"expected {token!r} at byte {self.position}")
        self.position += len(token)

    def integer(self, end: bytes) -> int:
        stop = self.data.find(end, self.position)
        if stop < 0:
            raise NotSerializedArray(f"unterminated number at byte {self.position}")
        digits = self.data[self.position : stop].decode("ascii", "replace")
        if not digits.lstrip("-").isdigit():
            raise NotSerializedArray(f"not a number: {digits!r}")
        self.position = stop + len(end)
        return int(digits)

    def scalar(self) -> int | str:
        kind = self.data[self.position : self.position + 2]
        self.position += 2
        if kind == b"i:":
            return self.integer(b";")
        if kind == b"s:":
            length = self.integer(b":")
            self.expect(b'"')
            raw = self.data[self.position : self.position + length]
            if len(raw) != length:
                raise NotSerializedArray("string shorter than its length")
            self.position += length
            self.expect(b'";')
            return raw.decode("utf-8")
        raise NotSerializedArray(f"unsupported value type {kind!r}")
