"""The demo article's map, drawn by Chromium: every label fits inside the picture.

The map is our own SVG; its labels are placed by hand, so a longer word or a wider font
can push one past the edge ("WEND ESTUAR…" once did). The check reads each label's box
as the browser lays it out, in the drawing's own units.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Talkback

LABELS_OUTSIDE = """() => {
  const svg = document.querySelector('svg');
  const box = svg.viewBox.baseVal;
  const outside = [];
  for (const text of svg.querySelectorAll('text')) {
    const b = text.getBBox();
    const m = text.getCTM();
    const corners = [[b.x, b.y], [b.x + b.width, b.y + b.height]].map(([x, y]) => {
      const p = new DOMPoint(x, y).matrixTransform(m);
      return [p.x, p.y];
    });
    const [left, top] = corners[0];
    const [right, bottom] = corners[1];
    const inside = Math.min(left, right) >= box.x && Math.max(left, right) <= box.x + box.width
      && Math.min(top, bottom) >= box.y && Math.max(top, bottom) <= box.y + box.height;
    if (!inside) outside.push(text.textContent);
  }
  return outside;
}"""


@pytest.mark.parametrize("name", ["wend-map.svg", "wend-map-full.svg"])
def test_every_label_of_the_demo_map_fits_inside_it(
    page: Page, talkback: Talkback, name: str
) -> None:
    page.goto(f"{talkback.url}/static/{name}")
    assert page.evaluate(LABELS_OUTSIDE) == []
