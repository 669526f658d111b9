"""One view of a record: what the log and git know about it, worked out in one place.

``declog show``, ``declog review``, ``declog why`` and every export (markdown, JSON lines, the
static site) take these facts from here instead of working them out themselves:

* **git facts** — who created the record and when, who changed it last, how many commits
  changed it, the commits that name it in a trailer, and whether the working tree differs;
* **decided** — who accepted a decision and in which commit (for an imported decision born
  accepted, the commit to its markdown ADR that accepted it), and **ended**: who rejected,
  superseded or deprecated it, when its current status is one of those;
* **the supersede chain both ways** — every ``supersedes`` and ``superseded_by`` link, read from
  either side, walked to the end in both directions;
* **backlinks** — the records whose reference fields (:data:`REFERENCE_FIELDS`, the fields
  ``declog validate`` checks as references) name this one: one definition of "linked from";
* **inspections** of a mechanism, and the day a proposed decision was first committed.

Everything comes from one :class:`declog.history.History` (one ``git log`` pass, kept in the
history index) and the records already read. Nothing is worked out before it is asked for:
``why`` asks for the facts of five decisions and pays for five, not for the whole log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from declog.history import History, RecordHistory, Revision
    from declog.history.timeline import Entry
    from declog.storage.store import Record

# The fields that name another record (an ID or a handle), as ``declog validate`` checks them:
# a field of IDs or handles, or a list of them, or a list of mappings whose key names one.
# A record is "linked from" every record whose reference fields name it; no other field counts
# (a tag or a sentence that happens to equal an ID is not a link).
REFERENCE_FIELDS: dict[str, str | None] = {
    "owner": None, "team": None, "lead": None, "inspector": None, "mechanism": None, "narrative": None,
    "superseded_by": None, "supersedes": None, "related": None, "origin": None, "deciders": None,
    "consulted": None, "decisions": None,
    "dissent": "who", "reviews": "reviewer", "action_items": "owner", "success_metrics": "mechanism",
}
# action items name a mechanism as well as an owner
_ALSO: dict[str, str] = {"action_items": "mechanism"}


def references(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """``(field, ID or handle)`` for every reference in a record's data, in field order."""
    for key, value in data.items():
        if key not in REFERENCE_FIELDS:
            continue
        inner = REFERENCE_FIELDS[key]
        for item in value if isinstance(value, list) else [value]:
            if inner is None:
                if isinstance(item, str):
                    yield key, item
            elif isinstance(item, dict):
                for name in (inner, _ALSO.get(key)):
                    target = item.get(name) if name else None
                    if isinstance(target, str):
                        yield key, target


@dataclass
class RecordFacts:
    """What the log and its history know about one record (see the module's docstring).

    The git fields are ``None`` (and ``has_git`` false) when there is no history to read."""

    record: Record
    id: str
    kind: str
    has_git: bool = False
    created: Revision | None = None
    last_changed: Revision | None = None
    changes: int = 0  # commits that changed the record, its creation included, moves alone not
    uncommitted: bool = False
    partial: str | None = None  # a shallow clone: where the record began is not known
    decided: Revision | None = None
    decided_in: str | None = None  # the markdown ADR whose history says who accepted it
    ended: Revision | None = None  # the commit that gave it its current, ending status
    ended_as: str | None = None  # rejected | superseded | deprecated
    linked: list[Revision] = field(default_factory=list)
    history: RecordHistory | None = field(default=None, repr=False)
    source_entries: list[Entry] = field(default_factory=list, repr=False)  # commits to its markdown ADR
    supersedes: list[str] = field(default_factory=list)  # the decisions it replaced directly
    superseded_by: list[str] = field(default_factory=list)  # the decisions that replaced it directly
    before: list[str] = field(default_factory=list)  # the chain before it, oldest first
    after: list[str] = field(default_factory=list)  # the chain after it, nearest first
    backlinks: list[tuple[str, str]] = field(default_factory=list)  # (record ID, field) naming it
    inspections: list[Record] = field(default_factory=list)  # of a mechanism, oldest first

    @property
    def chain(self) -> list[str]:
        """The whole supersede chain through this decision, oldest first."""
        return [*self.before, self.id, *self.after]


