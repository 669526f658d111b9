"""The weekly review as a deck (the WBR): per live mechanism, each input metric and then each
output metric over the last 6 weeks and the last 12 months of inspection readings, the change
week over week, the target, and the noteworthy events (inspection notes) of those weeks. A pure
function over records; ``declog.render.review`` draws it as sparklines, ``declog.export.html``
as SVG charts.

A week is an ISO week (Monday to Sunday) and its value is the last reading taken in it; a month
likewise. A week or month without a reading has no value (``None``): the charts leave a gap
rather than carrying the last value forward, and a metric read less often than its mechanism's
cadence asks carries a note that says so."""

from __future__ import annotations

import bisect
import datetime as dt
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from declog.domain import cadence as cadence_mod
from declog.domain import vocab
from declog.storage.store import Record

WEEKS = 6
MONTHS = 12
LIVE = tuple(s for s in vocab.MECHANISM_STATUSES if s != "retired")


@dataclass
class Trend:
    """One metric of one mechanism, week by week and month by month (oldest first)."""

    metric: str
    role: str  # input | output
    unit: str | None
    target: float | None
    direction: str | None  # up | down
    weeks: list[float | None]
    months: list[float | None]
    readings_6w: int  # readings taken in the six weeks
    readings_12m: int
    expected_6w: int  # readings the cadence asks for in six weeks
    expected_12m: int
    latest: float | None = None
    latest_on: dt.date | None = None

    @property
    def week_over_week(self) -> float | None:
        """This week's value less last week's, when both weeks have a reading."""
        now, before = self.weeks[-1], self.weeks[-2]
        return None if now is None or before is None else now - before

    @property
    def week_over_week_pct(self) -> float | None:
        change, before = self.week_over_week, self.weeks[-2]
        return None if change is None or not before else 100.0 * change / abs(before)

    @property
    def sparse_6w(self) -> bool:
        return self.readings_6w < self.expected_6w

    @property
    def sparse_12m(self) -> bool:
        return self.readings_12m < self.expected_12m

    @property
    def on_target(self) -> bool | None:
        if self.latest is None or self.target is None or self.direction not in ("up", "down"):
            return None
        return self.latest >= self.target if self.direction == "up" else self.latest <= self.target

    def as_json(self) -> dict[str, Any]:
        return {"metric": self.metric, "role": self.role, "unit": self.unit, "target": self.target,
                "direction": self.direction, "weeks": self.weeks, "months": self.months,
                "week_over_week": self.week_over_week, "week_over_week_pct": self.week_over_week_pct,
                "latest": self.latest, "latest_on": self.latest_on.isoformat() if self.latest_on else None,
                "on_target": self.on_target,
                "readings": {"six_weeks": self.readings_6w, "twelve_months": self.readings_12m,
                             "cadence_asks_six_weeks": self.expected_6w,
                             "cadence_asks_twelve_months": self.expected_12m}}


@dataclass
class Event:
    """A noteworthy event: an inspection's note, in the week it fell in."""

    week: str  # 2026-W47
    on: dt.date
    inspection: str
    verdict: str | None
    note: str

    def as_json(self) -> dict[str, Any]:
        return {"week": self.week, "on": self.on.isoformat(), "inspection": self.inspection,
                "verdict": self.verdict, "note": self.note}


@dataclass
class Slide:
    """One mechanism of the deck: its metrics (inputs first) and the events of the six weeks."""

    mechanism: str
    name: str
    owner: str | None
    cadence: str | None
    trends: list[Trend] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"mechanism": self.mechanism, "name": self.name, "owner": self.owner, "cadence": self.cadence,
                "metrics": [t.as_json() for t in self.trends], "events": [e.as_json() for e in self.events]}


@dataclass
class Deck:
    as_of: dt.date
    weeks: list[str]  # ISO week labels, oldest first (2026-W43 … 2026-W48)
    week_starts: list[dt.date]
    months: list[str]  # 2025-12 … 2026-11
    slides: list[Slide] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"weeks": self.weeks, "months": self.months, "mechanisms": [s.as_json() for s in self.slides]}


