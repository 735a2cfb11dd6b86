"""The files in deploy/ stay true to Talkback without any service: settings that exist,
commands and options the CLI has, units systemd accepts, a site config nginx accepts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from talkback.config import Settings
from tests.conftest import skip_or_fail
from tests.deploy.cluster import NGINX, Certificates, Nginx
from tests.deploy.configs import (
    INSTALLED_TALKBACK,
    TEST_TALKBACK,
    UNITS,
    WEB_UNIT,
    NginxSite,
    env_template,
    env_template_names,
    unit_command,
    unit_environment,
)
from tests.mail_sink import free_port


def test_the_environment_template_names_only_settings_that_exist() -> None:
    fields = set(Settings.model_fields)
    for name in env_template_names():
        assert name.startswith("TALKBACK_"), f"{name} is not a Talkback setting"
        assert name.removeprefix("TALKBACK_").lower() in fields, f"{name} is no setting"
    assert set(env_template()) >= {
        "TALKBACK_SECRET_KEY", "TALKBACK_DATABASE_URL", "TALKBACK_BROKER_URL",
        "TALKBACK_PUBLIC_URL", "TALKBACK_TRUSTED_PROXIES",
    }  # fmt: skip


def test_the_environment_template_values_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Placeholders and all, the template's values are of the right kind."""
    for name in list(Settings.model_fields):
        monkeypatch.delenv(f"TALKBACK_{name.upper()}", raising=False)
    monkeypatch.delenv("TALKBACK_CONFIG", raising=False)
    for name, value in env_template().items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.broker_url.startswith("redis://")
    assert settings.resolved_database_url.startswith("postgresql+asyncpg://")


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_each_unit_runs_a_command_and_options_talkback_has(unit: Path) -> None:
    """`talkback ARGS --help` fails on an unknown command or option before it helps."""
    done = subprocess.run(
        [sys.executable, "-m", "talkback", *unit_command(unit), "--help"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{unit.name}: {done.stdout}{done.stderr}"


def test_web_nodes_leave_delivery_to_the_worker_unit() -> None:
    assert unit_environment(WEB_UNIT)["TALKBACK_OUTBOX_WORKER"] == "off"
    assert "TALKBACK_OUTBOX_WORKER" not in env_template(), "it would win over the unit's"


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    """`systemd-analyze verify`, with this checkout's talkback where the units expect the
    installed one (it checks that the command exists)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (no systemd on this machine)")
    rendered = []
    for unit in UNITS:
        text = unit.read_text()
        assert INSTALLED_TALKBACK in text
        path = tmp_path / unit.name
        path.write_text(text.replace(INSTALLED_TALKBACK, TEST_TALKBACK))
        rendered.append(str(path))
    done = subprocess.run(
        [analyze, "verify", "--man=no", *rendered],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout + done.stderr == "", "systemd warns about the units"


def test_nginx_accepts_the_site_config(tmp_path: Path) -> None:
    if not Path(NGINX).exists():
        skip_or_fail("nginx is not installed (Debian: apt-get install nginx-light)")
    certificates = Certificates(tmp_path)
    site = NginxSite(
        free_port(), free_port(), (free_port(), free_port()), certificates.certificate,
        certificates.key,
    )  # fmt: skip
    Nginx(tmp_path, site).check()
    drained = site.drained(0).render()
    assert f"server 127.0.0.1:{site.nodes[0]} down " in drained
