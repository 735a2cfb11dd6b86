"""The widget's files: the `embed.js` loader publishers include, its stylesheet, the
`count.js` snippet for article lists, and the
ES modules it imports from `/widget/<version>/`; and the server's icon at `/favicon.ico`.

Modules live under a versioned path so they can be cached for a year and an upgrade is
picked up as soon as the short-lived loader is; relative imports between modules keep the
version for free. Files are read, minified and gzipped once per process; every response
may be used by any origin (publishers embed from their own domains).

Minified: comments and layout are for whoever reads the source, and were a quarter of
the bytes a reader's first visit downloaded (gzipped). rJSmin and rCSSmin only drop them
(names and code stay as written), and are made to run at serve time, so there is still
no build step: the files in static/ are what runs.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import rcssmin
import rjsmin
from fastapi import APIRouter, Request, Response

from talkback import __version__
from talkback.errors import NotFound

STATIC = Path(__file__).resolve().parent.parent / "static"
WIDGET = STATIC / "widget"
VERSION_PLACEHOLDER = "__TALKBACK_VERSION__"
LOADER_CACHE = "public, max-age=300"
MODULE_CACHE = "public, max-age=31536000, immutable"
MAX_MODULE_PATH = 200  # far longer than any module's name, far shorter than the OS's limits
ICON_CACHE = "public, max-age=86400"
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Asset:
    media_type: str
    plain: bytes
    gzipped: bytes


MINIFIERS: dict[str, Callable[[str], str]] = {".js": rjsmin.jsmin, ".css": rcssmin.cssmin}


@cache
def _asset(path: Path) -> Asset:
    text = path.read_text(encoding="utf-8").replace(VERSION_PLACEHOLDER, __version__)
    minify = MINIFIERS.get(path.suffix)
    plain = (minify(text) if minify else text).encode()
    return Asset(MEDIA_TYPES[path.suffix], plain, gzip.compress(plain, 9, mtime=0))


def _serve(request: Request, asset: Asset, cache_control: str) -> Response:
    headers = {
        "Cache-Control": cache_control,
        "Access-Control-Allow-Origin": "*",
        "Vary": "Accept-Encoding",
    }
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(asset.gzipped, media_type=asset.media_type, headers=headers)
    return Response(asset.plain, media_type=asset.media_type, headers=headers)


@router.get("/embed.js")
async def embed_js(request: Request) -> Response:
    return _serve(request, _asset(STATIC / "embed.js"), LOADER_CACHE)


@router.get("/count.js")
async def count_js(request: Request) -> Response:
    """Comment counts for article lists (`data-talkback-count`), apart from the widget:
    a front page loads this alone."""
    return _serve(request, _asset(STATIC / "count.js"), LOADER_CACHE)


@router.get("/embed.css")
async def embed_css(request: Request) -> Response:
    return _serve(request, _asset(STATIC / "embed.css"), LOADER_CACHE)


@router.get("/favicon.ico")
async def favicon(request: Request) -> Response:
    """A speech bubble, as SVG: pages link `/static/favicon.svg`, but browsers and tools
    that ignore the link ask for this path (and got a 404 in every log)."""
    return _serve(request, _asset(STATIC / "favicon.svg"), ICON_CACHE)


@router.get("/widget/{version}/{path:path}")
async def widget_module(request: Request, version: str, path: str) -> Response:
    """A widget module; a loader cached from before an upgrade still gets working files,
    just not cached for long."""
    if "\x00" in path or len(path) > MAX_MODULE_PATH:  # the filesystem would raise, not answer
        raise NotFound("no such widget file", code="asset_not_found")
    file = (WIDGET / path).resolve()
    if not file.is_relative_to(WIDGET) or file.suffix != ".js" or not file.is_file():
        raise NotFound("no such widget file", code="asset_not_found")
    cache_control = MODULE_CACHE if version == __version__ else LOADER_CACHE
    return _serve(request, _asset(file), cache_control)
