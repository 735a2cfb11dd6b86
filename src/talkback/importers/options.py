"""How to read a source: the choices a person makes on the command line, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from talkback.core.identity import hash_ip
from talkback.core.uris import InvalidUri, normalise_uri
from talkback.errors import Invalid

UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class UrlMap:
    """`OLD=NEW` prefix rewrites for thread addresses, for a site whose domain or path
    prefix changed. The longest matching OLD wins; it is tried on the address as written
    in the export, then on its normalised path."""

    rules: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, specs: list[str] | tuple[str, ...]) -> UrlMap:
        rules = []
        for spec in specs:
            old, sep, new = spec.partition("=")
            if not sep or not old:
                raise Invalid(f"--url-map {spec!r}: write it as OLD=NEW")
            rules.append((old, new))
        rules.sort(key=lambda rule: len(rule[0]), reverse=True)
        return cls(tuple(rules))

    def apply(self, address: str) -> str:
        for old, new in self.rules:
            if address.startswith(old):
                return new + address[len(old) :]
        return address


@dataclass(frozen=True, slots=True)
class ImportOptions:
    secret_key: str
    lenient: bool = False
    url_map: UrlMap = UrlMap()
    keep_pingbacks: bool = False
    timezone: tzinfo = UTC_ZONE
    wpdiscuz_forms: Mapping[str, str] = field(default_factory=dict)
    """wpDiscuz's feedback form table, id → shortcode id (`formats/wpdiscuz.py`): without
    it, feedback is placed only where the export alone says which passage it is on."""
    screen: bool = False
    """Judge comments the source published as new ones are, holding what moderation
    would stop (`screening.py`)."""

    def hash_ip(self, ip: str | None) -> str | None:
        """Addresses are kept only as keyed hashes, like those of readers posting here."""
        ip = (ip or "").strip()
        return hash_ip(ip, self.secret_key) if ip else None

    def thread_uri(self, address: str | None) -> str | None:
        """The thread uri for a page address from the export, or None if it has none usable."""
        address = (address or "").strip()
        if not address:
            return None
        mapped = self.url_map.apply(address)
        try:
            uri = normalise_uri(mapped)
            if mapped == address:
                uri = normalise_uri(self.url_map.apply(uri))
        except InvalidUri:
            return None
        return uri


def zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid(
            f"unknown time zone {name!r}; use an IANA name such as Europe/Berlin"
        ) from exc
