"""The tokens of single-use links sent by mail (`email_links`: reader sign-in, staff
password reset), which are kept nowhere whole.

The outbox row that carries the mail holds a random seed; the token is the HMAC of that
seed under the server's secret key and the link's purpose, so the mail handler can
rebuild it while a copy of the database (outbox included) opens no link. `email_links`
keeps only the token's SHA-256, to find the link a token names.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def link_token(secret_key: str, purpose: str, seed: str) -> str:
    digest = hmac.new(secret_key.encode(), f"{purpose}:{seed}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
