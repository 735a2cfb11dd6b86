"""`talkback site set ID auto_close_days N` sets (and clears) a site's automatic closing,
with a clear refusal of what is not a number of days."""

from __future__ import annotations

import asyncio
from pathlib import Path

from typer.testing import CliRunner

from talkback.cli.main import app
from talkback.sites.sites import load_site
from talkback.store.database import Database
from tests.test_cli import runner  # noqa: F401 (the fixture)


def auto_close_days(data_dir: Path) -> int | None:
    async def read() -> int | None:
        database = Database(f"sqlite+aiosqlite:///{data_dir / 'talkback.db'}")
        try:
            return (await load_site(database, "courier")).auto_close_days
        finally:
            await database.close()

    return asyncio.run(read())


def test_site_set_auto_close_days(runner: CliRunner, tmp_path: Path) -> None:  # noqa: F811
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    added = runner.invoke(
        app, ["site", "add", "courier", "--name", "The Courier", "--origin", "https://c.example"]
    )
    assert added.exit_code == 0, added.output
    assert runner.invoke(app, ["site", "set", "courier", "auto_close_days", "14"]).exit_code == 0
    assert auto_close_days(tmp_path) == 14
    refused = runner.invoke(app, ["site", "set", "courier", "auto_close_days", "a fortnight"])
    assert refused.exit_code == 2
    assert "auto_close_days is a number of days" in refused.output
    assert runner.invoke(app, ["site", "set", "courier", "auto_close_days", "0"]).exit_code == 0
    assert auto_close_days(tmp_path) is None
