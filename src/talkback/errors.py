"""The one error hierarchy; `web/errors.py` maps it to HTTP in one place."""

from __future__ import annotations


class TalkbackError(Exception):
    """Base of every error a caller can cause; `code` is stable, `message` is for humans."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class Invalid(TalkbackError):
    status = 422
    code = "invalid"


class NotFound(TalkbackError):
    status = 404
    code = "not_found"


class Forbidden(TalkbackError):
    status = 403
    code = "forbidden"


class Unauthorized(TalkbackError):
    status = 401
    code = "unauthorized"


class Conflict(TalkbackError):
    status = 409
    code = "conflict"


class Gone(TalkbackError):
    """Something that was valid once and is no more: a used or expired email link."""

    status = 410
    code = "gone"


class TooLarge(TalkbackError):
    status = 413
    code = "too_large"


class RateLimited(TalkbackError):
    """Too many requests; `retry_after` seconds is when the next one will be accepted."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BadRequest(TalkbackError):
    """A request that cannot be read at all, such as a webhook whose signature is wrong."""


class Unavailable(TalkbackError):
    """Something this server is not set up to do, or a provider it could not reach."""

    status = 503
    code = "unavailable"
