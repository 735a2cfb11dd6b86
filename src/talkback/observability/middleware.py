"""Times every HTTP request into the latency histogram, labelled by route template.

A pure ASGI middleware (Starlette's `BaseHTTPMiddleware` would add a task and a queue per
request, the costliest thing on a read path that aims at 10,000 requests a second). The
route label is the template the router matched (`/api/v1/{site}/comments`), never the raw
path, so the number of series is bounded by the code, not by what clients send; a request
no route matched is `unmatched`, and methods outside the usual set are `other`.

A request is timed until its response headers go out: for an ordinary answer the body
follows at once, and a server-sent event stream is timed until it is open instead of for
as long as a reader keeps the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter

from prometheus_client import Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from talkback.observability.metrics import REQUEST_SECONDS

UNMATCHED = "unmatched"
"""The route label of a request that no route matched (mostly 404s)."""

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
STATUS_CLASSES = ("0xx", "1xx", "2xx", "3xx", "4xx", "5xx")


@dataclass(frozen=True, slots=True)
class RouteLabel:
    """What a handler that answers before the router puts in `scope["route"]`: the
    template of the route its answer stands for, e.g. `/api/v1/{site}/comments`."""

    path: str


def route_template(scope: Scope) -> str:
    """The template of the route that served the request, as the router left it in `scope`.

    A handler that answers before the router (a fast path) labels its requests by setting
    `scope["route"]` to the route it stands for, or to a `RouteLabel`: anything with a
    `path` template.
    """
    route = scope.get("route")
    template = getattr(route, "path", None)
    return template if isinstance(template, str) and template else UNMATCHED


def status_class(status: int) -> str:
    return STATUS_CLASSES[status // 100] if 100 <= status < 600 else "5xx"


class RequestMetricsMiddleware:
    """Observes each HTTP request's time to response headers in `REQUEST_SECONDS`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._series: dict[tuple[str, str, str], Histogram] = {}
        """Histogram children by label values: `labels()` takes a lock and checks its
        arguments on every call; a dict lookup does not."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = perf_counter()
        answered = False

        async def timed_send(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                answered = True
                self._observe(scope, message["status"], perf_counter() - start)
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        except BaseException:
            if not answered:  # the server answers 500 (or nothing, if the client left)
                self._observe(scope, 500, perf_counter() - start)
            raise

    def _observe(self, scope: Scope, status: int, seconds: float) -> None:
        method = scope["method"]
        key = (
            route_template(scope),
            method if method in METHODS else "other",
            status_class(status),
        )
        series = self._series.get(key)
        if series is None:
            route, method_label, status_label = key
            series = REQUEST_SECONDS.labels(route=route, method=method_label, status=status_label)
            self._series[key] = series
        series.observe(seconds)
