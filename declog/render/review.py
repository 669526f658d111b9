"""The weekly review and owner load for people (text that reads well aloud, Markdown for a
wiki or a meeting document) and for scripts (JSON). Writes to the stream it is given."""

from __future__ import annotations

import json
from typing import Any, TextIO

from declog.core.deck import Deck, Slide, Trend
from declog.core.review import Load, OffTarget, WeeklyReview
from declog.render.markdown import cell, code, table

DECK_TITLE = "Metrics deck: each mechanism's inputs, then outputs, over 6 weeks and 12 months"
BLOCKS = "▁▂▃▄▅▆▇█"
GAP = "·"  # a week or month without a reading: never a value carried forward

SECTIONS = (
    "Inspections overdue",
    "Input metrics off target",
    "Output metrics off target",
    "Decisions awaiting a decision",
    "Decisions due for review",
    "Correction action items overdue",
    "Owner load",
    "What changed this week",
    "Imported decisions without a rationale",  # shown when there are any
)
DRIFT = "Drift"  # shown when the review read it: dead references, dead scopes, adoption below 100%


def number(value: float) -> str:
    """A reading, a target or a change as every rendering of the review prints it (text,
    markdown, JSON aside, and the site): whole numbers as they are, others to four decimals at
    most, never in exponent form (``123456.7``, ``0.25``, ``99.95``)."""
    v = float(value)
    if v.is_integer():
        return str(int(v))
    text = f"{v:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("0", "-0") else f"{v:.2g}"  # smaller than 0.00005: the first digits


def _days(n: int, what: str = "overdue") -> str:
    if n == 0:
        return "due today"
    return f"{n} day{'s' if n != 1 else ''} {what}"


def _metric_line(o: OffTarget) -> str:
    unit = f" {o.unit}" if o.unit else ""
    want = "at least" if o.direction == "up" else "at most"
    trend = " → ".join(number(v) for v in o.trend)
    return (f"{o.metric}: {number(o.latest)}{unit} on {o.latest_on}, target {want} {number(o.target)}{unit} "
            f"(trend {trend}) — {o.mechanism} {o.mechanism_name}, owner {o.owner or '?'}")


def _lines(review: WeeklyReview) -> list[tuple[str, list[str]]]:
    """The sections, each with its lines, in the one fixed order."""
    out: list[tuple[str, list[str]]] = []
    lines = []
    for o in review.overdue_inspections:
        if o.days_overdue is None:
            lines.append(f"{o.mechanism} {o.name} ({o.cadence}, owner {o.owner or '?'}): never inspected")
        else:
            lines.append(f"{o.mechanism} {o.name} ({o.cadence}, owner {o.owner or '?'}): {_days(o.days_overdue)}, "
                         f"last inspected {o.last_inspected}")
    out.append((SECTIONS[0], lines))
    out.append((SECTIONS[1], [_metric_line(o) for o in review.off_target if o.role == "input"]))
    out.append((SECTIONS[2], [_metric_line(o) for o in review.off_target if o.role == "output"]))
    lines = []
    for a in review.awaiting:
        door = " [ONE-WAY DOOR]" if a.door == "one-way" else ""
        ago = "today" if not a.days_waiting else f"{a.days_waiting} day{'s' if a.days_waiting != 1 else ''} ago"
        waited = f", proposed {a.proposed_on}, {ago}" if a.proposed_on else ""  # no parentheses in parentheses
        lines.append(f"{a.id} {a.title}{door} (owner {a.owner or '?'}{waited})")
    out.append((SECTIONS[3], lines))
    out.append((SECTIONS[4], [f"{d.id} {d.title} (owner {d.owner or '?'}): review by {d.review_by}, "
                              f"{_days(d.days_overdue, 'ago') if d.days_overdue else 'today'}"
                              for d in review.due_for_review]))
    out.append((SECTIONS[5], [f"{a.correction} {a.correction_title}: {a.description} (owner {a.owner or '?'}, "
                              f"due {a.due}, {_days(a.days_overdue)})" for a in review.overdue_actions]))
    out.append((SECTIONS[6], load_lines(review.load)))
    out.append((SECTIONS[7], _changes(review)))
    if review.imported_without_rationale:
        out.append((SECTIONS[8], [f"{d.id} {d.title} (owner {d.owner or '?'}, from {d.source})"
                                  for d in review.imported_without_rationale]))
    if review.drift is not None:  # declog.core.drift.Drift
        from declog.render.context import drift_lines

        out.append((DRIFT, drift_lines(review.drift, below=1.0)))
    return out


