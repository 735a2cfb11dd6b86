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
    SECRET,
    SITE,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    Certificates,
    Cluster,
    Nginx,
    Node,
    talkback,
)
from tests.deploy.configs import (
    MIGRATE_UNIT,
    WEB_UNIT,
    WORKER_UNIT,
    NginxSite,
    unit_command,
    unit_process_environment,
)
from tests.mail_sink import MailSink, free_port
from tests.outbox.harness import WorkerProcess

REDIS_DB = 13
"""A Redis database of its own, flushed before and after (pub/sub channels are shared by
all databases; the site id `deploy` keeps its channels apart)."""
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"

TEST_ONLY = {
    # The traffic loops post hundreds of comments from one address; rate limits across
    # nodes are tested in tests/scaleout/.
    "TALKBACK_RATE_LIMITS": "off",
    "TALKBACK_OUTBOX_POLL_SECONDS": "0.1",
}


def settings_values(
    database_url: str, data_dir: Path, public_url: str, smtp_url: str
) -> dict[str, str]:
    """This run's values for every key of deploy/talkback.env."""
    return {
        "TALKBACK_SECRET_KEY": SECRET,
        "TALKBACK_DATABASE_URL": database_url,
        "TALKBACK_BROKER_URL": REDIS_URL,
        "TALKBACK_PUBLIC_URL": public_url,
        "TALKBACK_SMTP_URL": smtp_url,
        "TALKBACK_MAIL_FROM": "comments@news.example",
        "TALKBACK_DATA_DIR": str(data_dir),
        # nginx reaches the nodes from 127.0.0.1; the tests' other clients use 127.0.0.2-3.
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
    }


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
        values = settings_values(
            database_url, tmp / "data", f"https://127.0.0.1:{tls_port}", mail.url
        )
        talkback(unit_process_environment(MIGRATE_UNIT, values), *unit_command(MIGRATE_UNIT))
        admin_env = unit_process_environment(WEB_UNIT, values)
        talkback(admin_env, "site", "add", SITE, "--name", "Deploy News", "--origin", ORIGIN)
        talkback(
            admin_env, "user", "add", STAFF_EMAIL, "--role", "admin", "--password-stdin",
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
