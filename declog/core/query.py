"""Filtering and ordering records for ``declog list`` (pure functions over records)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from declog.domain import vocab
from declog.domain.kinds import Kind
from declog.errors import UsageError
from declog.storage.store import Log, Record


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


def parse_since(value: str, option: str, today: dt.date) -> dt.date:
    """An ISO date, or a span back from ``today``: ``7d``, ``2w``, ``1m``, ``1y``."""
    from declog.domain import cadence

    try:
        return cadence.ago(today, value)
    except ValueError:
        pass
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} takes an ISO date such as 2026-03-02 or a span back from today such as "
                         f"7d, 2w or 1m, not '{value}'") from None


# The statuses of each kind (declog.domain.vocab; tests/test_filters.py checks the models agree):
# checking ``--status`` must not load Pydantic to build a JSON Schema.
STATUSES = vocab.STATUSES


def statuses(kind: Kind | None) -> list[str]:
    """The statuses a record of ``kind`` (or of any kind) can have, in the models' order."""
    from declog.domain.kinds import KINDS

    out: list[str] = []
    for k in ([kind] if kind is not None else list(KINDS.values())):
        known = STATUSES.get(k.name)
        if known is None:  # a kind this table does not know yet: ask its model
            schema = k.model().model_json_schema().get("properties", {}).get("status", {})
            known = tuple(schema.get("enum", []))
        for value in known:
            if value not in out:
                out.append(value)
    return out


def check_filters(records: Sequence[Record], f: Filters) -> None:
    """Refuse a filter that can match nothing because it names what does not exist: a status
    the kind does not have (listing the choices), an owner not in the log (with close matches)."""
    import difflib

    if f.status:
        choices = statuses(f.kind)
        if not choices and f.kind is not None:
            raise UsageError(f"--status: {f.kind.plural} have no status")
        for value in f.status:
            if value not in choices:
                close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]}?)" if close else ""
                what = f"{f.kind.name} " if f.kind is not None else ""
                raise UsageError(f"--status '{value}' is not a {what}status{hint}: use one of {', '.join(choices)}")
    if f.owner:
        handles = sorted({r.id for r in records if r.kind.name == "owner" and r.id})
        for value in f.owner:
            if value not in handles:
                close = difflib.get_close_matches(value, handles, n=3, cutoff=0.5)
                hint = f": did you mean {' or '.join(close)}?" if close else \
                    (f" (owners: {', '.join(handles[:10])}{' …' if len(handles) > 10 else ''})" if handles else "")
                raise UsageError(f"--owner '{value}' is not an owner in this log{hint}")


def _fields(record: Record) -> dict[str, object] | None:
    """What the filters read: the record's data, or the light view of a light record (the
    fields filtered and sorted on are never prose, see declog.storage.cache.HEAVY_FIELDS)."""
    if record.data is not None:
        return record.data
    if record.error is not None or (record.light is None and record.light_json is None):
        return None
    return record.links


def matches(record: Record, f: Filters) -> bool:
    if f.kind is not None and record.kind is not f.kind:
        return False
    data = _fields(record)
    if data is None:
        return False
    if not (f.status or f.owner or f.tag or f.door or f.since):
        return True
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
    chosen.sort(key=lambda r: str((_fields(r) or {}).get("decided_on") or ""), reverse=True)  # undated last
    chosen.sort(key=lambda r: r.kind.name)
    return chosen


def json_list(log: Log, records: Sequence[Record]) -> str:
    """``json.dumps([r.as_json() for r in records], ensure_ascii=False, indent=2)``, byte for
    byte, from the parse cache's rendering of each record (keyed by its blob OID, path and kind):
    a warm ``list --format json`` joins text instead of decoding and re-encoding every record.
    Records that are light and not rendered yet are read whole once; what is rendered is kept."""
    import json

    if not records:
        return "[]"
    cache = log.cache
    known = cache.json_texts()
    parts = []
    for r in records:
        key = (r.oid, r.path, r.kind.name)
        text = known.get(key) if r.oid else None
        if text is None:
            whole = r if r.data is not None else log.full(r)
            text = "  " + json.dumps(whole.as_json(), ensure_ascii=False, indent=2).replace("\n", "\n  ")
            if r.oid and whole.error is None:
                cache.remember_json(key, text)
        parts.append(text)
    cache.save()
    return "[\n" + ",\n".join(parts) + "\n]"
