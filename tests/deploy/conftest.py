"""One production layout for the whole deploy test run: PostgreSQL, Redis, two nodes, the
outbox worker and nginx with TLS, started once (a node takes seconds to load its
classifier) and left with both nodes up by every test."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.conftest import port_open, skip_or_fail, throwaway_postgres_database
from tests.deploy.cluster import (
    NGINX,
    ORIGIN,
    REDIS_URL,
    SITE,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    TEST_ONLY,
    Certificates,
    Cluster,
    Nginx,
    Node,
    settings_values,
    talkback,
    talkback_as_operator,
)
from tests.deploy.configs import (
    MIGRATE_UNIT,
    WEB_UNIT,
    WORKER_UNIT,
    NginxSite,
    render_env_file,
    unit_command,
    unit_process_environment,
)
from tests.mail_sink import MailSink, free_port
from tests.outbox.harness import WorkerProcess


def _flush_redis() -> None:
    with redis.Redis.from_url(REDIS_URL) as client:
        client.flushdb()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if not port_open("127.0.0.1", 6379):
        skip_or_fail("Redis is not reachable on 127.0.0.1:6379")
    if not Path(NGINX).exists():
        skip_or_fail("nginx is not installed (Debian: apt-get install nginx-light)")
    with throwaway_postgres_database("talkback_deploy") as database_url:
        tmp = tmp_path_factory.mktemp("deploy")
        _flush_redis()
        mail = MailSink()
        mail.start()
        tls_port, http_port = free_port(), free_port()
        public_url = f"https://127.0.0.1:{tls_port}"
        values = settings_values(
            database_url, tmp / "data", public_url=public_url, smtp_url=mail.url
        )
        talkback(unit_process_environment(MIGRATE_UNIT, values), *unit_command(MIGRATE_UNIT))
        env_file = tmp / "talkback.env"
        env_file.write_text(render_env_file(values))
        talkback_as_operator(env_file, "site", "add", SITE, "--name", "Deploy News",
                             "--origin", ORIGIN)  # fmt: skip
        talkback_as_operator(
            env_file, "user", "add", STAFF_EMAIL, "--role", "admin", "--password-stdin",
            stdin=STAFF_PASSWORD + "\n",
        )  # fmt: skip
        web_env = unit_process_environment(WEB_UNIT, values, **TEST_ONLY)
        node_a = Node("node-a", web_env, WEB_UNIT, tmp)
        node_b = Node("node-b", web_env, WEB_UNIT, tmp)
        worker = WorkerProcess(
            unit_process_environment(WORKER_UNIT, values, **TEST_ONLY),
            tmp / "worker.log",
            *unit_command(WORKER_UNIT),
        )
        certificates = Certificates(tmp)
        nginx_prefix = tmp / "nginx"
        nginx_prefix.mkdir()
        site = NginxSite(
            tls_port, http_port, (node_a.port, node_b.port), certificates.certificate,
            certificates.key,
        )  # fmt: skip
        nginx = Nginx(nginx_prefix, site)
        running = Cluster(
            database_url, web_env, node_a, node_b, worker, nginx, certificates, mail, tmp
        )

        async def start() -> None:
            await asyncio.gather(node_a.start(), node_b.start(), worker.ready())
            await nginx.answering(running.url, certificates.client_context())

        try:
            nginx.launch()
            asyncio.run(start())
            yield running
        finally:
            nginx.close()
            for node in (node_a, node_b):
                node.close()
            worker.ensure_gone()
            mail.stop()
            _flush_redis()
