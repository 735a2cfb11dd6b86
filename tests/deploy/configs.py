"""The example configs in deploy/, read and rendered for a run on loopback.

The tests start nginx, the nodes and the worker from these very files, so the files the
deployment guide tells an operator to install are the ones that were seen working. Every
rendering step replaces an exact piece of text and fails if that piece is gone, so a
changed file makes the tests fail loudly rather than test something else.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
NGINX_SITE = DEPLOY / "nginx" / "talkback.conf"
WEB_UNIT = DEPLOY / "systemd" / "talkback.service"
WORKER_UNIT = DEPLOY / "systemd" / "talkback-worker.service"
MIGRATE_UNIT = DEPLOY / "systemd" / "talkback-migrate.service"
UNITS = (WEB_UNIT, WORKER_UNIT, MIGRATE_UNIT)
ENV_TEMPLATE = DEPLOY / "talkback.env"

INSTALLED_TALKBACK = "/opt/talkback/venv/bin/talkback"
"""Where the units expect the command; the tests run this checkout's instead."""
TEST_TALKBACK = str(Path(sys.executable).parent / "talkback")
EXAMPLE_NODES = ("10.0.0.11:8000", "10.0.0.12:8000")
EXAMPLE_CERTIFICATE = "/etc/letsencrypt/live/comments.example.org/fullchain.pem"
EXAMPLE_KEY = "/etc/letsencrypt/live/comments.example.org/privkey.pem"


def replace_exactly(text: str, old: str, new: str, *, count: int = 1) -> str:
    """`text` with `old` replaced, which must occur exactly `count` times."""
    found = text.count(old)
    assert found == count, f"expected {old!r} {count} time(s) in the config, found {found}"
    return text.replace(old, new)


@dataclass(frozen=True, slots=True)
class NginxSite:
    """deploy/nginx/talkback.conf as a test runs it: loopback ports and a test certificate.

    `down` holds indexes into `nodes` marked `down`, as an operator drains a node.
    """

    tls_port: int
    http_port: int
    nodes: tuple[int, ...]
    certificate: Path
    key: Path
    down: frozenset[int] = field(default_factory=frozenset)

    def render(self) -> str:
        text = NGINX_SITE.read_text()
        assert len(self.nodes) == len(EXAMPLE_NODES), "the example upstream has two nodes"
        for index, (example, port) in enumerate(zip(EXAMPLE_NODES, self.nodes, strict=True)):
            flag = " down" if index in self.down else ""
            text = replace_exactly(text, f"server {example} ", f"server 127.0.0.1:{port}{flag} ")
        text = replace_exactly(text, "listen [::]:443 ssl http2;", "# (no IPv6 in the test)")
        text = replace_exactly(text, "listen [::]:80;", "# (no IPv6 in the test)")
        text = replace_exactly(
            text, "listen 443 ssl http2;", f"listen 127.0.0.1:{self.tls_port} ssl http2;"
        )
        text = replace_exactly(text, "listen 80;", f"listen 127.0.0.1:{self.http_port};")
        text = replace_exactly(text, EXAMPLE_CERTIFICATE, str(self.certificate))
        return replace_exactly(text, EXAMPLE_KEY, str(self.key))

    def drained(self, index: int) -> NginxSite:
        return NginxSite(
            self.tls_port, self.http_port, self.nodes, self.certificate, self.key,
            frozenset({index}),
        )  # fmt: skip

    def undrained(self) -> NginxSite:
        return NginxSite(self.tls_port, self.http_port, self.nodes, self.certificate, self.key)


def nginx_main_config(prefix: Path, site: Path) -> str:
    """The nginx.conf around the site file, as Debian's includes sites-enabled/, with
    everything nginx writes kept under `prefix`. `worker_shutdown_timeout` is the setting
    docs/deploy.md adds to nginx.conf so a reload does not wait on open streams forever."""
    temp = {name: prefix / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} notice;\nworker_shutdown_timeout 10s;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        f"    access_log {prefix / 'access.log'};\n"
        f"    client_body_temp_path {temp['body']};\n"
        f"    proxy_temp_path {temp['proxy']};\n"
        f"    fastcgi_temp_path {temp['fastcgi']};\n"
        f"    uwsgi_temp_path {temp['uwsgi']};\n"
        f"    scgi_temp_path {temp['scgi']};\n"
        f"    include {site};\n"
        "}\n"
    )


def _service_lines(unit: Path) -> list[tuple[str, str]]:
    """The `Key=value` lines of a unit's [Service] section, in order (keys repeat)."""
    section = ""
    lines: list[tuple[str, str]] = []
    for raw in unit.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]":
            key, _, value = line.partition("=")
            lines.append((key.strip(), value.strip()))
    return lines


def unit_command(unit: Path, **options: str) -> list[str]:
    """The unit's ExecStart as `talkback` arguments, with option values replaced:
    `unit_command(WEB_UNIT, port="8123")` swaps the value after `--port`."""
    commands = [value for key, value in _service_lines(unit) if key == "ExecStart"]
    assert len(commands) == 1, f"{unit.name}: expected one ExecStart, found {commands}"
    argv = shlex.split(commands[0])
    assert argv[0] == INSTALLED_TALKBACK, f"{unit.name} runs {argv[0]}"
    args = argv[1:]
    for name, value in options.items():
        flag = f"--{name}"
        assert flag in args, f"{unit.name}: no {flag} in {args}"
        args[args.index(flag) + 1] = value
    return args


def unit_environment(unit: Path) -> dict[str, str]:
    """The unit's own `Environment=` assignments."""
    assignments: dict[str, str] = {}
    for key, value in _service_lines(unit):
        if key == "Environment":
            for item in shlex.split(value):
                name, _, setting = item.partition("=")
                assignments[name] = setting
    return assignments


def env_template() -> dict[str, str]:
    """The active `KEY=value` lines of deploy/talkback.env."""
    values: dict[str, str] = {}
    for raw in ENV_TEMPLATE.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def env_template_names() -> list[str]:
    """Every name the template sets or shows commented out (`#TALKBACK_…=`)."""
    names = []
    for raw in ENV_TEMPLATE.read_text().splitlines():
        line = raw.strip().removeprefix("#").strip()
        name, equals, _ = line.partition("=")
        if equals and name.isupper() and " " not in name:
            names.append(name)
    return names


def render_env_file(values: dict[str, str]) -> str:
    """deploy/talkback.env with this run's `values` in place of the examples, comments kept."""
    assert values.keys() == env_template().keys(), "a value for every key of the template"
    lines = []
    for raw in ENV_TEMPLATE.read_text().splitlines():
        key, equals, _ = raw.partition("=")
        active = equals and not raw.lstrip().startswith("#")
        lines.append(f"{key}={values[key]}" if active else raw)
    return "\n".join(lines) + "\n"


def unit_process_environment(unit: Path, values: dict[str, str], **extra: str) -> dict[str, str]:
    """The environment systemd would give the unit: the unit's `Environment=`, then the
    environment file (it wins, as with systemd), here with this test's `values` for
    every key the template sets. `extra` is what only the test adds (said where used)."""
    template = env_template()
    assert values.keys() == template.keys(), (
        f"the test must give a value to every key of {ENV_TEMPLATE.name}: "
        f"missing {sorted(template.keys() - values.keys())}, "
        f"unknown {sorted(values.keys() - template.keys())}"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TALKBACK_") and k != "FORWARDED_ALLOW_IPS"
    }
    env.update(unit_environment(unit))
    env.update(values)
    env.update(extra)
    return env
