"""The verification recipe of docs/webhooks.md, taken from the document itself, so the
tests check what receivers are told to run."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"

Verify = Callable[..., bool]


def documented_verify() -> Verify:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("### Verifying in Python") :]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None, "docs/webhooks.md has no Python verification recipe"
    namespace: dict[str, object] = {}
    exec(compile(code.group(1), str(DOC), "exec"), namespace)
    verify = namespace["verify"]
    assert callable(verify)
    return verify
