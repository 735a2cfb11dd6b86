"""`python -m talkback`: the same command as `talkback`, for when the script is not on PATH."""

from talkback.cli.entry import run

run()