def load_lines(load: Load) -> list[str]:
    lines = []
    for o in load.owners:
        if not o.total and o.active:
            continue
        flags = []
        if o.over_limit:
            flags.append(f"OVER THE LIMIT OF {load.limit}")
        if not o.active:
            flags.append("INACTIVE")
        flag = f"  [{'; '.join(flags)}]" if flags else ""
        lines.append(f"{o.handle}: {o.decisions} decision{'s' * (o.decisions != 1)}, "
                     f"{o.mechanisms} mechanism{'s' * (o.mechanisms != 1)}, "
                     f"{o.action_items} open action item{'s' * (o.action_items != 1)}{flag}")
    reasons = {"inactive": "is inactive", "team": "is a team, not a person", "unknown": "is not in this log"}
    for u in load.unowned:
        lines.append(f"needs a new owner: {u.kind} {u.id} — owner {u.owner} {reasons.get(u.reason, u.reason)}")
    return lines


def _changes(review: WeeklyReview) -> list[str]:
    lines = [f"{review.inspections_this_week} inspection{'s' * (review.inspections_this_week != 1)} "
             f"logged since {review.since}"]
    if review.changes is None:
        lines.append("(no git history to compare with)")
        return lines
    for key, label in review.changes.labels:
        for item in review.changes.groups.get(key, []):
            lines.append(f"{label.lower()}: {item.record_id} {item.title} ({item.when.date}, {item.when.author})")
    return lines


def review_text(review: WeeklyReview, out: TextIO) -> None:
    out.write(f"Weekly review as of {review.as_of}\n")
    for title, lines in _lines(review):
        counted = f" ({len(lines)})" if title in (*SECTIONS[:6], SECTIONS[8], DRIFT) else ""
        out.write(f"\n{title}{counted}\n")
        if not lines:
            out.write("  none\n")
        for line in lines:
            out.write(f"  - {line}\n")
        if title == SECTIONS[2] and review.deck is not None:
            deck_text(review.deck, out)


def review_markdown(review: WeeklyReview, out: TextIO) -> None:
    out.write(f"# Weekly review as of {review.as_of}\n")
    for title, lines in _lines(review):
        out.write(f"\n## {title}\n\n")
        if not lines:
            out.write("None.\n")
        for line in lines:
            out.write(f"- {cell(line)}\n")
        if title == SECTIONS[2] and review.deck is not None:
            deck_markdown(review.deck, out)


# -- the deck ----------------------------------------------------------------------------------

def sparkline(values: list[float | None]) -> str:
    """One block character per value, scaled between the lowest and highest; a gap where there
    is no reading."""
    present = [v for v in values if v is not None]
    if not present:
        return GAP * len(values)
    lo, hi = min(present), max(present)
    out = []
    for v in values:
        if v is None:
            out.append(GAP)
        elif hi == lo:
            out.append(BLOCKS[3])
        else:
            out.append(BLOCKS[round((v - lo) / (hi - lo) * (len(BLOCKS) - 1))])
    return "".join(out)


def _value(v: float | None) -> str:
    return "–" if v is None else number(v)


def change_text(t: Trend) -> str:
    change = t.week_over_week
    if change is None:
        return "no change to show (a week without a reading)"
    pct = t.week_over_week_pct
    sign = "+" if change > 0 else ""
    return f"{sign}{number(round(change, 4))}" + (f" ({sign}{pct:.1f}%)" if pct is not None else "")


def target_text(t: Trend) -> str:
    if t.target is None:
        return "no target"
    unit = f" {t.unit}" if t.unit else ""
    want = "at least" if t.direction == "up" else "at most"
    return f"{want} {number(t.target)}{unit}"


def sparse_notes(t: Trend, cadence: str | None) -> list[str]:
    notes = []
    if t.sparse_6w:
        notes.append(f"read {t.readings_6w} time{'s' * (t.readings_6w != 1)} in the last 6 weeks; its cadence "
                     f"({cadence}) asks for {t.expected_6w}: the gaps are weeks without a reading")
    elif t.sparse_12m:
        notes.append(f"read {t.readings_12m} time{'s' * (t.readings_12m != 1)} in the last 12 months; its cadence "
                     f"({cadence}) asks for {t.expected_12m}")
    return notes


