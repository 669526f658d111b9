"""A record's history as field-level entries: what ``declog history`` shows and retro groups.

Builds on :mod:`declog.history` (events found by record ID) and :mod:`declog.diff`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from declog.diff import FieldChange, field_changes, merge_changes

if TYPE_CHECKING:
    from declog.history import History, RecordEvent, RecordHistory, Revision, WorkChange


@dataclass
class Entry:
    """One step in a record's life: a commit, or a staged / uncommitted change."""

    record_id: str
    action: str  # created | changed | moved | deleted
    path: str
    old_path: str | None
    changes: list[FieldChange]
    revision: Revision | None = None
    stage: str | None = None  # None for commits; "staged" or "uncommitted"
    status: str | None = None  # status after the change
    old_status: str | None = None
    title: str = ""
    merge: bool = False
    new: dict[str, Any] | None = field(default=None, repr=False)
    old: dict[str, Any] | None = field(default=None, repr=False)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.record_id, "action": self.action, "path": self.path}
        if self.old_path and self.old_path != self.path:
            out["old_path"] = self.old_path
        if self.revision is not None:
            out.update(self.revision.as_json())
            out["merge"] = self.merge
        else:
            out["stage"] = self.stage
        out["status"] = self.status
        out["changes"] = [c.as_json() for c in self.changes]
        return out


def _entry(event_like: Any, old: dict[str, Any] | None, new: dict[str, Any] | None,
           others: Sequence[dict[str, Any] | None] = ()) -> Entry:
    action = event_like.action
    if others:
        changes = merge_changes(old, new, others)
    elif action == "created":
        changes = []
    elif action == "deleted":
        changes = []
    else:
        changes = field_changes(old, new)
    title = str((new or old or {}).get("title") or (new or old or {}).get("name") or "")
    status = (new or {}).get("status") if new else None
    old_status = (old or {}).get("status") if old else None
    return Entry(event_like.record_id, action, event_like.path, event_like.old_path, changes,
                 status=status if isinstance(status, str) else None,
                 old_status=old_status if isinstance(old_status, str) else None,
                 title=title, new=new, old=old)


def entries_for(history: History, events: Sequence[RecordEvent]) -> list[Entry]:
    """Field-level entries of ``events`` (blobs read with one ``cat-file --batch``)."""
    oids: list[str | None] = []
    for e in events:
        oids += [e.old_oid, e.new_oid, *e.other_oids]
    data = history.data_of(list(dict.fromkeys(oids)))
    out = []
    for e in events:
        old = data.get(e.old_oid) if e.old_oid else None
        new = data.get(e.new_oid) if e.new_oid else None
        others = [data.get(o) for o in e.other_oids if o] if e.revision.is_merge else []
        entry = _entry(e, old, new, others if e.other_oids else ())
        entry.revision = e.revision
        entry.merge = e.revision.is_merge
        if entry.merge and not entry.changes and e.action == "changed":
            continue  # the merge only combined both sides' edits; the branch commits show them
        out.append(entry)
    return out


def work_entries(history: History, rid: str, work: Sequence[WorkChange]) -> list[Entry]:
    oids: list[str | None] = []
    for w in work:
        oids += [w.old_oid, w.new_oid]
    data = history.data_of(list(dict.fromkeys(oids)))
    out = []
    for w in work:
        old = data.get(w.old_oid) if w.old_oid else None
        new = data.get(w.new_oid) if w.new_oid else None
        action = "created" if w.old_oid is None else ("deleted" if w.new_oid is None else "changed")
        entry = _entry(SimpleNamespace(record_id=rid, path=w.path, old_path=None, action=action), old, new)
        if action == "created":
            entry.changes = []
        entry.stage = w.stage
        out.append(entry)
    return out


def timeline(history: History, rh: RecordHistory) -> list[Entry]:
    """Work-tree entries first, then commits, newest first."""
    return work_entries(history, rh.record_id, rh.work) + entries_for(history, rh.events)


def resolve_any(log: Any, query: str, history: History | None = None) -> tuple[str, Any]:
    """``(record ID, current Record or None)`` for an ID or prefix: the log first, then every ID
    its history has seen (so a deleted record's history can still be asked for)."""
    from declog import ids
    from declog.errors import RecordNotFound, UsageError

    pool: dict[str, list[Any]] = {}
    for r in log.light_records():  # IDs without loading every record's prose
        if r.id is not None:
            pool.setdefault(r.id, []).append(r)
    try:
        found = ids.resolve(query, [k for k, v in pool.items() if v[0].kind.letter],
                            [k for k, v in pool.items() if not v[0].kind.letter])
        if len(pool[found]) > 1:
            paths = ", ".join(r.path for r in pool[found])
            raise UsageError(f"ID {found} is used by {len(pool[found])} files ({paths}): run `declog validate`")
        record = pool[found][0]
        if record.data is None and record.error is None:
            try:
                record = log.parse_bytes(record.path, record.kind, record.oid, log.abs(record.path).read_bytes())
            except OSError:
                pass
        return found, record
    except RecordNotFound:
        if history is None:
            raise

    known = history.index.known_ids()
    handles = [k for k in known if not (len(k) > 2 and k[1] == "-")]
    rid = ids.resolve(query, [k for k in known if k not in handles], handles)
    return rid, None
