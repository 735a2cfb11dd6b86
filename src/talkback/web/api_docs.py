"""The API's interactive docs at `/docs`, served entirely by the Talkback host.

FastAPI's own page loads Swagger UI from a CDN: a third-party request from everyone who
reads the docs (Talkback promises not to make those), and a blank page on a network
without internet. The same files come from the `swagger-ui-bundle-v2` package (Swagger
UI's release files, nothing of ours) and are served under `/docs/assets/`. The page is
the same for every request, so it is made once, and its policy allows its one inline
script (Swagger UI's start-up call) by hash.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle  # type: ignore[import-untyped]  # the package ships no py.typed
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from talkback.web.page_headers import inline_hashes, page_headers, policy

DOCS = "/docs"
ASSETS = f"{DOCS}/assets"
SWAGGER_UI = Path(str(swagger_ui_bundle.swagger_ui_path))


def install_api_docs(app: FastAPI) -> None:
    """Serve `/docs` and its assets; create the app with `docs_url=None`."""
    openapi_url = app.openapi_url or "/openapi.json"
    title = f"{app.title} API"

    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=title,
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        # The "valid" badge would ask swagger.io to check the description.
        swagger_ui_parameters={"validatorUrl": None},
    ).body
    script_src = f"'self' {inline_hashes(bytes(page).decode(), 'script')}"
    headers = page_headers(policy(script_src=script_src))

    async def docs() -> HTMLResponse:
        return HTMLResponse(page, headers=headers)

    app.add_api_route(DOCS, docs, methods=["GET"], include_in_schema=False)
    app.mount(ASSETS, StaticFiles(directory=SWAGGER_UI), name="api-docs-assets")
