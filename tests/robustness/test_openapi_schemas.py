"""`/openapi.json` describes every answer: each JSON success has a declared schema, and
each API operation declares its errors in the one error shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from talkback.app import create_app
from talkback.config import Settings


def spec(tmp_path: Path) -> dict[str, Any]:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/t.db", secret_key="x" * 32)
    document: dict[str, Any] = create_app(settings, demo=True).openapi()
    return document


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def is_declared(schema: dict[str, Any]) -> bool:
    """A schema that says something: a reference, properties, items, or a fixed type
    other than "any object"."""
    if not schema:
        return False
    if "$ref" in schema or "properties" in schema or "items" in schema:
        return True
    options: list[dict[str, Any]] = schema.get("anyOf") or schema.get("oneOf") or []
    if options:
        return all(is_declared(option) for option in options)
    return schema.get("type") not in (None, "object")


def test_every_json_success_declares_its_schema(tmp_path: Path) -> None:
    undeclared = [
        f"{name} {code}"
        for name, operation in operations(spec(tmp_path))
        for code, response in operation.get("responses", {}).items()
        if code.startswith("2")
        and "application/json" in response.get("content", {})
        and not is_declared(response["content"]["application/json"].get("schema", {}))
    ]
    assert undeclared == []


def test_every_api_operation_declares_its_errors(tmp_path: Path) -> None:
    document = spec(tmp_path)
    missing = []
    for name, operation in operations(document):
        if " /api/" not in name:
            continue
        errors = {
            code: response
            for code, response in operation.get("responses", {}).items()
            if code.startswith("4")
        }
        shaped = [
            response["content"]["application/json"]["schema"].get("$ref", "")
            for response in errors.values()
            if "application/json" in response.get("content", {})
        ]
        if not shaped or not all(ref.endswith("/ErrorBody") for ref in shaped):
            missing.append(name)
    assert missing == []
