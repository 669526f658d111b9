"""A record's history as field-level entries: what ``declog history`` shows and retro groups.

Builds on :mod:`declog.history` (events found by record ID) and :mod:`declog.domain.diff`. An imported
decision's timeline goes on into the history of the markdown file it came from (``source``),
each version's status read by :mod:`declog.adr.parse`; that history also says who accepted it
when the record itself was born accepted (:func:`decided`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from declog.domain.ids import inside_repository

if TYPE_CHECKING:
    from declog.domain.diff import FieldChange
    from declog.history import History, RecordEvent, RecordHistory, Revision, WorkChange
    from declog.history.source import SourceHistory


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
    source: bool = False  # a commit to the markdown file the record was imported from
    status_raw: str | None = None  # source entries: the status as the markdown wrote it
    unreadable: str | None = None  # why the version this change made cannot be read as a record
    old_unreadable: str | None = None  # the same for the version before it

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
        out["source"] = self.source
        if self.source:
            out["status_raw"] = self.status_raw
        if self.unreadable is not None:
            out["unreadable"] = self.unreadable
        if self.old_unreadable is not None:
            out["old_unreadable"] = self.old_unreadable
        out["changes"] = [c.as_json() for c in self.changes]
        return out


def _entry(event_like: Any, old: dict[str, Any] | None, new: dict[str, Any] | None,
           others: Sequence[dict[str, Any] | None] = ()) -> Entry:
    from declog.domain.diff import field_changes, merge_changes  # here: a why answer diffs nothing

    action = event_like.action
    if others:
        changes = merge_changes(old, new, others)
    elif action in ("created", "boundary"):
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


def _mark_unreadable(history: History, entry: Entry, old_oid: str | None, new_oid: str | None) -> None:
    """Say so when a version cannot be read as a record (a tampering commit must not pass for
    one that changed nothing). A version that cannot be read has no fields to compare; the one
    after it lists every field it sets."""
    unreadable = getattr(history, "unreadable", {})
    entry.unreadable = unreadable.get(new_oid) if new_oid else None
    entry.old_unreadable = unreadable.get(old_oid) if old_oid else None
    if entry.unreadable is not None:
        entry.changes = []


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
        _mark_unreadable(history, entry, e.old_oid, e.new_oid)
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
        _mark_unreadable(history, entry, w.old_oid, w.new_oid)
        if action == "created":
            entry.changes = []
        entry.stage = w.stage
        out.append(entry)
    return out


def timeline(history: History, rh: RecordHistory, source: str | None = None) -> list[Entry]:
    """Work-tree entries first, then commits, newest first; with ``source`` (the record's
    ``source.path``) the commits to that markdown file too, in time order among them."""
    own = entries_for(history, rh.events)
    if source:
        own = merge_by_time(own, source_timelines(history, {rh.record_id: source})[rh.record_id])
    return work_entries(history, rh.record_id, rh.work) + own


def merge_by_time(own: list[Entry], other: list[Entry]) -> list[Entry]:
    """Two newest-first lists as one, each keeping its order; the record's entries first on ties."""
    out: list[Entry] = []
    i = j = 0
    while i < len(own) and j < len(other):
        a, b = own[i].revision, other[j].revision
        if a is not None and b is not None and b.time > a.time:
            out.append(other[j])
            j += 1
        else:
            out.append(own[i])
            i += 1
    return out + own[i:] + other[j:]


# -- the markdown file an imported decision came from ----------------------------------------

# source.path values left out because they point outside the repository, with the record that
# holds each: the command line warns about them once the command is done
SKIPPED_SOURCES: dict[str, str] = {}


def source_path(data: dict[str, Any] | None) -> str | None:
    """``source.path`` of a record's data, when it was imported; None for a path outside the
    repository (``../x.md``, ``/etc/passwd``), whose history is never read: ``validate``
    reports it, and it is noted in :data:`SKIPPED_SOURCES` for the command line to warn."""
    path = _raw_source_path(data)
    if path is None:
        return None
    if not inside_repository(path):
        rid = (data or {}).get("id")
        SKIPPED_SOURCES[path] = rid if isinstance(rid, str) else "a record"
        return None
    return path


def _raw_source_path(data: dict[str, Any] | None) -> str | None:
    src = (data or {}).get("source")
    path = src.get("path") if isinstance(src, dict) else None
    return path if isinstance(path, str) and path else None


def adr_parts(adr: Any) -> dict[str, str]:
    """``heading → text`` of a parsed ADR, in its order: the fields under the headings the ADR
    gave them (``Reasoning``, ``Context and Problem Statement``), then its other sections."""
    labels = dict(adr.labels)
    out: dict[str, str] = {}
    for name in ("context", "decision", "rationale", "consequences"):
        text = getattr(adr, name)
        label = labels.get(name, name.capitalize())
        if text and not (name == "rationale" and label == "because"):  # a clause of the decision text
            out[label] = text
    for section in adr.sections:
        out.setdefault(section.heading, section.text)
    return out


