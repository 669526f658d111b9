"""The geometry of the review page's metrics deck: a small chart per metric and window (6 weeks,
12 months) with the target line, week-over-week change and the noteworthy events beside their
week. Only numbers and plain text here: the template ``review.html`` (macro ``spark``) draws
them, autoescaped; styles come from ``assets/style.css`` (the pages' Content-Security-Policy
allows no inline style)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from declog.core.deck import Deck, Slide, Trend

SPARK_W, SPARK_H = 300, 110
PAD_L, PAD_R, PAD_T, PAD_B = 44, 10, 14, 22


@dataclass
class Spark:
    """One window of one metric, placed on its canvas."""

    metric: str
    unit: str  # " count", or ""
    window: str  # "6 weeks" | "12 months"
    present: int  # slots with a reading
    slots: int
    ticks_x: list[tuple[float, str]] = field(default_factory=list)  # x, label
    events: list[tuple[float, str]] = field(default_factory=list)  # x, note
    ticks_y: list[tuple[float, float]] = field(default_factory=list)  # y, value
    target: tuple[float, float] | None = None  # y, value
    runs: list[str] = field(default_factory=list)  # polyline points of each run of neighbours with readings
    points: list[tuple[float, float, str, float]] = field(default_factory=list)  # x, y, label, value
    gaps: list[tuple[float, str]] = field(default_factory=list)  # x, label of a slot without a reading
    width: int = SPARK_W
    height: int = SPARK_H
    left: int = PAD_L
    top: int = PAD_T
    right: int = SPARK_W - PAD_R
    bottom: int = SPARK_H - PAD_B


def spark(t: Trend, labels: Sequence[str], values: Sequence[float | None], what: str,
          events: Sequence[tuple[int, str]] = ()) -> Spark:
    """A point per week (or month) with a reading, lines only between neighbours that both have
    one, the target as a dashed line, events as marks."""
    present = [v for v in values if v is not None]
    inner_w, inner_h = SPARK_W - PAD_L - PAD_R, SPARK_H - PAD_T - PAD_B
    n = len(values)

    def x(i: int) -> float:
        return PAD_L + inner_w * (i + 0.5) / n

    out = Spark(t.metric, f" {t.unit}" if t.unit else "", what, len(present), n)
    step = 1 if n <= 6 else 4
    for i, label in enumerate(labels):
        if i % step == 0 or i == n - 1:
            out.ticks_x.append((x(i), label.split("-", 1)[1] if what == "6 weeks" else label))
    out.events = [(x(i), note) for i, note in events]
    scale = present + ([t.target] if t.target is not None else [])
    if not scale:
        return out
    lo, hi = min(scale), max(scale)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    span = hi - lo
    lo, hi = lo - span * 0.1, hi + span * 0.1

    def y(v: float) -> float:
        return PAD_T + inner_h * (hi - v) / (hi - lo)

    out.ticks_y = [(y(v), v) for v in sorted({min(scale), max(scale)})]
    if t.target is not None:
        out.target = (y(t.target), t.target)
    run: list[str] = []
    for i, value in enumerate([*values, None]):
        if value is not None:
            run.append(f"{x(i):.1f},{y(value):.1f}")
            continue
        if len(run) > 1:
            out.runs.append(" ".join(run))
        run = []
    for i, reading in enumerate(values):
        if reading is not None:
            out.points.append((x(i), y(reading), labels[i], reading))
        else:
            out.gaps.append((x(i), labels[i]))
    return out


def slides(deck: Deck) -> list[dict[str, Any]]:
    """Per mechanism of the deck: the slide, and per metric its caption parts and two charts."""
    from declog.render.review import change_text, sparse_notes, target_text

    out = []
    for s in deck.slides:
        events = [(deck.weeks.index(ev.week), f"{ev.week}: {ev.note}") for ev in s.events if ev.week in deck.weeks]
        trends = [{"trend": t, "change": change_text(t), "target": target_text(t),
                   "state": {True: "on target", False: "off target", None: ""}[t.on_target],
                   "notes": sparse_notes(t, s.cadence),
                   "weeks": spark(t, deck.weeks, t.weeks, "6 weeks", events),
                   "months": spark(t, deck.months, t.months, "12 months")} for t in s.trends]
        out.append({"slide": s, "trends": trends})
    return out


__all__ = ["Slide", "Spark", "slides", "spark"]
