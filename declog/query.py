"""Filtering and ordering records for ``declog list`` (pure functions over records)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from declog.errors import UsageError
from declog.kinds import Kind
from declog.store import Record


@dataclass(frozen=True)
class Filters:
    kind: Kind | None = None
    status: Sequence[str] = field(default_factory=tuple)
    owner: Sequence[str] = field(default_factory=tuple)
    tag: Sequence[str] = field(default_factory=tuple)
    door: str | None = None
    since: dt.date | None = None


# dates a command option takes: far enough from year 1 and 9999 that windows, cadences and
# "a week before" never leave the calendar Python can count
FIRST_DATE, LAST_DATE = dt.date(1000, 1, 1), dt.date(8999, 12, 31)


def parse_date(value: str, option: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} takes an ISO date such as 2026-03-02, not '{value}'") from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise UsageError(f"{option} {value} is out of range: give a date from {FIRST_DATE} to {LAST_DATE}")
    return day


def matches(record: Record, f: Filters) -> bool:
    if record.data is None:
        return False
    data = record.data
    if f.kind is not None and record.kind is not f.kind:
        return False
    if f.status and data.get("status") not in f.status:
        return False
    if f.owner and data.get("owner") not in f.owner:
        return False
    if f.tag:
        raw_tags = data.get("tags")
        tags: list[object] = raw_tags if isinstance(raw_tags, list) else []
        if not all(t in tags for t in f.tag):
            return False
    if f.door and data.get("door") != f.door:
        return False
    if f.since is not None:
        decided = data.get("decided_on")
        if not isinstance(decided, str) or decided < f.since.isoformat():
            return False
    return True


def select(records: Sequence[Record], f: Filters) -> list[Record]:
    """Records matching every filter, decisions newest decided first, then by ID."""
    chosen = [r for r in records if matches(r, f)]
    chosen.sort(key=lambda r: r.id or "")
    chosen.sort(key=lambda r: str((r.data or {}).get("decided_on") or ""), reverse=True)  # undated last
    chosen.sort(key=lambda r: r.kind.name)
    return chosen