def _slide_head(s: Slide) -> str:
    cadence = f", inspected {s.cadence}" if s.cadence else ""
    return f"{s.mechanism} {s.name} (owner {s.owner or '?'}{cadence})"


def deck_text(deck: Deck, out: TextIO) -> None:
    out.write(f"\n{DECK_TITLE}\n")
    out.write(f"  weeks {deck.weeks[0]} … {deck.weeks[-1]}, months {deck.months[0]} … {deck.months[-1]}\n")
    if not deck.slides:
        out.write("  none\n")
    for s in deck.slides:
        out.write(f"  - {_slide_head(s)}\n")
        if not s.trends:
            out.write("      no metrics\n")
        for t in s.trends:
            unit = f" ({t.unit})" if t.unit else ""
            out.write(f"      {t.role} {t.metric}{unit}: 6 weeks {sparkline(t.weeks)} "
                      f"{' '.join(_value(v) for v in t.weeks)} · week over week {change_text(t)} · "
                      f"target {target_text(t)} · 12 months {sparkline(t.months)}\n")
            for note in sparse_notes(t, s.cadence):
                out.write(f"        {note}\n")
        for ev in s.events:
            verdict = f", {ev.verdict}" if ev.verdict else ""
            out.write(f"      noteworthy, {ev.week} ({ev.on}, {ev.inspection}{verdict}): {ev.note}\n")


def deck_markdown(deck: Deck, out: TextIO) -> None:
    out.write(f"\n## {DECK_TITLE}\n\n")
    if not deck.slides:
        out.write("None.\n")
    for s in deck.slides:
        out.write(f"### {cell(_slide_head(s))}\n\n")
        if not s.trends:
            out.write("No metrics.\n\n")
            continue
        head = ["metric", "last 6 weeks", *deck.weeks, "week over week", "target", "last 12 months"]
        rows = []
        for t in s.trends:
            unit = cell(f" ({t.unit})") if t.unit else ""
            rows.append([f"{cell(t.role)} {code(t.metric)}{unit}", *(cell(c) for c in (
                sparkline(t.weeks), *(_value(v) for v in t.weeks), change_text(t), target_text(t),
                sparkline(t.months)))])
        if s.events:
            by_week = {w: "; ".join(f"{ev.note} ({ev.on}, {ev.inspection})" for ev in s.events if ev.week == w)
                       for w in deck.weeks}
            rows.append([cell(c) for c in ["noteworthy events", "", *(by_week[w] for w in deck.weeks), "", "", ""]])
        out.write(table(head, rows))
        out.write("\n")
        notes = [(t, n) for t in s.trends for n in sparse_notes(t, s.cadence)]
        for t, note in notes:
            out.write(f"- {code(t.metric)}: {cell(note)}\n")
        if notes:
            out.write("\n")


def review_json(review: WeeklyReview, out: TextIO) -> None:
    out.write(json.dumps(review.as_json(), ensure_ascii=False, indent=2) + "\n")


def load_text(load: Load, out: TextIO, fmt: str) -> None:
    if fmt == "json":
        out.write(json.dumps(load.as_json(), ensure_ascii=False, indent=2) + "\n")
        return
    rows: list[Any] = []
    for o in load.owners:
        flag = ("over limit" if o.over_limit else "") + ("inactive" if not o.active else "")
        rows.append((o.handle, o.name, str(o.decisions), str(o.mechanisms), str(o.action_items), str(o.total), flag))
    header = ("owner", "name", "decisions", "mechanisms", "action items", "total", "flag")
    if fmt == "markdown":
        out.write("| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n")
        for row in rows:
            out.write("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |\n")
    else:
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, tuple("-" * w for w in widths), *rows]:
            out.write("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
    if load.unowned:
        out.write(f"\nRecords that need a new owner (limit per person: {load.limit}):\n" if fmt == "text"
                  else "\nRecords that need a new owner:\n\n")
        for line in load_lines(Load(load.limit, [], load.unowned)):
            out.write(f"- {line}\n")
