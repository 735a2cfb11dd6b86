"""Webhook benchmark: Stripe deliveries per second through Talkback, next to a bare endpoint
that does only what any receiver must (verify the signature, parse the JSON).

Run: `.venv/bin/python bench/webhooks.py [--events 1000] [--concurrency 16]
[--backend sqlite|postgresql]`.

Three rows, measured in one run, in process through httpx's ASGITransport (no sockets):
new gifts (insert + campaign total, one transaction each, group-committed on SQLite),
replays of gifts already counted (the duplicate path Stripe's retries take), and the bare
endpoint. Afterwards the campaign's total must equal the sum of the distinct gifts, so a
lost or double-counted gift fails the run. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import stripe
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from post_rate import drive, summary
from talkback.app import create_app
from talkback.config import Settings
from talkback.context import Context
from talkback.core.funding_rules import CampaignDraft
from talkback.funding.campaigns import create_campaign, find_campaign
from talkback.funding.stripe_gateway import sign_payload
from talkback.sites.sites import create_site
from talkback.store.migrate import migrate

SITE = "bench"
SECRET = "whsec_bench"
WEBHOOK = "/api/v1/webhooks/stripe"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def bare_receiver() -> Starlette:
    async def receive(request: Request) -> JSONResponse:
        payload = await request.body()
        stripe.WebhookSignature.verify_header(
            payload.decode(), request.headers["stripe-signature"], SECRET, 300
        )
        json.loads(payload)
        return JSONResponse({"received": True})

    return Starlette(routes=[Route(WEBHOOK, receive, methods=["POST"])])


def gift(campaign_id: int, n: int) -> bytes:
    event = {
        "id": f"evt_{n}", "type": "checkout.session.completed",
        "data": {"object": {
            "id": f"cs_bench_{n}", "amount_total": 500 + n % 7 * 100, "currency": "usd",
            "payment_status": "paid", "payment_intent": f"pi_bench_{n}",
            "metadata": {"talkback_site": SITE, "talkback_campaign": str(campaign_id)},
        }},
    }  # fmt: skip
    return json.dumps(event, separators=(",", ":")).encode()


@asynccontextmanager
async def database(backend: str) -> AsyncIterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        return
    name = f"talkback_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


async def run(events: int, concurrency: int, backend: str) -> list[dict[str, float | str]]:
    async with database(backend) as url:
        settings = Settings(database_url=url, secret_key="bench", rate_limits="off",
                            stripe_webhook_secret=SECRET, broker_url="memory://")  # fmt: skip
        app = create_app(settings)
        context: Context = app.state.context
        await migrate(context.database)
        site = await create_site(context.database, SITE, name="Bench", origins=[])
        draft = CampaignDraft(title="Bench", currency="USD", goal=Decimal(10**9))
        campaign = await create_campaign(context, site, draft, current=True)
        bodies = [gift(campaign.id, n) for n in range(events)]
        results = []
        async with app.router.lifespan_context(app):
            ours = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))
            bare = httpx.ASGITransport(app=bare_receiver(), client=("127.0.0.1", 1))
            rows = (("talkback: new gifts", ours), ("talkback: replays", ours),
                    ("bare receiver", bare))  # fmt: skip
            for name, transport in rows:
                async with httpx.AsyncClient(transport=transport, base_url="http://b") as client:

                    async def deliver(n: int, client: httpx.AsyncClient = client) -> httpx.Response:
                        body = bodies[n]
                        signature = sign_payload(body, SECRET, int(time.time()))
                        return await client.post(
                            WEBHOOK, content=body, headers={"Stripe-Signature": signature}
                        )

                    seconds, latencies = await drive(deliver, events, concurrency, ok=(200,))
                    results.append(summary(name, seconds, latencies, unit="events"))
            total = (await find_campaign(context, site, campaign.id)).raised_minor
        expected = sum(500 + n % 7 * 100 for n in range(events))
        if total != expected:
            raise RuntimeError(f"raised {total} minor units, expected {expected}")
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000, choices=range(100, 20_001),
                        metavar="100..20000")  # fmt: skip
    parser.add_argument("--concurrency", type=int, default=16, choices=range(1, 257),
                        metavar="1..256")  # fmt: skip
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)
    results: list[dict[str, Any]] = asyncio.run(run(args.events, args.concurrency, args.backend))
    for row in results:
        print("  ".join(f"{key}={value}" for key, value in row.items()))
    bare = results[-1]["events_per_second"]
    for row in results[:-1]:
        print(f"{row['target']} / bare receiver: {row['events_per_second'] / bare:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
