"""The demo pages' Jinja templates (`talkback/templates/`), loaded once for all of them,
and the security headers each page sends."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader

from talkback.web.page_headers import inline_hashes, page_headers, policy

LOADER = PackageLoader("talkback", "templates")
templates = Environment(
    loader=LOADER,
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


@cache
def style_hashes(template: str) -> str:
    """The hashes of the template's own `<style>` blocks (the demo pages carry their styles
    inline, one file each); their text has no template tags, so rendered it is the same."""
    source, _, _ = LOADER.get_source(templates, template)
    return inline_hashes(source, "style")


def demo_page_headers(template: str, **directives: str) -> dict[str, str]:
    """The strict page policy, allowing the template's own inline styles and `directives`."""
    return page_headers(policy(style_src=f"'self' {style_hashes(template)}", **directives))
