"""The `Talkback-Signature` header: HMAC-SHA256 of `"{timestamp}.{body}"` with the
endpoint's secret, as `t=<unix seconds>,v1=<hex digest>`.

The timestamp is signed with the body, so a receiver that checks it is recent (five
minutes is the usual tolerance) refuses a captured request replayed later; `v1` names the
scheme, so a second one can be added beside it without breaking receivers. The secret is
used as is, `whsec_` prefix included, encoded as UTF-8. `docs/webhooks.md` gives the
receiver's side; `verify` here is the same recipe.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Talkback-Signature"
SCHEME = "v1"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    return f"t={timestamp},{SCHEME}={signature(secret, timestamp, body)}"


def verify(
    secret: str,
    header: str,
    body: bytes,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when `header` signs `body` with `secret` and its time is within `tolerance`."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, sent) for sent in parts.get(SCHEME, []))
