"""Which addresses an endpoint may have: HTTPS, or plain HTTP to this machine only.

Plain HTTP would send every event, and the signature that lets a receiver trust it, in
clear over the network, so it is refused everywhere but on loopback (127.0.0.1,
localhost, ::1), where a developer's or a test's receiver listens. Addresses carrying a
user name or password are refused too: the secret belongs in the signature, not the URL.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from talkback.errors import Invalid

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_URL_LENGTH = 2000


def check_url(url: str) -> str:
    """The URL, stripped, or 422 `invalid_url` saying why it cannot receive webhooks."""
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise Invalid(f"url: 1 to {MAX_URL_LENGTH} characters", code="invalid_url")
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError as exc:
        raise Invalid(f"url: {exc}", code="invalid_url") from exc
    if not host or any(c.isspace() for c in url):
        raise Invalid("url: an absolute address like https://example.org/hook", code="invalid_url")
    if parts.username is not None or parts.password is not None:
        raise Invalid("url: no user name or password in the address", code="invalid_url")
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and host in LOOPBACK_HOSTS:
        return url
    raise Invalid(
        "url: must start with https:// (plain http only to 127.0.0.1, localhost or ::1)",
        code="invalid_url",
    )
