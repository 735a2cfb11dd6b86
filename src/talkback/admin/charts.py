"""Geometry for the stats page's small charts, drawn by the template as inline SVG.

Inline SVG needs no script, no external resource and no inline style (colours come from
the stylesheet by class), so it passes the admin pages' strict CSP and prints well.
"""

from __future__ import annotations

from dataclasses import dataclass

from talkback.moderation.stats import DayCounts, ThreadCount

WIDTH = 600
HEIGHT = 160
GAP = 2


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    kind: str  # CSS class: published, held, rejected
    label: str  # the tooltip (<title>) and the screen reader's text


@dataclass(frozen=True, slots=True)
class DayChart:
    width: int
    height: int
    rects: list[Rect]
    peak: int
    first_day: str
    last_day: str


def _nice_peak(value: int) -> int:
    """The axis maximum: the smallest of 1, 2 or 5 times a power of ten that holds `value`."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= factor * step:
                return factor * step
        step *= 10


def day_chart(days: list[DayCounts]) -> DayChart:
    """Stacked bars per day: published (the rest), held, rejected, bottom to top."""
    peak = _nice_peak(max((d.posted for d in days), default=0) or 1)
    slot = WIDTH / max(len(days), 1)
    rects: list[Rect] = []
    for index, day in enumerate(days):
        x = index * slot + GAP / 2
        base = float(HEIGHT)
        published = day.posted - day.held - day.rejected
        label = f"{day.day:%d %b}: {day.posted} posted, {day.held} held, {day.rejected} rejected"
        for kind, count in (("published", published), ("held", day.held),
                            ("rejected", day.rejected)):  # fmt: skip
            if count <= 0:
                continue
            height = HEIGHT * count / peak
            base -= height
            rects.append(Rect(x, base, slot - GAP, height, kind, label))
    return DayChart(
        WIDTH,
        HEIGHT,
        rects,
        peak,
        f"{days[0].day:%d %b}" if days else "",
        f"{days[-1].day:%d %b}" if days else "",
    )


@dataclass(frozen=True, slots=True)
class ThreadBar:
    thread: ThreadCount
    width: float  # share of the busiest thread, 0-100


def thread_bars(threads: list[ThreadCount]) -> list[ThreadBar]:
    busiest = max((t.comments for t in threads), default=1) or 1
    return [ThreadBar(t, 100 * t.comments / busiest) for t in threads]
