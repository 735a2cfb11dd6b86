"""Many readers opening a thread nobody has read for a while cost the database one read.

Under load every connection asks for such a thread at the same moment (an article a push
notification has just sent readers to); each used to look up the site, the thread's state
and the page by itself, and the copies queued behind each other (issue 13's p99 tail).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tests.api.conftest import ARTICLE, SITE, Api

READERS = 24


@contextmanager
def statements_run(api: Api) -> Iterator[list[str]]:
    """The reads of sites, threads and comments run meanwhile (the outbox worker's polls,
    checkpoints and transactions' BEGINs are not counted)."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        statement = str(args[2])
        if statement.startswith(("SELECT", "WITH")) and "FROM outbox" not in statement:
            statements.append(statement.split("\n")[0][:60])

    engine = api.context.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def forget_site_and_thread(api: Api) -> None:
    """As after a quiet spell: this process's copies of the site and the thread expired."""
    api.context.sites.forget(SITE)
    api.context.threads.forget(SITE, ARTICLE)


async def test_readers_arriving_together_share_one_read_of_the_page(api: Api) -> None:
    await api.posted("Read by everyone at once")
    forget_site_and_thread(api)
    with statements_run(api) as statements:
        pages = await asyncio.gather(*(api.client.get(
            f"/api/v1/{SITE}/comments", params={"uri": ARTICLE}) for _ in range(READERS)
        ))  # fmt: skip
    assert {page.status_code for page in pages} == {200}
    assert len({(page.content, page.headers["etag"]) for page in pages}) == 1
    assert "Read by everyone at once" in pages[0].text
    # The site, the thread's state, the page: once each, not once per reader.
    assert len(statements) == 3, statements


async def test_readers_arriving_together_share_one_read_of_the_counts(api: Api) -> None:
    await api.posted("Counted")
    forget_site_and_thread(api)
    uris = {"uri": [ARTICLE, "/2026/11/no-comments-yet"]}
    with statements_run(api) as statements:
        answers = await asyncio.gather(*(
            api.client.get(f"/api/v1/{SITE}/counts", params=uris) for _ in range(READERS)
        ))  # fmt: skip
    expected = {"counts": {ARTICLE: 1, "/2026/11/no-comments-yet": 0}}
    assert [answer.json() for answer in answers] == [expected] * READERS
    assert len(statements) == 2, statements  # the site, then the threads' states


async def test_an_unknown_site_is_refused_to_every_reader_at_once(api: Api) -> None:
    answers = await asyncio.gather(*(
        api.client.get("/api/v1/nowhere/comments", params={"uri": ARTICLE}) for _ in range(8)
    ))  # fmt: skip
    assert {answer.status_code for answer in answers} == {404}
    assert len({answer.content for answer in answers}) == 1
