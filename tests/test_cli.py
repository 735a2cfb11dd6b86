"""The command line, run as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from talkback import __version__
from talkback.cli import app
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
