"""The `talkback` command (Typer): `main.app`, started by `entry.run`."""
