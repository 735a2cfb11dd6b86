"""Every route of the app, fuzzed: bad input gets a clear 4xx and never a 500.

The routes are read from the app itself (`fastapi.routing.iter_route_contexts`, which sees
through included routers, plus mounted apps), so a route added later is fuzzed without
anyone remembering to list it; a route this module cannot drive must be named in
`EXCLUDED` with the reason, or `test_every_route_is_fuzzed_or_excluded` fails.

One app (SQLite, rate limits off, demo payments on so the demo checkout routes exist, and
the demo article page included) serves the whole module: starting an app loads the
toxicity model and migrates a database, far too slow to do per route. It holds a site with
comments, a campaign, a donation and a ban, so valid ids are drawn alongside invalid ones
and requests get past "not found" into the routes' own validation. Admin routes are sent
once with a signed-in admin session (valid Origin and CSRF token, so they reach validation)
and once anonymously.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Literal, get_args, get_origin
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import httpx
import pytest
import pytest_asyncio
from argon2 import PasswordHasher
from fastapi import FastAPI, params
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Message

from talkback import __version__
from talkback.app import create_app
from talkback.config import Settings
from talkback.context import Context
from talkback.demo import page as demo
from talkback.demo.content import DEMO_SITE
from talkback.funding.stripe_gateway import webhook_secret
from talkback.sites.sites import create_site
from talkback.staff import accounts as staff_service
from talkback.staff.accounts import create_staff
from talkback.store.migrate import migrate
from tests.api.test_bad_input import json_values
from tests.stripe_events import signature_header

HOST = "http://talkback.test"
SITE = "news"
ORIGIN = "https://news.example"
ARTICLE = "/2026/11/river-barrier"
ADMIN = "editor@news.example"
PASSWORD = "a long enough password"
SECRET = "test-secret-key"
CLIENT = ("203.0.113.7", 4321)
EXAMPLES = 20
MAX_URL = 20_000  # httpx refuses URLs over 64 KiB, a login redirect's `next` included

# Routes this module does not fuzz, each with the reason. Keep it short: every entry is a
# route whose bad input nobody checks.
EXCLUDED: dict[str, str] = {}

# Routes whose answer never ends: read until the response starts, then hang up.
STREAMING = {"GET /api/v1/{site}/stream": "Server-Sent Events stay open until the client goes"}

# Paths that change the session of the client that calls them: each example gets a browser
# of its own, so the shared admin session survives.
SESSION_ROUTES = re.compile(r"/(login|logout)$")
WIDGET_FILES = sorted(
    p.name for p in (Path(demo.__file__).parent.parent / "static" / "widget").glob("*.*")
)


def build_app(database_url: str) -> FastAPI:
    """The app as `talkback demo` builds it, which has every route any configuration has:
    demo payments add the test checkout page, the demo mailbox its pages (and mail is
    enabled, so the routes that send mail run all the way), and the demo adds its article
    page at `/`."""
    settings = Settings(
        database_url=database_url,
        secret_key=SECRET,
        rate_limits="off",
        demo_payments=True,
        demo_mailbox=True,
    )
    app = create_app(settings)
    app.include_router(demo.router)
    return app


@dataclass(frozen=True)
class Endpoint:
    """One method on one route, as the fuzzer drives it."""

    method: str
    path: str
    route: BaseRoute

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.key)

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def admin(self) -> bool:
        return self.path.startswith(("/admin", "/api/v1/admin"))

    @property
    def api(self) -> APIRoute | None:
        return self.route if isinstance(self.route, APIRoute) else None


def endpoints(app: FastAPI) -> list[Endpoint]:
    """Every (method, path) the app answers; a kind of route not known here comes out with
    method `*`, which only an `EXCLUDED` entry (or teaching this function) can cover."""
    found: list[Endpoint] = []
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, str(context.path)
        if isinstance(route, Mount):
            found += [Endpoint(m, path + "/{path:path}", route) for m in ("GET", "HEAD")]
        elif isinstance(route, APIRoute | Route) and context.methods:
            found += [Endpoint(m, path, route) for m in sorted(context.methods)]
        else:
            found.append(Endpoint("*", path, route))
    return found


ENDPOINTS = endpoints(build_app("sqlite+aiosqlite:///never-opened.db"))
FUZZED = [e for e in ENDPOINTS if e.key not in EXCLUDED and e.method != "*"]


def test_every_route_is_fuzzed_or_excluded() -> None:
    """A new route is fuzzed automatically; one this module cannot drive must be excluded
    by name with a reason, and an exclusion that names no route any more is stale."""
    keys = {e.key for e in ENDPOINTS}
    undriven = [e.key for e in ENDPOINTS if e.method == "*" and e.key not in EXCLUDED]
    assert not undriven, f"routes neither fuzzed nor excluded: {undriven}"
    assert not set(EXCLUDED) - keys, f"stale exclusions: {set(EXCLUDED) - keys}"
    assert all(reason.strip() for reason in EXCLUDED.values())
    assert not set(STREAMING) - keys, f"stale streaming routes: {set(STREAMING) - keys}"
    assert len(FUZZED) >= 80  # the enumeration itself works (includes routers, mounts)


@dataclass
class World:
    """The running app with data in it, and the ids and tokens that data has."""

    app: FastAPI
    admin: httpx.AsyncClient
    anonymous: httpx.AsyncClient
    csrf: str
    webhook_secret: str
    ids: dict[str, list[str]] = field(default_factory=dict)
    tokens: dict[str, list[str]] = field(default_factory=dict)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints a failing example's arguments; the world is not news."""
        printer.text("World(...)")

    def client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=CLIENT)
        return httpx.AsyncClient(transport=transport, base_url=HOST)

    async def signed_in(self) -> tuple[httpx.AsyncClient, str]:
        """A new browser with an admin session of its own, and its CSRF token."""
        client = self.client()
        response = await client.post(
            "/api/v1/admin/login", json={"email": ADMIN, "password": PASSWORD},
            headers={"Origin": HOST},
        )  # fmt: skip
        assert response.status_code == 200, response.text
        return client, str(response.json()["csrf_token"])


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


