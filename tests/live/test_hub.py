"""Fan-out inside one process, and what happens to a reader who falls behind."""

from __future__ import annotations

import asyncio

from talkback.live.hub import HEARTBEAT, QUEUE_LIMIT, Hub, LiveEvent


async def test_events_reach_every_subscriber_of_the_channel_only() -> None:
    hub = Hub()
    async with (
        hub.subscribe("a") as first,
        hub.subscribe("a") as second,
        hub.subscribe("b") as other,
    ):
        hub.deliver("a", LiveEvent("comment.created", {"id": 1}))
        for subscription in (first, second):
            event = await asyncio.wait_for(anext(subscription.events()), 1)
            assert event == LiveEvent("comment.created", {"id": 1})
        assert hub.listeners("b") == 1
        assert other.offer(LiveEvent("probe", {}))  # nothing was queued for "b"
    assert hub.listeners("a") == 0


async def test_a_reader_who_falls_behind_is_cut_off() -> None:
    hub = Hub()
    async with hub.subscribe("a") as slow:
        told: list[str] = []
        slow.when_closed(lambda: told.append("closed"))
        for n in range(QUEUE_LIMIT + 1):
            hub.deliver("a", LiveEvent("vote", {"n": n}))
        assert hub.listeners("a") == 0
        assert told == ["closed"]
        received = [event async for event in slow.events()]
        assert received == []


async def test_a_stalled_reader_does_not_hold_up_the_others() -> None:
    hub = Hub()
    async with hub.subscribe("a"), hub.subscribe("a") as reading:
        heard = aiter(reading.events())
        for n in range(2 * QUEUE_LIMIT):
            hub.deliver("a", LiveEvent("vote", {"n": n}))
            assert (await asyncio.wait_for(anext(heard), 1)).data == {"n": n}
        assert hub.listeners("a") == 1


async def test_each_event_is_encoded_once_as_the_bytes_streams_send() -> None:
    event = LiveEvent("comment.created", {"html": "<p>Grüße</p>", "count": 2})
    assert event.frame == (
        'event: comment.created\r\ndata: {"html":"<p>Grüße</p>","count":2}\r\n\r\n'.encode()
    )
    hub = Hub()
    async with hub.subscribe("a") as subscription:
        hub.deliver("a", event)
        frames = aiter(subscription.frames(heartbeat_seconds=0.05))
        assert await asyncio.wait_for(anext(frames), 1) is event.frame
        assert await asyncio.wait_for(anext(frames), 1) == HEARTBEAT == b": ping\r\n\r\n"
