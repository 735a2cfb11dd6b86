"""The demo pages' Jinja templates (`talkback/templates/`), loaded once for all of them."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader

templates = Environment(
    loader=PackageLoader("talkback", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
