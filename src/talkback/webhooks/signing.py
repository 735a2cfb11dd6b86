"""The `Talkback-Signature` header: HMAC-SHA256 of `"{timestamp}.{body}"` with the
endpoint's secret, as `t=<unix seconds>,v1=<hex digest>`.

The timestamp is signed with the body, so a receiver that checks it is recent (five
minutes is the usual tolerance) refuses a captured request replayed later; `v1` names the
scheme, so a second one can be added beside it without breaking receivers. The secret is
used as is, `whsec_` prefix included, encoded as UTF-8. `docs/webhooks.md` gives the
receiver's side, with a verification recipe the tests run as written.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "Talkback-Signature"
SCHEME = "v1"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    return f"t={timestamp},{SCHEME}={signature(secret, timestamp, body)}"
