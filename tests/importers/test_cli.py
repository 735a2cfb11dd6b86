"""The import, export and reader commands, run as an operator would."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from talkback.cli.main import app
from tests.importers.conftest import own_fixture


def test_import_prints_a_summary_and_a_second_run_adds_nothing(runner: CliRunner) -> None:
    path = str(own_fixture("wordpress-wxr-1.2.xml"))

    first = runner.invoke(app, ["import", "wordpress", path, "--site", "news"], terminal_width=200)
    second = runner.invoke(app, ["import", "wordpress", path, "--site", "news"], terminal_width=200)

    assert first.exit_code == 0, first.output
    assert "comments imported (approved)" in first.output
    assert "│ 15 " in first.output
    assert "skipped: pingback" in first.output
    assert "note: reply whose parent is not in the file" in first.output
    assert second.exit_code == 0
    assert "skipped: already imported" in second.output
    assert "│ 22 " in second.output
    assert "comments imported" not in second.output


def test_a_malformed_file_is_refused_with_its_position(runner: CliRunner) -> None:
    path = str(own_fixture("disqus-malformed.xml"))

    strict = runner.invoke(app, ["import", "disqus", path, "--site", "news"], terminal_width=200)
    lenient = runner.invoke(app, ["import", "disqus", path, "--site", "news", "--lenient"],
                            terminal_width=200)  # fmt: skip

    assert strict.exit_code == 2
    assert "line 1, column 1" in strict.output
    assert "Nothing was imported" in strict.output
    assert lenient.exit_code == 0, lenient.output
    assert "line 26, column 20" in lenient.output
    assert "comments imported (approved)" in lenient.output


def test_unknown_site_and_bad_options_are_errors(runner: CliRunner) -> None:
    path = str(own_fixture("isso-generic.json"))

    missing = runner.invoke(app, ["import", "isso", path, "--site", "nope"])
    bad_map = runner.invoke(app, ["import", "isso", path, "--site", "news", "--url-map", "x"])

    assert missing.exit_code == 2
    assert "no site 'nope'" in missing.output
    assert bad_map.exit_code == 2
    assert "OLD=NEW" in bad_map.output


def test_export_to_a_file_and_reader_commands(runner: CliRunner, tmp_path: Path) -> None:
    runner.invoke(app, ["import", "commento", str(own_fixture("commento.json")),
                        "--site", "news"])  # fmt: skip
    output = tmp_path / "news.jsonl"

    exported = runner.invoke(app, ["export", "--site", "news", "--output", str(output)])
    reader = runner.invoke(app, ["reader", "export", "hanna@mail.example", "--site", "news"])
    deleted = runner.invoke(
        app, ["reader", "delete", "hanna@mail.example", "--site", "news", "--remove-comments"]
    )

    assert exported.exit_code == 0, exported.output
    lines = output.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["format"] == "talkback-export"
    assert sum(json.loads(line).get("type") == "comment" for line in lines) == 9
    assert not (tmp_path / "news.jsonl.partial").exists()
    assert reader.exit_code == 0
    texts = [comment["text"] for comment in json.loads(reader.stdout)["comments"]]
    assert texts == [
        "Drink **water**, check on [your neighbours](https://ledger.example/neighbours).",
        "A reply listed before the reply it answers.",
    ]
    assert deleted.exit_code == 0
    assert "removed: 2" in deleted.output