async def seed(world: World) -> None:
    """A thread with a reply, a campaign with a donation, a ban, a reader token, an ETag
    and a demo checkout token: the valid values the fuzzer mixes with invalid ones."""
    anon, admin, write = world.anonymous, world.admin, {"Origin": ORIGIN}
    me = await anon.get(f"/api/v1/{SITE}/me", params={"uri": ARTICLE})
    reader = str(me.json()["reader_token"])
    comments = f"/api/v1/{SITE}/comments"
    first = _created(
        await anon.post(
            comments,
            params={"uri": ARTICLE},
            json={"text": "First!", "title": "River"},
            headers=write,
        )
    )
    parent = first["comment"]["id"]
    reply = _created(await anon.post(comments, params={"uri": ARTICLE},
                                     json={"text": "A reply", "parent_id": parent},
                                     headers={**write, "X-Talkback-Reader": reader}))  # fmt: skip
    page = await anon.get(comments, params={"uri": ARTICLE})
    staff = {"Origin": HOST, "X-CSRF-Token": world.csrf}
    campaign = _created(await admin.post(
        f"/api/v1/admin/{SITE}/campaigns",
        json={"title": "Keep it open", "currency": "USD", "goal": "5000", "current": True},
        headers=staff,
    ))  # fmt: skip
    campaign = campaign["campaign"]
    _created(await admin.post(
        f"/api/v1/admin/{SITE}/donations",
        json={"campaign_id": campaign["id"], "amount": "25", "donor_name": "Ann"}, headers=staff,
    ))  # fmt: skip
    donation = _created(await admin.get(f"/api/v1/admin/{SITE}/donations"))["donations"][0]
    ban = _created(await admin.post(
        f"/api/v1/admin/{SITE}/bans", json={"kind": "email", "value": "troll@example.com"},
        headers=staff,
    ))["ban"]  # fmt: skip
    checkout = _created(await anon.post(
        f"/api/v1/{SITE}/campaigns/current/checkout",
        json={"amount": 25, "currency": "USD", "return_url": ORIGIN + ARTICLE}, headers=write,
    ))  # fmt: skip
    demo_token = parse_qs(urlsplit(checkout["url"]).query).get("token", [""])
    comment_ids = [str(parent), str(reply["comment"]["id"])]
    world.ids = {
        "site": [SITE, DEMO_SITE],
        "comment_id": comment_ids,
        "ids": comment_ids,
        "campaign_id": [str(campaign["id"])],
        "campaign": [str(campaign["id"]), "current"],
        "donation_id": [str(donation["id"])],
        "ban_id": [str(ban["id"])],
        "version": [__version__],
        "path": WIDGET_FILES,
        "uri": [ARTICLE, ORIGIN + ARTICLE],
        "token": demo_token,
        "email": [ADMIN, "troll@example.com"],
    }
    world.tokens = {
        "X-Talkback-Reader": [reader],
        "X-Edit-Token": [str(first["edit_token"]), str(reply["edit_token"])],
        "If-None-Match": [page.headers.get("etag", '"x"'), "*"],
    }


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    database = tmp_path_factory.mktemp("robustness") / "talkback.db"
    app = build_app(f"sqlite+aiosqlite:///{database}")
    context: Context = app.state.context
    await migrate(context.database)
    await create_site(context.database, SITE, name="The Example News", origins=[ORIGIN])
    await create_site(context.database, DEMO_SITE, name="Demo", origins=[HOST])
    with pytest.MonkeyPatch.context() as patch:
        # Production argon2 costs a quarter second a hash; session routes sign in per example.
        patch.setattr(
            staff_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
        )
        await create_staff(context.database, ADMIN, PASSWORD, "admin", "Edith")
        async with app.router.lifespan_context(app):
            secret = webhook_secret(context.settings, context.secret_key)
            assert secret is not None
            world = World(app, admin=httpx.AsyncClient(), anonymous=httpx.AsyncClient(),
                          csrf="", webhook_secret=secret)  # fmt: skip
            world.admin, world.csrf = await world.signed_in()
            world.anonymous = world.client()
            try:
                await seed(world)
                yield world
            finally:
                await world.admin.aclose()
                await world.anonymous.aclose()


