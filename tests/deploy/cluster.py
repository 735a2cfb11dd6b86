"""A production layout on loopback: two `talkback serve` nodes and a `talkback worker` on
one PostgreSQL database and Redis, behind nginx with TLS, each a real process started from
the files in deploy/ (see configs.py)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import trustme

from tests.deploy.configs import NginxSite, nginx_main_config, unit_command
from tests.mail_sink import MailSink, free_port
from tests.outbox.harness import WorkerProcess, poll

SITE = "deploy"
ORIGIN = "https://news.example"
SECRET = "deploy-test-secret-key"
STAFF_EMAIL = "ops@news.example"
STAFF_PASSWORD = "correct horse battery staple"
START_WITHIN = 90.0
"""Seconds a process gets to come up; a bound for the wait, not a measured claim."""
REDIS_URL = "redis://127.0.0.1:6379/13"
"""A Redis database of its own, flushed before and after (pub/sub channels are shared by
all databases; the site id `deploy` keeps its channels apart)."""
TEST_ONLY = {
    # The traffic loops post hundreds of comments from one address; rate limits across
    # nodes are tested in tests/scaleout/.
    "TALKBACK_RATE_LIMITS": "off",
    "TALKBACK_OUTBOX_POLL_SECONDS": "0.1",
}
REQUEST_TIMEOUT = 30.0
"""Seconds a request may take on a machine shared with benchmarks; a bound, not a claim."""
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def settings_values(
    database_url: str, data_dir: Path, *, public_url: str, smtp_url: str,
    broker_url: str = REDIS_URL,
) -> dict[str, str]:  # fmt: skip
    """This run's values for every key of deploy/talkback.env."""
    return {
        "TALKBACK_SECRET_KEY": SECRET,
        "TALKBACK_DATABASE_URL": database_url,
        "TALKBACK_BROKER_URL": broker_url,
        "TALKBACK_PUBLIC_URL": public_url,
        "TALKBACK_SMTP_URL": smtp_url,
        "TALKBACK_MAIL_FROM": "comments@news.example",
        "TALKBACK_DATA_DIR": str(data_dir),
        # nginx reaches the nodes from 127.0.0.1; the tests' other clients use 127.0.0.2-3.
        "TALKBACK_TRUSTED_PROXIES": "127.0.0.1",
    }


class Node:
    """One `talkback serve` process, started from the web unit's ExecStart on a fixed port,
    so nginx finds it again after a restart."""

    def __init__(self, name: str, env: dict[str, str], unit: Path, log_dir: Path) -> None:
        self.name = name
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # One worker process a node: the machine has two cores for two nodes and nginx.
        self.args = unit_command(unit, host="127.0.0.1", port=str(self.port), workers="1")
        self.log_path = log_dir / f"{name}.log"
        self.process: WorkerProcess | None = None

    async def start(self) -> None:
        """Start and wait until /readyz answers 200: database, schema, broker and model
        ready, as the upgrade procedure waits before nginx sends the node traffic again."""
        process = self.process = WorkerProcess(self.env, self.log_path, *self.args)

        async def healthy() -> bool:
            if process.process.poll() is not None:
                raise AssertionError(f"{self.name} exited early:\n{process.output()[-3000:]}")
            try:
                async with httpx.AsyncClient(timeout=5) as client:
                    return (await client.get(f"{self.url}/readyz")).status_code == 200
            except httpx.TransportError:
                return False

        await poll(healthy, within=START_WITHIN, what=f"{self.name} healthy", every=0.1)

    def stop(self) -> None:
        """SIGTERM, as systemd stops the unit; uvicorn finishes what it serves, then exits
        (re-raising the signal, so -SIGTERM is a clean exit too)."""
        assert self.process is not None
        code = self.process.stop(signal.SIGTERM)
        assert code in (0, -signal.SIGTERM), f"{self.name} exit {code}:\n{self.output()}"

    def output(self) -> str:
        return self.process.output()[-3000:] if self.process else ""

    def close(self) -> None:
        if self.process is not None:
            self.process.ensure_gone()


class Certificates:
    """A private CA (trustme) and a certificate for 127.0.0.1, as a real one is for the host."""

    def __init__(self, directory: Path) -> None:
        self.authority = trustme.CA()
        issued = self.authority.issue_cert("127.0.0.1", "localhost")
        self.certificate = directory / "fullchain.pem"
        self.key = directory / "privkey.pem"
        issued.cert_chain_pems[0].write_to_path(str(self.certificate))
        for extra in issued.cert_chain_pems[1:]:
            extra.write_to_path(str(self.certificate), append=True)
        issued.private_key_pem.write_to_path(str(self.key))

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.authority.configure_trust(context)
        return context


