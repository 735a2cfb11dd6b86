"""Keyed hashes: the only form in which IP addresses and emails are kept or shown."""

from __future__ import annotations

import hashlib
import hmac


def hash_ip(ip: str, key: str) -> str:
    """A keyed hash of an IP address: stable for one server, useless without its key."""
    return hmac.new(key.encode(), b"ip:" + ip.encode(), hashlib.sha256).hexdigest()[:32]


def avatar_seed(identity: str, key: str) -> str:
    """A short seed for locally drawn avatars that reveals nothing of the email or IP."""
    return hmac.new(key.encode(), b"avatar:" + identity.encode(), hashlib.sha256).hexdigest()[:12]
