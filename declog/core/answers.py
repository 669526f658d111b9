"""Answers to "why did we decide X?": ranked decisions (``declog.core.search``) with what git knows
about each (``declog.history``) and their supersede chains."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from declog.history.model import Revision
from declog.storage.store import Log, Record

if TYPE_CHECKING:
    from pathlib import Path

    from declog.core.facts import LogFacts
    from declog.core.search import EarlyLexical
    from declog.storage.stateview import StateView

DETAILED = 3  # answers shown in full; the rest get one line


@dataclass
class Answer:
    record: Record
    score: float
    matched: list[str]
    phrase: bool
    detailed: bool = False
    created: Revision | None = None
    decided: Revision | None = None
    decided_in: str | None = None  # the markdown file whose history says who accepted it (imported)
    linked: list[Revision] = field(default_factory=list)
    replaced_by: list[Record] = field(default_factory=list)  # the chain of successors, nearest first
    ended: Revision | None = None  # the commit that rejected, superseded or deprecated it
    supersedes: list[Record] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        return self.record.data or {}

    def rejected(self) -> list[dict[str, Any]]:
        options = self.data.get("options")
        if not isinstance(options, list):
            return []
        return [o for o in options if isinstance(o, dict) and o.get("why_not")]

    def as_json(self) -> dict[str, Any]:
        d = self.data
        out: dict[str, Any] = {
            "id": self.record.id, "title": self.record.title, "path": self.record.path,
            "score": round(self.score, 4), "matched": self.matched, "phrase_match": self.phrase,
            "status": d.get("status"), "owner": d.get("owner"), "door": d.get("door"),
            "decision": d.get("decision"), "rationale": d.get("rationale"),
            "rejected_options": [{"title": o.get("title"), "why_not": o.get("why_not")} for o in self.rejected()],
            "decided_on": d.get("decided_on"),
            "decided": self._decided_json(),
            "ended": ({"status": d.get("status"), **self.ended.as_json()} if self.ended else None),
            "created": self.created.as_json() if self.created else None,
            "superseded_by": [_brief(r) for r in self.replaced_by],
            "supersedes": [_brief(r) for r in self.supersedes],
            "linked_commits": [r.as_json() for r in self.linked],
        }
        return out


    def _decided_json(self) -> dict[str, Any] | None:
        if self.decided is None:
            return None
        out = self.decided.as_json()
        if self.decided_in:
            out["source"] = self.decided_in
        return out


def _brief(record: Record) -> dict[str, Any]:
    d = record.data or {}
    return {"id": record.id, "title": record.title, "status": d.get("status"), "decision": d.get("decision")}


def _index_path(log: Log) -> Path | None:
    from declog.storage import config

    private = config.private_dir(log.repo)
    return private / "search.sqlite" if private else None


def begin(log: Log, text: str) -> EarlyLexical | None:
    """Start what :func:`answers` for ``text`` (no ``status``, no ``at``) waits on, before the
    code that ranks and renders is loaded: git's look at the log's files (``Log.start_probe``)
    and, meanwhile, the lexical scores over the decisions of the search index's state
    (:class:`declog.core.search.EarlyLexical`), which ``answers(..., begun=)`` takes when that
    state is the log's."""
    log.start_probe()
    if not log.view_pending():
        return None
    from declog.core.search import EarlyLexical

    return EarlyLexical(_index_path(log), text)


def answers(log: Log, text: str, *, limit: int = 5, status: Sequence[str] = (), at: str | None = None,
            begun: EarlyLexical | None = None) -> list[Answer]:
    from declog.core.search import matched_fields, rank, rank_in_view

    if at is not None:
        from declog.history.snapshot import log_at

        log = log_at(log, at)
    index_path = _index_path(log)
    # a log unchanged since its snapshot, and an index synced at the same state: the answers
    # from the index and a few rows (declog.storage.stateview), no record loaded but theirs
    view = log.view() if not status else None
    hits = rank_in_view(view, text, index_path, None if status or at else begun) if view is not None else None
    records: list[Record] | None = None
    if hits is None:
        if begun is not None:
            begun.wait()  # its read of the index ends before this one syncs it
        records = log.light_records()  # no prose from the cache: the search index has the text

        def full(some: list[Record]) -> list[Record]:
            return [_whole(log, r) for r in some]

        hits = rank(records, text, index_path=index_path, full=full, state=log.trusted_state)
    hits = _aliased_first(log, text, hits)
    if status:
        hits = [h for h in hits if h.record.links.get("status") in status]
    hits = hits[:limit]
    if not hits:
        return []
    from declog.core.facts import LogFacts

    # the one record view: supersede links both ways (read from the light records, decoded only
    # where a link is), and what git knows, for these answers only
    scope = {str(h.record.id) for h in hits}
    if records is None:
        records = _chained(log, view, scope)
    facts = LogFacts(records, scope=scope)
    found = []
    for i, hit in enumerate(hits):
        record = _whole(log, hit.record)
        matched = matched_fields(record.data or {}, text)
        a = Answer(record, hit.score, matched, hit.phrase, detailed=i < DETAILED)
        rid = str(hit.record.id)
        if rid in facts.by_id:
            _, after = facts.chain(rid)
            older, _ = facts.supersede_maps()
            a.replaced_by = [_whole(log, facts.by_id[n]) for n in after if n in facts.by_id]
            a.supersedes = [_whole(log, facts.by_id[o]) for o in older.get(rid, []) if o in facts.by_id]
        found.append(a)
    _add_git(log, facts, found, at)
    return found


