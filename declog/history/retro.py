"""What happened to decisions in a window of time, from history: decided, proposed, superseded,
rejected, deprecated, changed, deleted. Grouped per decision (its state at the start of the
window against its state at the end), so the list reads aloud in a retro."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from declog.history import History
from declog.history.model import Revision
from declog.history.timeline import Entry, entries_for, merge_by_time, source_path, source_timelines

GROUPS = (
    ("decided", "Decided"),
    ("proposed", "Proposed"),
    ("superseded", "Superseded"),
    ("rejected", "Rejected"),
    ("deprecated", "Deprecated (reversed)"),
    ("changed", "Changed"),
    ("deleted", "Deleted"),
)
_BY_STATUS = {"accepted": "decided", "proposed": "proposed", "superseded": "superseded",
              "rejected": "rejected", "deprecated": "deprecated"}


@dataclass
class Item:
    record_id: str
    title: str
    group: str
    owner: str | None
    start_status: str | None
    end_status: str | None
    created: bool
    when: Revision  # the commit that put it in its group (latest relevant one)
    authors: list[str] = field(default_factory=list)
    commits: int = 0
    fields: list[str] = field(default_factory=list)
    replaced_by: str | None = None
    decision: str | None = None
    # owner handovers in the window, oldest first: (from, to, the commit)
    handovers: list[tuple[str | None, str | None, Revision]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.record_id, "title": self.title, "group": self.group, "owner": self.owner,
                "from_status": self.start_status, "to_status": self.end_status, "new": self.created,
                "commit": self.when.as_json(), "authors": self.authors, "commits": self.commits,
                "fields_changed": self.fields, "superseded_by": self.replaced_by, "decision": self.decision,
                "handovers": [{"from": a, "to": b, "commit": rev.as_json()} for a, b, rev in self.handovers]}


@dataclass
class Retro:
    since: dt.date
    until: dt.date
    groups: dict[str, list[Item]]
    labels: tuple[tuple[str, str], ...] = GROUPS

    @property
    def empty(self) -> bool:
        return not any(self.groups.values())

    def as_json(self) -> dict[str, Any]:
        return {"since": self.since.isoformat(), "until": self.until.isoformat(),
                "groups": {key: [i.as_json() for i in self.groups.get(key, [])] for key, _ in GROUPS}}


def _epoch(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def retro(history: History, since: dt.date, until: dt.date) -> Retro:
    from declog.domain.kinds import KINDS

    letter = KINDS["decision"].letter or "D"
    events = [e for e in history.index.events_between(_epoch(since), _epoch(until + dt.timedelta(days=1)))
              if e.record_id.startswith(f"{letter}-")]
    entries = entries_for(history, events)  # newest first
    per: dict[str, list[Entry]] = {}
    for entry in entries:
        per.setdefault(entry.record_id, []).append(entry)
    groups: dict[str, list[Item]] = {key: [] for key, _ in GROUPS}
    imported = _imported(history, per, since, until)
    for rid, (items, data) in imported.items():
        per.pop(rid, None)
        if items:
            groups_item = _imported_item(rid, items, data)
            groups[groups_item.group].append(groups_item)
    for rid, items in per.items():
        newest, oldest = items[0], items[-1]
        created = oldest.action == "created"
        start = None if created else (oldest.old or {})
        end = newest.new if newest.action != "deleted" else None
        start_status = (start or {}).get("status") if start is not None else None
        end_status = (end or {}).get("status") if end is not None else None
        item = _item(rid, items, end or (oldest.old or {}), start_status, end_status, deleted=end is None)
        groups[item.group].append(item)
    for key in groups:
        groups[key].sort(key=lambda i: (i.when.time, i.record_id))
    return Retro(since, until, groups)


def _imported(history: History, per: dict[str, list[Entry]], since: dt.date,
              until: dt.date) -> dict[str, tuple[list[Entry], dict[str, Any]]]:
    """``record ID → (entries in the window, current data)`` of every imported decision: the
    commits to its markdown ADR in the window (when it became accepted, superseded..., by whom)
    and its own commits after the import; the import commit itself is not an event of the
    decision. One pass over the history of all the ADR files."""
    from declog.domain.kinds import KINDS

    current: dict[str, tuple[str, dict[str, Any]]] = {}
    imported = [r for r in _with_source(history.log)
                if r.kind is KINDS["decision"] and r.id and source_path(r.links)]
    for record in history.log.with_prose(imported):  # their decision text is shown
        path = source_path(record.data)
        if path and record.id:
            current[record.id] = (path, dict(record.data or {}))
    if not current:
        return {}
    start, end = _epoch(since), _epoch(until + dt.timedelta(days=1))
    timelines = source_timelines(history, {rid: path for rid, (path, _) in current.items()})
    out: dict[str, tuple[list[Entry], dict[str, Any]]] = {}
    for rid, (_, data) in current.items():
        own = [e for e in per.get(rid, []) if not (e.action == "created" and source_path(e.new))]
        source = [e for e in timelines.get(rid, []) if e.revision is not None and start <= e.revision.time < end]
        out[rid] = (merge_by_time(own, source), data)
    return out


def _with_source(log: Any) -> list[Any]:
    """The log's light records, or where the parse cache's snapshot can be queried in place
    (``Log.view``) only the decisions whose light JSON names a ``source`` (SQLite's test, no row
    decoded): an imported decision is one of those, and a warm ``declog review`` of a
    30,000-record log need not make every light record for the few there are."""
    found = log.from_view(lambda view: view.containing('"source":', "decision"))
    return found if found is not None else log.light_records()


def _imported_item(rid: str, items: list[Entry], data: dict[str, Any]) -> Item:
    """An imported decision's retro line from its entries in the window (newest first)."""
    newest, oldest = items[0], items[-1]
    start_status = None if oldest.action == "created" else oldest.old_status
    end_status = None if newest.action == "deleted" and not newest.source else newest.status
    if end_status is None and newest.action != "deleted":
        end_status = newest.old_status
    return _item(rid, items, data, start_status, end_status, deleted=newest.action == "deleted" and not newest.source)


def _item(rid: str, items: list[Entry], data: dict[str, Any], start_status: Any, end_status: Any, *,
          deleted: bool) -> Item:
    """One decision's retro line from its entries in the window (newest first): its group, the
    commit that put it there, the fields changed, who changed it and owner handovers."""
    newest, oldest = items[0], items[-1]
    created = oldest.action == "created"
    if deleted:
        group = "deleted"
    elif start_status != end_status or created:
        group = _BY_STATUS.get(str(end_status), "changed")
    else:
        group = "changed"
    when = newest.revision
    if group not in ("changed", "deleted"):  # the commit that made it so
        for e in items:
            if e.status == end_status and (e.old_status != end_status or e.action == "created"):
                when = e.revision
                break
    fields: list[str] = []
    for e in reversed(items):
        for c in e.changes:
            if c.field not in fields:
                fields.append(c.field)
    assert when is not None
    authors = list(dict.fromkeys(e.revision.author for e in reversed(items) if e.revision))
    handovers = [((e.old or {}).get("owner"), (e.new or {}).get("owner"), e.revision) for e in reversed(items)
                 if e.revision is not None and not e.source and e.action not in ("created", "deleted")
                 and e.old and e.new and e.old.get("owner") != e.new.get("owner")]
    return Item(rid, str(data.get("title") or newest.title), group, data.get("owner"), start_status, end_status,
                created, when, authors, len(items), fields,
                data.get("superseded_by") if isinstance(data.get("superseded_by"), str) else None,
                data.get("decision") if isinstance(data.get("decision"), str) else None,
                handovers)
