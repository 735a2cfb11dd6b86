"""The `talkback` command (Typer); `app` is the entry point (`talkback.cli:app`)."""

from talkback.cli.main import app

__all__ = ["app"]
