"""Thread identity: many spellings of one article's address map to one thread."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MAX_URI_LENGTH = 2048
TRACKING_PARAMETERS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "ref"})


class InvalidUri(ValueError):
    pass


def normalise_uri(raw: str) -> str:
    """Reduce a page address to the path-and-query that names its thread.

    Scheme, host and fragment are dropped (an article reached over http, https or a mirror
    host is still one thread), tracking parameters are removed, the remaining query keeps
    its order, and a trailing slash is dropped except at the root.
    """
    value = raw.strip()
    if not value:
        raise InvalidUri("uri must not be empty")
    if len(value) > MAX_URI_LENGTH:
        raise InvalidUri(f"uri is longer than {MAX_URI_LENGTH} characters")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise InvalidUri("uri contains control characters")
    parts = urlsplit(value)
    if parts.scheme and parts.scheme not in ("http", "https"):
        raise InvalidUri("uri must be a path or an http(s) URL")
    path = parts.path or "/"
    if not path.startswith("/"):
        path = "/" + path
    while "//" in path:
        path = path.replace("//", "/")
    if len(path) > 1:
        path = path.rstrip("/")
    query = [
        (key, val)
        for key, val in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMETERS and not key.lower().startswith("utm_")
    ]
    return urlunsplit(("", "", path, urlencode(query), ""))
