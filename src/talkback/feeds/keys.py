"""The private key in a reader's replies feed URL.

A feed reader cannot send the `X-Talkback-Reader` header, so the URL itself must say whose
replies it lists. It carries a signature of (site, reader id), never the reader token:
the token lets its holder act as the reader (vote, edit), while a leaked feed URL shows
only replies that are public anyway, and it works on one site only. Its own salt keeps it
from being accepted as any other signed value.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from talkback.errors import NotFound

FEED_SALT = "talkback.replies-feed"


def replies_feed_key(secret_key: str, site_id: str, reader_id: str) -> str:
    key: str = URLSafeSerializer(secret_key, salt=FEED_SALT).dumps([site_id, reader_id])
    return key


def reader_of_feed_key(secret_key: str, site_id: str, key: str) -> str:
    """The reader id a key was made for; 404 for a key that is forged or of another site,
    as for any URL that names nothing."""
    try:
        signed = URLSafeSerializer(secret_key, salt=FEED_SALT).loads(key)
    except BadSignature:
        signed = None
    match signed:
        case [str(signed_site), str(reader_id)] if signed_site == site_id:
            return reader_id
    raise NotFound("no such feed", code="feed_not_found")
