"""Acknowledged votes and gifts survive kill -9: readers vote and Stripe delivers signed
`checkout.session.completed` webhooks while the server is killed mid-load; after a restart
every vote answered 200 is the reader's vote, every gift answered `recorded` is counted
once (Stripe's redelivery of it is a `duplicate`), and the totals agree with the records.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.durability.test_kill_nine import (
    ORIGIN,
    REQUEST_TIMEOUT,
    SITE,
    STOP_TIMEOUT,
    TALKBACK,
    THREADS,
    ServerProcess,
    run_cli,
    running_server,
    talkback_env,
)
from tests.stripe_events import WEBHOOK_PATH, checkout_completed, encode, signature_header

WEBHOOK_SECRET = "whsec_durability"
READERS = 12
COMMENTS_PER_THREAD = 12
KILL_AFTER = 150  # acknowledged votes and gifts before the kill
LOAD_TIMEOUT = 30.0
CAMPAIGN = {
    "type": "campaign", "id": "desk", "title": "Keep the barrier desk open",
    "currency": "USD", "goal_minor": 100_000_000, "status": "open", "is_current": True,
    "created_at": "2026-11-01T00:00:00Z",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Gift:
    session_id: str
    amount_minor: int
    body: bytes


@dataclass
class Outcome:
    votes: set[tuple[int, int]] = field(default_factory=set)  # (reader, comment) answered 200
    gifts: dict[str, Gift] = field(default_factory=dict)  # session id -> answered `recorded`
    attempted_gifts: dict[str, Gift] = field(default_factory=dict)
    attempted_votes: set[tuple[int, int]] = field(default_factory=set)
    in_flight_at_kill: int = 0
    in_flight: int = 0
    failures: list[str] = field(default_factory=list)
    killed: bool = False

    @property
    def acknowledged(self) -> int:
        return len(self.votes) + len(self.gifts)


def setup(env: dict[str, str], tmp_path: Path) -> None:
    run_cli(env, "migrate")
    run_cli(env, "site", "add", SITE, "--name", "The Durable Times", "--origin", ORIGIN)
    campaign = tmp_path / "campaign.jsonl"
    header = {"format": "talkback-export", "version": 1}
    campaign.write_text(f"{json.dumps(header)}\n{json.dumps(CAMPAIGN)}\n")
    run_cli(env, "import", "talkback", str(campaign), "--site", SITE)


async def prepare(url: str) -> tuple[int, list[int], list[str]]:
    """The campaign's id, comments to vote on, and one reader token per reader (from /me,
    as a widget gets its own)."""
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT) as client:
        campaign = (await client.get(f"/api/v1/{SITE}/campaigns/current")).json()
        comments: list[int] = []
        for uri in THREADS:
            for n in range(COMMENTS_PER_THREAD):
                text = f"Point {n} on {uri}: the costs need a second look."
                answer = await client.post(
                    f"/api/v1/{SITE}/comments", params={"uri": uri}, json={"text": text}
                )
                assert answer.status_code == 201, answer.text
                comments.append(answer.json()["comment"]["id"])
        tokens = []
        for _ in range(READERS):
            me = await client.get(f"/api/v1/{SITE}/me", params={"uri": THREADS[0]})
            tokens.append(me.json()["reader_token"])
    return int(campaign["id"]), comments, tokens


def gift(reader: int, n: int, campaign_id: int) -> Gift:
    session_id = f"cs_test_durable_{reader}_{n}"
    amount = 500 + 100 * reader + n
    event = checkout_completed(
        session_id=session_id, site=SITE, campaign_id=campaign_id, amount_minor=amount,
        currency="USD", donor_name=f"Reader {reader}",
    )  # fmt: skip
    return Gift(session_id, amount, encode(event))


async def deliver(client: httpx.AsyncClient, one: Gift) -> httpx.Response:
    headers = {"Stripe-Signature": signature_header(one.body, WEBHOOK_SECRET),
               "Content-Type": "application/json"}  # fmt: skip
    return await client.post(WEBHOOK_PATH, content=one.body, headers=headers)


async def vote_and_give_until_killed(
    server: ServerProcess, campaign_id: int, comments: list[int], tokens: list[str]
) -> Outcome:
    """Each reader alternately upvotes the next comment and gives a gift; once KILL_AFTER
    are acknowledged (or LOAD_TIMEOUT passes) the server gets SIGKILL mid-request."""
    outcome = Outcome()
    killed = asyncio.Event()

    def kill() -> None:
        if killed.is_set() or server.process.poll() is not None:
            return
        outcome.in_flight_at_kill = outcome.in_flight
        server.kill_nine()
        outcome.killed = True
        killed.set()

    async def reader(number: int) -> None:
        headers = {"X-Talkback-Reader": tokens[number]}
        async with httpx.AsyncClient(
            base_url=server.url, timeout=REQUEST_TIMEOUT, headers=headers
        ) as client:
            for n in range(2 * len(comments)):
                if killed.is_set():
                    return
                outcome.in_flight += 1
                try:
                    if n % 2 == 0:
                        comment = comments[(number * 5 + n // 2) % len(comments)]
                        outcome.attempted_votes.add((number, comment))
                        answer = await client.post(
                            f"/api/v1/{SITE}/comments/{comment}/vote", json={"value": 1}
                        )
                        if answer.status_code == 200:
                            outcome.votes.add((number, comment))
                    else:
                        one = gift(number, n, campaign_id)
                        outcome.attempted_gifts[one.session_id] = one
                        answer = await deliver(client, one)
                        if answer.status_code == 200 and answer.json()["outcome"] == "recorded":
                            outcome.gifts[one.session_id] = one
                except httpx.TransportError as exc:
                    if not killed.is_set():
                        outcome.failures.append(f"{type(exc).__name__}: {exc}")
                    return
                finally:
                    outcome.in_flight -= 1
                if answer.status_code != 200:
                    outcome.failures.append(f"{answer.status_code} {answer.text[:200]}")
                elif outcome.acknowledged >= KILL_AFTER:
                    kill()

    async def watchdog() -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(killed.wait(), LOAD_TIMEOUT)
        kill()

    await asyncio.wait_for(
        asyncio.gather(watchdog(), *(reader(n) for n in range(READERS))),
        LOAD_TIMEOUT + REQUEST_TIMEOUT + 10,
    )
    return outcome


@dataclass
class Found:
    votes: set[tuple[int, int]]
    upvotes: dict[int, int]  # comment -> its public count
    donors_before_redelivery: int
    redelivered: dict[str, str]  # session id -> outcome of Stripe's retry
    campaign: dict[str, object]


async def look(url: str, tokens: list[str], outcome: Outcome, campaign_id: int) -> Found:
    """What the restarted server holds, through its API: each reader's votes, each
    comment's counts, the campaign before and after Stripe retries every gift."""
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT) as client:
        votes: set[tuple[int, int]] = set()
        for number, token in enumerate(tokens):
            for uri in THREADS:
                me = await client.get(
                    f"/api/v1/{SITE}/me",
                    params={"uri": uri},
                    headers={"X-Talkback-Reader": token},
                )
                assert me.status_code == 200, me.text
                for comment, value in me.json()["votes"].items():
                    assert value == 1, f"reader {number} comment {comment}: vote {value}"
                    votes.add((number, int(comment)))
        upvotes: dict[int, int] = {}
        for uri in THREADS:
            page = await client.get(
                f"/api/v1/{SITE}/comments", params={"uri": uri, "sort": "oldest", "limit": 100}
            )
            assert page.status_code == 200, page.text
            upvotes.update({c["id"]: c["upvotes"] for c in page.json()["comments"]})
        before = (await client.get(f"/api/v1/{SITE}/campaigns/{campaign_id}")).json()
        redelivered = {}
        for session_id, one in outcome.attempted_gifts.items():
            answer = await deliver(client, one)
            assert answer.status_code == 200, answer.text
            redelivered[session_id] = answer.json()["outcome"]
        after = (await client.get(f"/api/v1/{SITE}/campaigns/{campaign_id}")).json()
    return Found(votes, upvotes, int(before["donors"]), redelivered, after)