# --- what a bad request is made of ------------------------------------------------------

UNSAFE_TEXT = st.characters(codec="utf-8")  # any character a URL or body can carry
HEADER_TEXT = st.characters(codec="latin-1", blacklist_characters="\r\n\x00")
long_strings = st.builds(
    lambda char, n: char * n,
    st.sampled_from(["a", "9", "%", "/"]),
    st.sampled_from([65, 4097, 9000]),
) | st.builds(
    lambda char, n: char * n, st.sampled_from(["é", "€", "🙂"]), st.sampled_from([65, 1025])
)
huge_ints = st.integers(min_value=-(2**80), max_value=2**80)
awkward = st.sampled_from(
    ["0", "-1", "1.5", "1e3", "0x10", " 1", "NaN", "inf", "null", "true", "current", "..", ".",
     "%00", "\x00", "' OR 1=1 --", "<script>", "9" * 30, "-" + "9" * 30, "🙂", "ünïcödé"]
)  # fmt: skip
bad_strings = st.one_of(
    huge_ints.map(str), awkward, st.text(UNSAFE_TEXT, max_size=40), long_strings
)


def choices(annotation: Any) -> list[str]:
    """The values an Enum or Literal parameter accepts, so some requests use them."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is Literal:
        return [str(a) for a in args]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(m.value) for m in annotation]
    if annotation is bool:
        return ["true", "false", "1", "0", "on"]
    return [v for a in args for v in choices(a)]


def dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from dependants(sub)


def declared(endpoint: Endpoint, kind: Literal["path", "query"]) -> dict[str, list[str]]:
    """The route's declared path or query parameters (its dependencies' too), each with the
    values its type names."""
    route = endpoint.api
    if route is None:
        return {"path": []} if kind == "path" and "{path" in endpoint.path else {}
    found: dict[str, list[str]] = {}
    for dep in dependants(route.dependant):
        for param in dep.path_params if kind == "path" else dep.query_params:
            found[param.alias] = choices(param.field_info.annotation)
    return found


def value_for(name: str, typed: list[str], world: World) -> st.SearchStrategy[str]:
    """Half the time a value that exists (an id of the seeded data, an enum's member), else
    something bad."""
    good = typed + world.ids.get(name, [])
    return st.sampled_from(good) | bad_strings if good else bad_strings


def from_schema(
    schema: dict[str, Any], defs: dict[str, Any], world: World, depth: int = 0
) -> st.SearchStrategy[Any]:
    """Values shaped like a JSON schema, at and past its limits, so a body gets past the
    parser into the route's own checks; `json_values` is mixed in at every level."""
    if "$ref" in schema:
        return from_schema(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, world, depth)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return st.one_of([from_schema(s, defs, world, depth) for s in schema[key]])
    kind = schema.get("type")
    ids = [int(i) for i in world.ids.get("comment_id", []) + world.ids.get("campaign_id", [])]
    if kind == "integer":
        return huge_ints | st.sampled_from([0, 1, -1, 2**53, 2**53 + 1, *ids])
    if kind == "number":
        return st.floats() | huge_ints | st.decimals(allow_nan=False).map(str)
    if kind == "string":
        limit = int(schema.get("maxLength", 60))
        text = st.text(UNSAFE_TEXT, max_size=min(limit, 60)) | st.sampled_from(
            ["x" * limit, "x" * (limit + 1), "", "  "]
        )
        if schema.get("format") == "date-time":
            dates = st.datetimes(timezones=st.none() | st.just(UTC))
            return dates.map(datetime.isoformat) | text
        return text | st.sampled_from(["USD", "jpy", "https://news.example/a", "a@b.example"])
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array" and depth < 3:
        items = from_schema(schema.get("items", {}), defs, world, depth + 1)
        return st.lists(items | json_values, max_size=5)
    if kind == "object" and "properties" in schema and depth < 3:
        return shaped(schema, defs, world, depth + 1)
    return json_values


def shaped(
    schema: dict[str, Any], defs: dict[str, Any], world: World, depth: int = 0
) -> st.SearchStrategy[dict[str, Any]]:
    """An object with the schema's properties, required ones always (so some bodies are
    valid), plus now and then a field nobody declared."""
    properties = {
        name: from_schema(sub, defs, world, depth) | json_values
        for name, sub in schema.get("properties", {}).items()
    }
    required = {n: s for n, s in properties.items() if n in schema.get("required", [])}
    optional = {n: s for n, s in properties.items() if n not in required}
    optional["surprise"] = json_values
    return st.fixed_dictionaries(required, optional=optional) | st.fixed_dictionaries(
        {}, optional=properties
    )


def body_schema(endpoint: Endpoint) -> tuple[dict[str, Any], bool] | None:
    """The JSON schema of the route's body, and whether it is sent as an HTML form."""
    route = endpoint.api
    if route is None or route.body_field is None:
        return None
    info = route.body_field.field_info
    if info.annotation is None:
        return {}, isinstance(info, params.Form)
    schema = TypeAdapter(info.annotation).json_schema(ref_template="#/$defs/{model}")
    return schema, isinstance(info, params.Form)


def form_value(value: Any) -> list[str]:
    """How a browser would put a JSON-ish value in a form: repeated fields for a list."""
    if isinstance(value, bool):
        return ["on" if value else ""]
    if value is None:
        return [""]
    if isinstance(value, list):
        return [v for item in value for v in form_value(item)]
    if isinstance(value, dict):
        return [json.dumps(value)]
    return [str(value)]


CONTENT_TYPES = st.sampled_from(
    ["application/json", "application/x-www-form-urlencoded", "multipart/form-data",
     "multipart/form-data; boundary=xyz", "text/plain", "application/json; charset=latin-1",
     "application/octet-stream", "", "*/*", "application/json; charset=nope"]
)  # fmt: skip


@dataclass
class Call:
    """One request, drawn whole so Hypothesis can print and shrink it."""

    method: str
    url: str
    query: list[tuple[str, str]]
    headers: dict[str, bytes]
    content: bytes | None
    form: bool


@st.composite
def calls(draw: st.DrawFn, endpoint: Endpoint, world: World) -> Call:
    path = endpoint.path
    for name, typed in declared(endpoint, "path").items():
        encoded = quote(draw(value_for(name, typed, world)), safe="/" if name == "path" else "")
        encoded = re.sub(r"%[0-9A-F]?$", "", encoded[: MAX_URL // 4])  # httpx's URL limit
        path = re.sub(r"\{" + name + r"(:\w+)?\}", encoded.replace("\\", "\\\\"), path)
    query_names = declared(endpoint, "query")
    names = st.sampled_from(sorted(query_names)) if query_names else st.nothing()
    name_strategy = names | st.text(UNSAFE_TEXT, min_size=1, max_size=12)
    query = draw(st.lists(
        name_strategy.flatmap(lambda n: st.tuples(
            st.just(n), value_for(n, query_names.get(n, []), world) | st.just(""))),
        max_size=6,
    ))  # fmt: skip
    while query and len(path) + len(urlencode(query)) > MAX_URL:
        query.pop()
    headers: dict[str, bytes] = {}
    for name in ("X-Talkback-Reader", "X-Edit-Token", "If-None-Match", "Origin", "Accept"):
        good = world.tokens.get(name, []) + {"Origin": [ORIGIN, HOST, "null"]}.get(name, [])
        drawn = draw(
            st.none() | st.sampled_from(good or ["*/*"]) | st.text(HEADER_TEXT, max_size=80)
        )
        if drawn is not None:
            headers[name] = drawn.encode("latin-1")
    content: bytes | None = None
    form = False
    if endpoint.method in ("POST", "PATCH", "PUT", "DELETE"):
        body = body_schema(endpoint)
        schema, form = body if body else ({}, False)
        defs = schema.get("$defs", {})
        shape = shaped(schema, defs, world) if schema.get("properties") else json_values
        kind = draw(st.sampled_from(["json", "form", "bytes", "none"]))
        content_type = "application/json"
        if kind == "json":
            content = json.dumps(draw(shape | json_values)).encode()
        elif kind == "form":
            free_fields = st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=4)
            fields: dict[str, Any] = draw(
                shaped(schema, defs, world) if schema.get("properties") else free_fields
            )
            pairs = [(k, v) for k, value in fields.items() for v in form_value(value)]
            content = urlencode(pairs).encode()
            content_type = "application/x-www-form-urlencoded"
            form = True
        elif kind == "bytes":
            content = draw(st.binary(max_size=300))
            content_type = draw(CONTENT_TYPES)
        if kind != "none":
            headers["Content-Type"] = draw(CONTENT_TYPES | st.just(content_type)).encode()
        if draw(st.booleans()):  # signed as Stripe would, so the webhook reads the body
            headers["Stripe-Signature"] = signature_header(content or b"", world.webhook_secret
                                                           ).encode()  # fmt: skip
        elif draw(st.booleans()):
            headers["Stripe-Signature"] = draw(st.text(HEADER_TEXT, max_size=80)).encode("latin-1")
    return Call(endpoint.method, path, query, headers, content, form)


# --- sending and judging ----------------------------------------------------------------


def _page_opened_from_mail(endpoint: Endpoint) -> bool:
    """The pages a mail links to under /api/ (confirm, unsubscribe, manage) answer a person
    in HTML, errors included; they are kept out of the API's documentation."""
    return isinstance(endpoint.route, APIRoute) and not endpoint.route.include_in_schema


def check(endpoint: Endpoint, call: Call, status: int, content_type: str, body: bytes) -> None:
    """Below 500; an API error is `{"error": {"code", "message"}}` (HTML pages may answer
    HTML, but any JSON error must have the contract's shape)."""
    assert status < 500, f"{endpoint.key}: {status} {body[:500]!r}"
    if status < 400:
        return
    is_json = content_type.startswith("application/json")
    if endpoint.path.startswith("/api/") and not _page_opened_from_mail(endpoint):
        assert is_json, f"{endpoint.key}: {status} answered {content_type}"
    if is_json and call.method != "HEAD":  # a HEAD answer has the headers alone
        error = json.loads(body)["error"]
        assert isinstance(error["code"], str), body
        assert isinstance(error["message"], str), body
        assert error["message"], body


def as_staff(call: Call, csrf: str) -> Call:
    """The same request from the admin pages: same-origin, with the session's CSRF token
    in the header and, for a form, in the form as the pages send it."""
    headers = {**call.headers, "Origin": HOST.encode(), "X-CSRF-Token": csrf.encode()}
    content = call.content
    if call.form and content is not None:
        content = urlencode([("csrf_token", csrf)]).encode() + b"&" + content
    return Call(call.method, call.url, call.query, headers, content, call.form)


async def send(client: httpx.AsyncClient, endpoint: Endpoint, call: Call) -> None:
    response = await client.request(
        call.method, call.url, params=urlencode(call.query), content=call.content,
        headers=[(name.encode(), value) for name, value in call.headers.items()],
    )  # fmt: skip
    check(endpoint, call, response.status_code,
          response.headers.get("content-type", ""), response.content)  # fmt: skip


async def send_until_start(world: World, endpoint: Endpoint, call: Call, cookie: str) -> None:
    """A bounded request to a stream that never ends: raw ASGI, hanging up as soon as the
    response has started (httpx's ASGI transport would wait for the end of the body)."""
    started = asyncio.Event()
    sent: dict[str, Any] = {"status": 0, "type": "", "body": b""}
    request_sent = False

    async def receive() -> Message:
        nonlocal request_sent
        if not request_sent:
            request_sent = True
            return {"type": "http.request", "body": call.content or b"", "more_body": False}
        await started.wait()
        return {"type": "http.disconnect"}

    async def send_message(message: Message) -> None:
        if message["type"] == "http.response.start":
            sent["status"] = message["status"]
            sent["type"] = dict(message["headers"]).get(b"content-type", b"").decode()
            started.set()
        elif message["type"] == "http.response.body":
            sent["body"] += message.get("body", b"")

    raw_path = call.url.encode()
    headers = [(k.lower().encode(), v) for k, v in call.headers.items()]
    headers += [(b"host", b"talkback.test")] + ([(b"cookie", cookie.encode())] if cookie else [])
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": call.method, "scheme": "http", "path": unquote(call.url),
        "raw_path": raw_path, "root_path": "", "query_string": urlencode(call.query).encode(),
        "headers": headers, "client": CLIENT, "server": ("talkback.test", 80),
    }  # fmt: skip
    async with asyncio.timeout(10):
        await world.app(scope, receive, send_message)
    check(endpoint, call, sent["status"], sent["type"], sent["body"])


async def exercise(world: World, endpoint: Endpoint, call: Call) -> None:
    """Anonymously, and for admin routes also as a signed-in admin."""
    if endpoint.key in STREAMING:
        await send_until_start(world, endpoint, call, cookie="")
        return
    world.anonymous.cookies.clear()
    await send(world.anonymous, endpoint, call)
    if not endpoint.admin:
        return
    if SESSION_ROUTES.search(endpoint.path):
        client, csrf = await world.signed_in()
        try:
            await send(client, endpoint, as_staff(call, csrf))
        finally:
            await client.aclose()
    else:
        await send(world.admin, endpoint, as_staff(call, world.csrf))


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("endpoint", FUZZED, ids=lambda e: e.key)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)  # fmt: skip
@given(data=st.data())
async def test_bad_input_never_causes_a_server_error(
    world: World, endpoint: Endpoint, data: st.DataObject
) -> None:
    call = data.draw(calls(endpoint, world), label="request")
    await exercise(world, endpoint, call)