class Nginx:
    """nginx in the foreground (`daemon off`), everything it writes under `prefix`."""

    def __init__(self, prefix: Path, site: NginxSite) -> None:
        self.prefix = prefix
        self.site = site
        self.site_path = prefix / "talkback.conf"
        self.main_path = prefix / "nginx.conf"
        self.error_log = prefix / "error.log"
        self.site_path.write_text(site.render())
        self.main_path.write_text(nginx_main_config(prefix, self.site_path))
        self._log: IO[bytes] | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def command(self, *extra: str) -> list[str]:
        return [NGINX, "-p", str(self.prefix), "-c", str(self.main_path), "-e",
                str(self.error_log), *extra]  # fmt: skip

    def check(self) -> None:
        """`nginx -t`: the rendered site config is accepted as it stands."""
        done = subprocess.run(self.command("-t"), capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, f"nginx -t:\n{done.stdout}{done.stderr}"

    def launch(self) -> None:
        self.check()
        self._log = (self.prefix / "stderr.log").open("ab")
        self.process = subprocess.Popen(
            self.command(), stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT
        )

    async def answering(self, tls_url: str, context: ssl.SSLContext) -> None:
        """Wait until a request through nginx reaches a node."""

        async def answering() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"nginx exited early:\n{self.log()}")
            try:
                async with httpx.AsyncClient(verify=context, timeout=5) as client:
                    return (await client.get(f"{tls_url}/healthz")).status_code == 200
            except httpx.TransportError:
                return False

        await poll(answering, within=START_WITHIN, what="nginx answering", every=0.1)

    def workers(self) -> set[int]:
        assert self.process is not None
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return {int(child) for child in children}

    async def reload(self, site: NginxSite) -> None:
        """Write `site` and reload, as `nginx -s reload` does (SIGHUP), then wait until the
        workers of the old configuration are gone, so nothing still uses the old upstream."""
        assert self.process is not None
        self.site = site
        self.site_path.write_text(site.render())
        self.check()
        old = self.workers()
        self.process.send_signal(signal.SIGHUP)

        async def reloaded() -> bool:
            current = self.workers()
            return bool(current) and not (current & old)

        await poll(reloaded, within=START_WITHIN, what=f"nginx reload:\n{self.log()}", every=0.05)

    def log(self) -> str:
        return self.error_log.read_text(errors="replace")[-3000:] if self.error_log.exists() else ""

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        if self._log is not None:
            self._log.close()


@dataclass
class Cluster:
    """What the deploy tests share: the nodes, the worker, nginx and how to reach them."""

    database_url: str
    env: dict[str, str]
    node_a: Node
    node_b: Node
    worker: WorkerProcess
    nginx: Nginx
    certificates: Certificates
    mail: MailSink
    tmp: Path

    @property
    def nodes(self) -> tuple[Node, Node]:
        return (self.node_a, self.node_b)

    @property
    def url(self) -> str:
        """The public address: nginx over TLS."""
        return f"https://127.0.0.1:{self.nginx.site.tls_port}"

    @property
    def plain_url(self) -> str:
        return f"http://127.0.0.1:{self.nginx.site.http_port}"

    @asynccontextmanager
    async def client(
        self, *, source: str = "127.0.0.1", keepalive: bool = True, base_url: str | None = None
    ) -> AsyncIterator[httpx.AsyncClient]:
        """A client of nginx (or of `base_url`) connecting from the loopback address
        `source`; without `keepalive` every request opens its own connection."""
        transport = httpx.AsyncHTTPTransport(
            verify=self.certificates.client_context(),
            local_address=source,
            limits=httpx.Limits(max_keepalive_connections=None if keepalive else 0),
        )
        async with httpx.AsyncClient(
            transport=transport, base_url=base_url or self.url, timeout=REQUEST_TIMEOUT
        ) as client:
            yield client


async def post_comment(
    client: httpx.AsyncClient, uri: str, text: str, **fields: object
) -> dict[str, object]:
    """Post through `client`; the comment as answered (201: published at once)."""
    response = await client.post(
        f"/api/v1/{SITE}/comments", params={"uri": uri}, json={"text": text, **fields}
    )
    assert response.status_code == 201, f"{response.status_code} {response.text}"
    comment: dict[str, object] = response.json()["comment"]
    return comment


def talkback(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """`talkback ARGS` as a process, as an operator runs it; its output, or a failed test."""
    done = subprocess.run(
        [sys.executable, "-m", "talkback", *args], env=env, input=stdin, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"talkback {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


OPERATOR_SHELL = 'set -a; . "$0"; set +a; exec "$@"'
"""How docs/deploy.md runs the command by hand: the environment file sourced by a shell."""


def talkback_as_operator(env_file: Path, *args: str, stdin: str | None = None) -> str:
    """`talkback ARGS` with nothing but `env_file` for settings, as the guide's shell
    function runs it (`sh -c '. talkback.env; exec talkback …'`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALKBACK_")}
    command = [sys.executable, "-m", "talkback", *args]
    done = subprocess.run(
        ["sh", "-c", OPERATOR_SHELL, str(env_file), *command], env=env, input=stdin,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"talkback {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


async def stop_in_thread(node: Node) -> None:
    """Stop a node without blocking the event loop that carries the test's traffic."""
    await asyncio.to_thread(node.stop)