def exported_donations(env: dict[str, str]) -> tuple[list[dict[str, object]], int]:
    """The site's donations and the campaign's raised total, from `talkback export`."""
    done = subprocess.run(
        [str(TALKBACK), "export", "--site", SITE],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    records = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    donations = [r for r in records if r.get("type") == "donation"]
    (campaign,) = [r for r in records if r.get("type") == "campaign"]
    return donations, int(campaign["raised_minor"])


def test_every_acknowledged_vote_and_gift_survives_kill_nine(
    durable_database: str, tmp_path: Path
) -> None:
    backend = durable_database.split("+", 1)[0]
    env = talkback_env(durable_database, tmp_path) | {
        "TALKBACK_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET
    }
    setup(env, tmp_path)
    log_path = tmp_path / "server.log"
    with running_server(env, log_path) as server:
        campaign_id, comments, tokens = asyncio.run(prepare(server.url))
        outcome = asyncio.run(vote_and_give_until_killed(server, campaign_id, comments, tokens))
        assert server.process.wait(timeout=STOP_TIMEOUT) == -signal.SIGKILL
    assert outcome.killed, f"the server died before the kill:\n{log_path.read_text()[-3000:]}"
    assert not outcome.failures, outcome.failures[:5]
    assert outcome.acknowledged >= KILL_AFTER, "the load never got going"

    with running_server(env, log_path) as server:
        found = asyncio.run(look(server.url, tokens, outcome, campaign_id))
        server.stop()
    donations, raised_minor = exported_donations(env)

    lost_votes = outcome.votes - found.votes
    assert not lost_votes, f"{backend}: acknowledged votes lost: {sorted(lost_votes)[:20]}"
    assert found.votes <= outcome.attempted_votes, "a vote nobody cast"
    for comment, count in found.upvotes.items():
        voters = sum(1 for _reader, voted in found.votes if voted == comment)
        assert count == voters, f"{backend}: comment {comment} shows {count}, {voters} voted"
    lost_gifts = [s for s in outcome.gifts if found.redelivered[s] != "duplicate"]
    assert not lost_gifts, f"{backend}: acknowledged gifts lost: {lost_gifts[:20]}"
    refs = [str(d["provider_ref"]) for d in donations]
    assert sorted(refs) == sorted(outcome.attempted_gifts), f"{backend}: gifts not there once"
    total = sum(one.amount_minor for one in outcome.attempted_gifts.values())
    assert sum(int(str(d["amount_minor"])) for d in donations) == total == raised_minor
    assert found.campaign["donors"] == len(outcome.attempted_gifts)
    print(
        f"\n[{backend}] votes acknowledged {len(outcome.votes)}, found {len(found.votes)} "
        f"(attempted {len(outcome.attempted_votes)}); gifts acknowledged {len(outcome.gifts)}, "
        f"found before Stripe's retries {found.donors_before_redelivery} "
        f"(attempted {len(outcome.attempted_gifts)}), after the retries "
        f"{len(donations)} once each; in flight at the kill {outcome.in_flight_at_kill}"
    )
