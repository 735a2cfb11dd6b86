"""Every error leaves the server as `{"error": {"code", "message"}}`; this is the one place
that decides how."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException

from talkback.errors import RateLimited, TalkbackError

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
}


class FieldProblem(BaseModel):
    field: str
    message: str


class ErrorDetail(BaseModel):
    code: str
    """Stable and machine-readable (`comment_not_found`, `rate_limited`, `invalid`, …)."""
    message: str
    """For people: what went wrong, naming the field when one is at fault."""
    fields: list[FieldProblem] | None = None
    """422 only: each field at fault."""


class ErrorBody(BaseModel):
    """The one shape of every error answer."""

    error: ErrorDetail


API_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "Malformed request (not JSON, a bad cursor…)"),
        (403, "Refused: a ban, a foreign origin, not allowed for this role"),
        (404, "No such site, thread, comment or campaign"),
        (409, "The change conflicts with the current state"),
        (413, "The request body is too large"),
        (422, "A field is invalid; `fields` names each one"),
        (429, "Too many requests; `Retry-After` says when to try again"),
        (503, "The database or the broker cannot be reached; `Retry-After` says when to retry"),
    )
}
"""Error answers every API router declares, so `/openapi.json` documents them; 422 here
replaces FastAPI's own validation schema, which our handler never sends."""


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


async def _talkback_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TalkbackError)
    response = error_response(exc.status, exc.code, exc.message)
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = exc.errors()
    if any(problem.get("type") == "json_invalid" for problem in problems):
        return error_response(400, "invalid_json", "the request body is not valid JSON")
    fields = [
        {"field": ".".join(str(part) for part in problem["loc"][1:]) or problem["loc"][0],
         "message": problem["msg"]}
        for problem in problems
    ]  # fmt: skip
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return error_response(422, "invalid", summary, fields=fields)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    message = exc.detail if isinstance(exc.detail, str) else "request refused"
    response = error_response(exc.status_code, HTTP_CODES.get(exc.status_code, "error"), message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


OUTAGE_RETRY_SECONDS = 5
"""What a client is told to wait when the database or Redis is unreachable."""


def is_outage(exc: BaseException) -> bool:
    """Whether `exc` says a service we depend on is out of reach (PostgreSQL restarting,
    Redis down, a dropped connection), rather than a fault in our code or the request."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    unreachable = OperationalError | InterfaceError | RedisConnectionError | RedisTimeoutError
    return isinstance(exc, unreachable | ConnectionError)


async def _unexpected_error(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("event=unhandled_error", exc_info=exc)
    return error_response(500, "internal", "something went wrong on our side")


async def _unreachable(request: Request, exc: Exception) -> JSONResponse:
    """503 while the database or Redis is out of reach: the client may retry, and the
    server recovers by itself once the service is back (its pools reconnect)."""
    if not is_outage(exc):
        return await _unexpected_error(request, exc)
    log.warning("event=service_unreachable error=%r", exc)
    response = error_response(
        503, "service_unavailable", "the server cannot reach its database or broker; retry"
    )
    response.headers["Retry-After"] = str(OUTAGE_RETRY_SECONDS)
    return response


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(TalkbackError, _talkback_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    # Handled where other errors are (not by the last-resort handler, which re-raises and
    # makes the server drop the connection after answering).
    for unreachable in (DBAPIError, ConnectionError, RedisConnectionError, RedisTimeoutError):
        app.add_exception_handler(unreachable, _unreachable)
    app.add_exception_handler(Exception, _unexpected_error)
