"""The command line, run as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from talkback import __version__
from talkback.cli.main import app
from talkback.config import get_settings


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("TALKBACK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TALKBACK_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    return CliRunner()


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_migrate_then_manage_sites(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    assert (tmp_path / "talkback.db").exists()
    added = runner.invoke(
        app, ["site", "add", "courier", "--name", "The Courier", "--origin",
              "https://courier.example", "--origin", "https://www.courier.example",
              "--origin", "https://courier.example/"],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert runner.invoke(app, ["site", "set", "courier", "edit_window", "600"]).exit_code == 0
    listing = runner.invoke(app, ["site", "list"], terminal_width=200)
    assert "courier" in listing.output
    assert "https://courier.example" in listing.output
    assert listing.output.count("https://courier.example") == 1, listing.output
    assert "600s" in listing.output


def test_site_errors_are_reported_not_raised(runner: CliRunner) -> None:
    runner.invoke(app, ["migrate"])
    runner.invoke(app, ["site", "add", "a", "--name", "A", "--origin", "https://a.example"])
    duplicate = runner.invoke(
        app, ["site", "add", "a", "--name", "A", "--origin", "https://a.example"]
    )
    assert duplicate.exit_code == 2
    assert "already exists" in duplicate.output
    bad_key = runner.invoke(app, ["site", "set", "a", "colour", "blue"])
    assert bad_key.exit_code == 2
    assert "unknown setting" in bad_key.output


def test_serve_refuses_to_start_without_a_secret(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TALKBACK_SECRET_KEY", raising=False)
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "TALKBACK_SECRET_KEY" in result.output


def test_reserved_site_ids_are_refused(runner: CliRunner) -> None:
    runner.invoke(app, ["migrate"])
    result = runner.invoke(app, ["site", "add", "admin", "--name", "A", "--origin", "https://a.ex"])
    assert result.exit_code == 2
    assert "reserved" in result.output


def test_help_shows_flags_without_a_value() -> None:
    """`--version` is a flag: the help must not suggest it takes a value (typer 0.29 did)."""
    for args in ([], ["serve"], ["reader", "delete"]):
        result = subprocess.run(
            [sys.executable, "-m", "talkback", *args, "--help"],
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": "120"},
            check=True,
        )
        assert "--help" in result.stdout
        assert "<bool>" not in result.stdout, result.stdout


def talkback(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`talkback …` as a separate process, on a SQLite database in `data_dir`."""
    env = {k: v for k, v in os.environ.items() if k != "TALKBACK_DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "talkback", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**env, "TALKBACK_DATA_DIR": str(data_dir), "COLUMNS": "200"},
        check=False,
    )


def test_user_commands_remove_change_roles_and_set_passwords(tmp_path: Path) -> None:
    password = "a long enough password\n"
    assert talkback(tmp_path, "migrate").returncode == 0
    for email, role in (("chief@news.example", "admin"), ("night@news.example", "moderator")):
        added = talkback(tmp_path, "user", "add", email, "--role", role, "--password-stdin",
                         stdin=password)  # fmt: skip
        assert added.returncode == 0, added.stderr

    last_admin = (("remove", "chief@news.example"), ("role", "chief@news.example", "moderator"))
    for command in last_admin:
        refused = talkback(tmp_path, "user", *command)
        assert refused.returncode == 2
        assert "at least one admin" in refused.stderr

    promoted = talkback(tmp_path, "user", "role", "Night@News.example", "admin")
    assert promoted.returncode == 0, promoted.stderr
    assert "night@news.example is now admin" in promoted.stdout
    reset = talkback(tmp_path, "user", "password", "night@news.example", "--password-stdin",
                     stdin="chosen by the desk chief\n")  # fmt: skip
    assert reset.returncode == 0, reset.stderr
    assert "they choose a new one at their next sign-in" in reset.stdout
    assert "chosen by the desk chief" not in reset.stdout + reset.stderr
    removed = talkback(tmp_path, "user", "remove", "chief@news.example")
    assert removed.returncode == 0, removed.stderr

    listing = talkback(tmp_path, "user", "list").stdout
    assert "chief@news.example" not in listing
    [night] = [line for line in listing.splitlines() if "night@news.example" in line]
    assert "admin" in night
    assert "must change" in night
    ghost = talkback(tmp_path, "user", "remove", "ghost@news.example")
    assert ghost.returncode == 2
    assert ghost.stderr.strip() == "error: no staff account for ghost@news.example"
    bad_role = talkback(tmp_path, "user", "role", "night@news.example", "owner")
    assert bad_role.returncode == 2
    assert "role is one of admin, moderator" in bad_role.stderr


WORKER_IMPORTS = """
import runpy, sys
runpy.run_path(sys.argv[1], run_name="__mp_main__")  # what multiprocessing's spawn does
from talkback.app import create_app
create_app()
print(" ".join(sorted(m for m in ("typer", "alembic", "talkback.cli.main") if m in sys.modules)))
"""


def test_a_server_worker_does_not_carry_the_command_line(tmp_path: Path) -> None:
    """uvicorn's workers re-import the `talkback` script; what they need is the app alone.
    Typer, Alembic and the CLI's modules cost a worker about 12 MB it never uses."""
    script = Path(sys.executable).parent / "talkback"
    env = {**os.environ, "TALKBACK_DATA_DIR": str(tmp_path), "TALKBACK_SECRET_KEY": "k" * 40}
    env.pop("TALKBACK_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", WORKER_IMPORTS, str(script)],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