def source_entries(rid: str, sh: SourceHistory) -> list[Entry]:
    """The commits to one source file as entries (newest first), each version read from the
    markdown (Nygard / MADR / log4brains): what each commit changed in its status, title and
    sections (``status: Proposed → Accepted``, ``Reasoning: 3 lines added``)."""
    from declog.adr.parse import parse
    from declog.domain.diff import FieldChange, line_changes

    parsed: dict[str, Any] = {}

    def read(oid: str | None, path: str) -> Any:
        """The parsed version, or None."""
        if oid is None:
            return None
        if oid not in parsed:
            content = sh.content(oid)
            parsed[oid] = None if content is None else parse(content.decode("utf-8", "replace"), path)
        return parsed[oid]

    out: list[Entry] = []
    for e in sh.events:
        new = read(e.oid, e.path)
        old = read(e.old_oid, e.old_path or e.path)
        status, raw, title = (new.status, new.status_raw, new.title) if new is not None else (None, None, "")
        old_status, old_raw, old_title = (old.status, old.status_raw, old.title) if old is not None else (None, None, "")
        changes: list[FieldChange] = []
        if e.action in ("changed", "renamed") and old is not None and new is not None:
            if raw != old_raw:
                changes.append(FieldChange("status", "changed" if old_raw else "set", old_raw, raw))
            if title != old_title:
                changes.append(FieldChange("title", "changed", old_title, title))
            before, after = adr_parts(old), adr_parts(new)
            for heading in [*after, *(h for h in before if h not in after)]:
                change = line_changes(heading, before.get(heading), after.get(heading))
                if change is not None:
                    changes.append(change)
        out.append(Entry(rid, e.action, e.path, e.old_path, changes, revision=e.revision, status=status,
                         old_status=old_status, title=title or old_title, merge=e.merge, source=True,
                         status_raw=raw if e.oid else old_raw))
    return out


def source_timelines(history: History, wanted: dict[str, str]) -> dict[str, list[Entry]]:
    """``record ID → source entries`` for ``{record ID: source.path}``: one pass for them all."""
    found = history.sources(list(dict.fromkeys(wanted.values())))
    return {rid: source_entries(rid, found[path]) if path in found else [] for rid, path in wanted.items()}


def source_decided(entries: Sequence[Entry]) -> Entry | None:
    """The commit that made the markdown say Accepted (the latest time it became accepted, as
    for records: :attr:`declog.history.RecordHistory.decided`)."""
    from declog.history.model import became_accepted

    return became_accepted([e for e in entries if e.source])


@dataclass(frozen=True)
class Decided:
    """Who decided, and when: the commit, and the source file's path when the markdown said so."""

    revision: Revision
    source: str | None = None


def accepted_elsewhere(rh: RecordHistory) -> bool:
    """True when the record's own history cannot say who accepted it: it was never accepted in
    YAML, or was born accepted (an import). For an imported record, ask its markdown's history."""
    return rh.decided is None or rh.decided.action == "created"


def decided(rh: RecordHistory, source: Sequence[Entry] = ()) -> Decided | None:
    """The record's own accept commit; for an imported record born accepted (or never accepted
    in YAML), the markdown commit that accepted it, when its history has one."""
    own = rh.decided
    if own is not None and not accepted_elsewhere(rh):
        return Decided(own.revision)
    from_source = source_decided(source)
    if from_source is not None and from_source.revision is not None:
        return Decided(from_source.revision, from_source.path)
    return Decided(own.revision) if own is not None else None


def resolve_any(log: Any, query: str, history: History | None = None) -> tuple[str, Any]:
    """``(record ID, current Record or None)`` for an ID or prefix: the log first, then every ID
    its history has seen (so a deleted record's history can still be asked for)."""
    from declog.domain import ids
    from declog.errors import RecordNotFound, UsageError

    pool: dict[str, list[Any]] = {}
    for r in log.light_records():  # IDs without loading every record's prose
        if r.id is not None:
            pool.setdefault(r.id, []).append(r)
    q = query.strip()
    if q[:1].isalpha() and q not in pool:  # an alias, such as an imported ADR's ADR-0007
        try:
            exact = ids.normalize_query(q) in pool
        except UsageError:
            exact = False
        aliased = [] if exact else log.by_alias(q)
        if len(aliased) > 1:
            both = ", ".join(f"{r.id} ({r.path})" for r in aliased)
            raise UsageError(f"'{q}' is an alias of {len(aliased)} records: {both}; give the ID of the one you mean")
        if aliased:
            return str(aliased[0].id), aliased[0]
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