class LogFacts:
    """The facts of the records of a log, each worked out on first use.

    ``records``: the log's records (light ones will do: only the fields that are not prose are
    read here); the first file wins when two share an ID. ``history``: where git facts come
    from (``None``: none are given). ``work``: also ask git whether the index differs
    (``declog show``); otherwise a record is uncommitted when its file differs from HEAD's.
    ``scope``: the IDs whose git facts will be asked for, so that the commits to imported
    decisions' markdown files are read in one pass for those only (``None``: every record).
    """

    def __init__(self, records: Iterable[Record], history: History | None = None, *, work: bool = False,
                 scope: Collection[str] | None = None) -> None:
        self.records = list(records)
        self.history = history
        self.work = work
        self.scope = scope
        self._by_id: dict[str, Record] | None = None
        self._older: dict[str, list[str]] | None = None
        self._newer: dict[str, list[str]] | None = None
        self._back: dict[str, list[tuple[str, str]]] | None = None
        self._inspections: dict[str, list[Record]] | None = None
        self._sources: dict[str, list[Entry]] | None = None
        self._facts: dict[str, RecordFacts] = {}

    # -- the log -------------------------------------------------------------------------
    @property
    def by_id(self) -> dict[str, Record]:
        if self._by_id is None:
            found: dict[str, Record] = {}
            for r in self.records:
                rid = r.id
                if rid is not None and r.error is None and rid not in found:
                    found[rid] = r
            self._by_id = found
        return self._by_id

    def supersede_maps(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """ID → the decisions it replaced, and ID → the decisions that replaced it: every link,
        read from either side (a one-sided link, which ``validate`` reports, still counts)."""
        if self._older is None or self._newer is None:
            older: dict[str, set[str]] = {}
            newer: dict[str, set[str]] = {}
            for rid, r in self.by_id.items():
                if r.kind.name != "decision":
                    continue
                if r.light is None and r.light_json is not None and '"supersede' not in r.light_json:
                    continue  # a light record with no supersede link: not even decoded
                olds = r.link("supersedes")
                for old in olds if isinstance(olds, list) else []:
                    if isinstance(old, str) and old != rid:
                        older.setdefault(rid, set()).add(old)
                        newer.setdefault(old, set()).add(rid)
                by = r.link("superseded_by")
                if isinstance(by, str) and by != rid:
                    newer.setdefault(rid, set()).add(by)
                    older.setdefault(by, set()).add(rid)
            self._older = {k: sorted(v) for k, v in older.items()}
            self._newer = {k: sorted(v) for k, v in newer.items()}
        return self._older, self._newer

    def chain(self, rid: str) -> tuple[list[str], list[str]]:
        """The decisions before ``rid`` (oldest first) and after it (nearest first), walking
        every supersede link both ways; a cycle (an invalid log) stops the walk."""
        older, newer = self.supersede_maps()
        before = _walk(rid, older)
        after = _walk(rid, newer)
        return list(reversed(before)), after

    def backlinks(self, rid: str) -> list[tuple[str, str]]:
        """``(record ID, field)`` of each record whose reference fields name ``rid`` (the first
        such field of each), in the log's order."""
        if self._back is None:
            found: dict[str, list[tuple[str, str]]] = {}
            seen: set[tuple[str, str]] = set()  # (target, other): a set, not a scan of the list (an owner
            for other, r in self.by_id.items():  # is named by thousands of records)
                for key, target in references(r.links):
                    if target == other or target not in self.by_id or (target, other) in seen:
                        continue
                    seen.add((target, other))
                    found.setdefault(target, []).append((other, key))
            self._back = found
        return self._back.get(rid, [])

    def inspections(self, mechanism: str) -> list[Record]:
        """The inspections of a mechanism, oldest first (by day, then ID)."""
        if self._inspections is None:
            per: dict[str, list[Record]] = {}
            for r in self.by_id.values():
                if r.kind.name == "inspection" and isinstance(m := r.links.get("mechanism"), str):
                    per.setdefault(m, []).append(r)
            for rows in per.values():
                rows.sort(key=lambda r: (str(r.links.get("on") or ""), r.id or ""))
            self._inspections = per
        return self._inspections.get(mechanism, [])

    # -- git -----------------------------------------------------------------------------
    def sources(self) -> dict[str, list[Entry]]:
        """Imported record (a decision from an ADR, a narrative from a PR/FAQ) → the commits to
        the markdown file it came from (one pass for every imported record in scope)."""
        if self._sources is None:
            self._sources = {}
            if self.history is not None:
                from declog.history.timeline import source_path, source_timelines

                wanted = {rid: path for rid, r in self.by_id.items()
                          if (self.scope is None or rid in self.scope) and (path := source_path(_data(r)))}
                if wanted:
                    self._sources = source_timelines(self.history, wanted)
        return self._sources

    def of(self, rid: str) -> RecordFacts:
        """The facts of the record ``rid`` (a record of :attr:`records`)."""
        found = self._facts.get(rid)
        if found is not None:
            return found
        record = self.by_id[rid]
        facts = RecordFacts(record, rid, record.kind.name)
        if facts.kind == "decision":
            facts.before, facts.after = self.chain(rid)
            older, newer = self.supersede_maps()
            facts.supersedes, facts.superseded_by = older.get(rid, []), newer.get(rid, [])
        if facts.kind == "mechanism":
            facts.inspections = self.inspections(rid)
        if self.history is not None:
            self._git(facts)
        self._facts[rid] = facts
        return facts

    def with_backlinks(self, rid: str) -> RecordFacts:
        facts = self.of(rid)
        facts.backlinks = self.backlinks(rid)
        return facts

    def _git(self, facts: RecordFacts) -> None:
        from declog.history.timeline import accepted_elsewhere, decided, source_path

        history = self.history
        assert history is not None
        record = facts.record
        rh = history.record(facts.id, work=self.work)
        facts.has_git = True
        facts.history = rh
        facts.created = rh.created.revision if rh.created else None
        facts.last_changed = rh.last_changed.revision if rh.last_changed else None
        facts.changes = sum(1 for e in rh.events if e.action != "moved")
        facts.partial = rh.partial
        facts.linked = list(rh.linked)
        if self.work:
            facts.uncommitted = bool(rh.work)
        else:
            head = history.index.current_blob(facts.id) if history.head else None
            facts.uncommitted = head is None or head != (record.path, record.oid)
        if facts.kind != "decision":
            return
        if accepted_elsewhere(rh) and source_path(_data(record)) is not None:  # imported: ask its markdown
            facts.source_entries = self.sources().get(facts.id, [])
        found = decided(rh, facts.source_entries)
        if found is not None:
            facts.decided, facts.decided_in = found.revision, found.source
        ended = rh.ended
        status = record.link("status")
        if ended is not None and ended.status == status:
            facts.ended, facts.ended_as = ended.revision, ended.status

    def proposed_on(self, rid: str) -> dt.date | None:
        """The day a decision was first committed: its own first commit, or the first commit
        to the markdown ADR it was imported from, whichever is earlier."""
        return self._first_days([rid]).get(rid)

    def proposed_days(self) -> dict[str, dt.date]:
        """Proposed decision → the day it was first committed (``declog review``, the site's
        review page)."""
        return self._first_days([rid for rid, r in self.by_id.items() if r.kind.name == "decision"
                                 and (r.data if r.data is not None else r.links).get("status") == "proposed"])

    def _first_days(self, rids: list[str]) -> dict[str, dt.date]:
        """:meth:`proposed_on` of each of ``rids`` (records of :attr:`records`), the oldest
        commits of them all from one query of the history index, not a history per record."""
        from declog.domain import clock

        if self.history is None:
            return {}
        first = self.history.index.first_times(rids)
        out: dict[str, dt.date] = {}
        for rid in rids:
            times = [first[rid]] if rid in first else []
            if self.by_id[rid].kind.name == "decision" and source_path_of(self.by_id[rid]):
                times += [e.revision.time for e in self.sources().get(rid, []) if e.revision is not None]
            if times:
                out[rid] = clock.day_of(min(times))
        return out


def source_path_of(record: Record) -> str | None:
    from declog.history.timeline import source_path

    return source_path(_data(record))


def _data(record: Record) -> dict[str, Any] | None:
    return record.data if record.data is not None else (record.links or None)


def _walk(start: str, step: dict[str, list[str]]) -> list[str]:
    """IDs reachable from ``start`` through ``step``, nearest first, each once."""
    out: list[str] = []
    seen = {start}
    frontier = [start]
    while frontier:
        nxt: list[str] = []
        for rid in frontier:
            for other in step.get(rid, []):
                if other not in seen:
                    seen.add(other)
                    out.append(other)
                    nxt.append(other)
        frontier = nxt
    return out