def _chained(log: Log, view: StateView | None, ids: set[str]) -> list[Record]:
    """The records LogFacts needs for the supersede chains through ``ids``: from the view, those
    records and every decision linked to them; else (the view went stale) the whole log's."""
    from declog.storage.stateview import StaleView

    if view is not None:
        try:
            return view.chained(ids)
        except StaleView:
            pass
    return log.light_records()


def _aliased_first(log: Log, text: str, hits: list[Any]) -> list[Any]:
    """A decision whose alias is the whole question (``declog why ADR-15``) comes first."""
    from declog.core.search import Hit

    words = text.split()
    named = log.by_alias(text) if 0 < len(words) <= 2 and text[:1].isalpha() else []
    if not named:
        return hits
    wanted = {r.id for r in named}
    top = [h for h in hits if h.record.id in wanted]
    have = {h.record.id for h in top}
    best = max((h.score for h in hits), default=1.0)
    top += [Hit(r, best, ["aliases"], True) for r in named if r.id not in have]
    return top + [h for h in hits if h.record.id not in wanted]


def _whole(log: Log, record: Record) -> Record:
    """``record`` with all its data (a light record is read again from its file)."""
    if record.data is not None or record.error is not None:
        return record
    entry = log.cache.entry(record.oid) if record.oid else None  # a light record of an unchanged file
    if entry is not None and isinstance(entry.get("data"), dict):
        return Record(record.path, record.kind, record.oid, data=entry["data"])
    try:
        raw = log.abs(record.path).read_bytes()
    except OSError:
        return record
    return log.parse_bytes(record.path, record.kind, record.oid, raw)


def _add_git(log: Log, facts: LogFacts, found: list[Answer], at: str | None) -> None:
    from declog.errors import GitError
    from declog.history import History

    try:
        hist = History(log, at)
    except GitError:
        return
    try:
        facts.history = hist
        for a in found:
            rid = str(a.record.id)
            if rid not in facts.by_id:
                continue
            f = facts.of(rid)
            a.created, a.decided, a.decided_in = f.created, f.decided, f.decided_in
            a.ended, a.linked = f.ended, f.linked
    finally:
        hist.close()


@dataclass
class NarrativeAnswer:
    """A narrative (PR/FAQ) that answers "why did we build X?", with the decisions it led to."""

    record: Record
    score: float
    decisions: list[Record] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        d = self.record.data or {}
        return {"id": self.record.id, "title": self.record.title, "path": self.record.path,
                "score": round(self.score, 4), "status": d.get("status"), "owner": d.get("owner"),
                "subtitle": d.get("subtitle"), "problem": d.get("problem"), "solution": d.get("solution"),
                "success_metrics": d.get("success_metrics") or [],
                "decisions": [_brief(r) for r in self.decisions]}


def narrative_answers(log: Log, text: str, *, limit: int = 3, at: str | None = None) -> list[NarrativeAnswer]:
    """Narratives ranked for ``text``, each with the decisions it led to (its `decisions`)."""
    from declog.core.search import rank_narratives

    if at is not None:
        from declog.history.snapshot import log_at

        log = log_at(log, at)
    from declog.storage.stateview import StaleView

    view = log.view()
    try:
        narratives = view.of_kind("narrative") if view is not None else None
    except StaleView:
        view = narratives = None
    records = log.light_records() if narratives is None else narratives
    stories = [_whole(log, r) for r in records if r.kind.name == "narrative"]
    hits = rank_narratives(stories, text)[:limit]
    if not hits:
        return []
    named = {d for hit in hits if isinstance(led := (hit.record.data or {}).get("decisions"), list)
             for d in led if isinstance(d, str)}
    if view is not None:
        try:
            records = view.with_ids(named)
        except StaleView:
            records = log.light_records()
    by_id: dict[str, Record] = {}
    for r in records:
        if r.id and r.error is None:
            by_id[str(r.id)] = r
    found = []
    for hit in hits:
        led_to = (hit.record.data or {}).get("decisions")
        decisions = [_whole(log, by_id[d]) for d in led_to if isinstance(d, str) and d in by_id] \
            if isinstance(led_to, list) else []
        found.append(NarrativeAnswer(hit.record, hit.score, decisions))
    return found