def week_label(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def as_date(value: Any) -> dt.date | None:
    """A date from a record value (a date, or an ISO date string); None for anything else."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _expected(cadence: str | None, start: dt.date, first: dt.date | None, as_of: dt.date) -> int:
    """How many readings a cadence asks for from ``start`` (or the first reading, if later) to
    ``as_of``: 0 without a cadence or a reading."""
    if cadence is None or first is None or not cadence_mod.is_valid(cadence):
        return 0
    return (as_of - max(start, first)).days // max(1, cadence_mod.days(cadence)) + 1  # due on the first day too


Readings = dict[str, list[tuple[dt.date, str, dict[str, Any]]]]  # mechanism ID → (on, inspection ID, readings)


def readings_of(inspections: Sequence[Record], as_of: dt.date) -> Readings:
    """Per mechanism ID, its inspections up to ``as_of``, oldest first."""
    return readings_from(((data.get("on"), data.get("mechanism"), r.id, data.get("readings"))
                          for r in inspections for data in (r.data or {},)), as_of)


def readings_from(rows: Iterable[tuple[Any, Any, str | None, Any]], as_of: dt.date) -> Readings:
    """:func:`readings_of` from each inspection's ``on``, ``mechanism``, ID and ``readings``
    (values as its data holds them; None where absent), in the log's order: what the parse
    cache's snapshot gives without making records (``StateView.fields``)."""
    per: Readings = {}
    days: dict[str, dt.date | None] = {}  # a log's inspections share a few hundred days
    for value, mid, rid, readings in rows:
        if type(value) is str:
            on = days[value] if value in days else days.setdefault(value, as_date(value))
        else:
            on = as_date(value)
        if on is None or not isinstance(mid, str) or on > as_of:
            continue
        per.setdefault(mid, []).append((on, rid or "", readings if isinstance(readings, dict) else {}))
    by_day_and_id = operator.itemgetter(0, 1)
    for items in per.values():
        items.sort(key=by_day_and_id)
    return per


def first_week(as_of: dt.date) -> dt.date:
    """The Monday the deck's first week starts on; inspection notes show from that day."""
    monday = as_of - dt.timedelta(days=as_of.weekday())
    return monday - dt.timedelta(weeks=WEEKS - 1)


def shows_note(inspection: Record, since: str) -> bool:
    """Whether the deck may show this inspection's note (its prose): it was made in the
    deck's weeks, from ``since`` (:func:`first_week` in ISO form). ``inspection`` may be light
    (its data without prose)."""
    data = inspection.data if inspection.data is not None else inspection.links
    return str(data.get("on")) >= since


def build(mechanisms: Sequence[Record], inspections: Sequence[Record], as_of: dt.date,
          per: Readings | None = None) -> Deck:
    """The deck as of ``as_of``: live mechanisms by ID, each metric's weeks and months.
    ``per`` (from :func:`readings_of`, as ``declog.core.review`` has it already) saves a pass."""
    opening = first_week(as_of)
    week_starts = [opening + dt.timedelta(weeks=i) for i in range(WEEKS)]
    month_keys: list[tuple[int, int]] = []
    year, month = as_of.year, as_of.month
    for _ in range(MONTHS):
        month_keys.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    month_keys.reverse()
    first_month = dt.date(month_keys[0][0], month_keys[0][1], 1)
    window_start = min(first_month, week_starts[0])
    deck = Deck(as_of, [week_label(d) for d in week_starts], week_starts, [f"{y}-{m:02d}" for y, m in month_keys])
    week_index = {d: i for i, d in enumerate(week_starts)}
    month_index = {k: i for i, k in enumerate(month_keys)}
    if per is None:
        per = readings_of(inspections, as_of)
    place: dict[dt.date, tuple[int | None, int | None]] = {}  # day → its week's and month's slot
    notes: dict[str, tuple[str | None, str]] = {}  # inspection ID → verdict, note: the six weeks' only
    since = opening.isoformat()
    for r in inspections:
        data = r.data or {}
        note = data.get("note")
        if isinstance(note, str) and note.strip() and r.id and shows_note(r, since):
            verdict = data.get("verdict")
            notes[r.id] = (verdict if isinstance(verdict, str) else None, note)
    for m in sorted(mechanisms, key=lambda r: r.id or ""):
        data = m.data or {}
        if data.get("status") not in LIVE or not m.id:
            continue
        plan = data.get("inspection")
        cadence = plan.get("cadence") if isinstance(plan, dict) and isinstance(plan.get("cadence"), str) else None
        seen = per.get(m.id, [])
        first = bisect.bisect_left(seen, window_start, key=lambda item: item[0])
        slots = []
        for on, _, readings in seen[first:]:
            if on not in place:
                place[on] = (week_index.get(on - dt.timedelta(days=on.weekday())), month_index.get((on.year, on.month)))
            slots.append((on, *place[on], readings))
        slide = Slide(m.id, str(data.get("name") or ""), data.get("owner") if isinstance(data.get("owner"), str)
                      else None, cadence)
        for role in ("input", "output"):
            metrics = data.get(f"{role}_metrics")
            for metric in metrics if isinstance(metrics, list) else []:
                if not isinstance(metric, dict) or not isinstance(metric.get("name"), str):
                    continue
                slide.trends.append(_trend(metric, role, slots, cadence, (week_starts[0], first_month, as_of)))
        for on, iid, _ in seen[first:]:
            if iid in notes and on >= week_starts[0]:
                verdict, note = notes[iid]
                slide.events.append(Event(week_label(on), on, iid, verdict, note))
        deck.slides.append(slide)
    return deck


def _trend(metric: dict[str, Any], role: str,
           slots: Sequence[tuple[dt.date, int | None, int | None, dict[str, Any]]], cadence: str | None,
           window: tuple[dt.date, dt.date, dt.date]) -> Trend:
    name = metric["name"]
    weeks: list[float | None] = [None] * WEEKS
    months: list[float | None] = [None] * MONTHS
    in_6w = in_12m = 0
    latest: tuple[dt.date, float] | None = None
    first: dt.date | None = None
    for on, w, mo, readings in slots:  # oldest first: the last reading of a week or month wins
        value = readings.get(name)
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        value = float(value)
        latest = (on, value)
        first = first or on
        if w is not None:
            weeks[w] = value
            in_6w += 1
        if mo is not None:
            months[mo] = value
            in_12m += 1
    unit = metric.get("unit")
    direction = metric.get("direction")
    six_weeks_from, twelve_months_from, as_of = window
    return Trend(name, role, unit if isinstance(unit, str) else None, _number(metric.get("target")),
                 direction if direction in ("up", "down") else None, weeks, months, in_6w, in_12m,
                 _expected(cadence, six_weeks_from, first, as_of), _expected(cadence, twelve_months_from, first, as_of),
                 latest[1] if latest else None, latest[0] if latest else None)
