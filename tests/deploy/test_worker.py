"""The outbox worker of the layout (deploy/systemd/talkback-worker.service) sends what is
queued while the web nodes run with TALKBACK_OUTBOX_WORKER=off, as their unit sets."""

from __future__ import annotations

import asyncio

import pytest

from tests.deploy.cluster import Cluster, talkback
from tests.outbox.harness import poll

pytestmark = pytest.mark.services


async def test_the_worker_delivers_mail_queued_on_the_command_line(cluster: Cluster) -> None:
    address = "newsroom@news.example"
    await asyncio.to_thread(talkback, cluster.env, "mail", "check", address)

    async def arrived() -> bool:
        return bool(cluster.mail.to(address))

    await poll(arrived, within=60, what="the check mail at the SMTP server")
    assert len(cluster.mail.to(address)) == 1
