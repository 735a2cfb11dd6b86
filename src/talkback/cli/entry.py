"""What the `talkback` script imports: nothing but this function.

uvicorn starts `serve --workers N`'s workers with multiprocessing's spawn, which
re-imports the script in every worker. Were the script to import the command itself,
each worker would carry the whole CLI (Typer, Rich, Alembic, the importers) it never
runs: about 12 MB a worker."""

from __future__ import annotations


def run() -> None:
    from talkback.cli.main import app

    app(prog_name="talkback")
