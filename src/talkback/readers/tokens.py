"""Who is asking: readers carry a signed token in a header; guests are known by IP hash.

The widget keeps the reader token in localStorage and sends it as `X-Talkback-Reader`.
It is a header rather than a cookie because browsers block third-party cookies, and a
header a cross-site form cannot set takes CSRF off the reader API.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

from talkback import clock
from talkback.core.identity import hash_ip
from talkback.errors import Forbidden, Unauthorized

READER_SALT = "talkback.reader"
EDIT_SALT = "talkback.edit"


@dataclass(frozen=True, slots=True)
class Reader:
    """The person behind a request, as far as the server can tell."""

    ip_hash: str
    reader_id: str | None = None

    @property
    def voter(self) -> str:
        """The key one vote per comment is counted against."""
        return f"r:{self.reader_id}" if self.reader_id else f"ip:{self.ip_hash}"


def identify_reader(secret_key: str, ip: str, token: str | None) -> Reader:
    reader_id = verify_reader_token(secret_key, token) if token else None
    return Reader(ip_hash=hash_ip(ip, secret_key), reader_id=reader_id)


def issue_reader_token(secret_key: str) -> str:
    return issue_reader_token_for(secret_key, secrets.token_urlsafe(16))


def issue_reader_token_for(secret_key: str, reader_id: str) -> str:
    """A token for a known reader id: a signed-in reader's account id, on a new device."""
    token: str = URLSafeSerializer(secret_key, salt=READER_SALT).dumps(reader_id)
    return token


def verify_reader_token(secret_key: str, token: str) -> str:
    try:
        reader_id = URLSafeSerializer(secret_key, salt=READER_SALT).loads(token)
    except BadSignature as exc:
        raise Unauthorized(
            "the reader token is not valid; drop it and ask /me for a new one",
            code="invalid_reader_token",
        ) from exc
    if not isinstance(reader_id, str):
        raise Unauthorized("the reader token is not valid", code="invalid_reader_token")
    return reader_id


def issue_edit_token(secret_key: str, comment_id: int) -> str:
    """A token that proves authorship of one comment; the edit window is enforced separately."""
    return URLSafeSerializer(secret_key, salt=EDIT_SALT).dumps(comment_id)


def edit_token_comment(secret_key: str, token: str) -> int | None:
    try:
        comment_id = URLSafeSerializer(secret_key, salt=EDIT_SALT).loads(token)
    except BadSignature:
        return None
    return comment_id if isinstance(comment_id, int) else None


def check_may_change(
    *,
    secret_key: str,
    comment_id: int,
    author_reader_id: str | None,
    created_at: datetime,
    edit_window_seconds: int,
    reader: Reader,
    edit_token: str | None,
) -> None:
    """Refuse unless the caller wrote this comment and its edit window is still open."""
    by_token = edit_token is not None and edit_token_comment(secret_key, edit_token) == comment_id
    by_reader = reader.reader_id is not None and reader.reader_id == author_reader_id
    if not (by_token or by_reader):
        raise Forbidden("only the author may change this comment", code="not_author")
    if clock.now() > edit_deadline(created_at, edit_window_seconds):
        raise Forbidden("the edit window for this comment has closed", code="edit_window_closed")


def edit_deadline(created_at: datetime, edit_window_seconds: int) -> datetime:
    return created_at + timedelta(seconds=edit_window_seconds)
