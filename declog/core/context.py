"""What a reviewer or an agent should know before changing some files (``declog context``): the
decisions whose ``scope`` matches them, decisions named by ``Decision:`` trailers on the branch,
superseded or rejected decisions the change still cites, open correction action items and
mechanisms that come from those decisions, and which of them are due for review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from declog.core.blame import BlameResult
from declog.core.drift import DEAD_STATUSES, Reference
from declog.domain import clock
from declog.domain.kinds import KINDS
from declog.errors import UsageError
from declog.storage.store import Log, Record

HEADING = "Decisions behind this change"
MARKER = "<!-- declog-context -->"  # lets a CI job find and update its own comment


def paragraph(text: Any) -> str | None:
    """The first paragraph of a prose field, on one line (the record's own words, cut nowhere else)."""
    if not isinstance(text, str) or not text.strip():
        return None
    first = text.strip().split("\n\n", 1)[0]
    return " ".join(first.split())


@dataclass
class Governing:
    id: str
    title: str
    status: str | None
    owner: str | None
    decision: str | None  # its first paragraph
    path: str
    reasons: list[dict[str, Any]]
    review_due: str | None = None  # ISO date of a review that has come

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "status": self.status, "owner": self.owner,
                "decision": self.decision, "path": self.path, "review_due": self.review_due,
                "reasons": self.reasons}


@dataclass
class ActionItem:
    correction: str
    title: str
    index: int
    description: str
    owner: str | None
    due: str | None
    via: str  # the decision that links it

    def as_json(self) -> dict[str, Any]:
        return {"correction": self.correction, "title": self.title, "index": self.index,
                "description": self.description, "owner": self.owner, "due": self.due, "via": self.via}


@dataclass
class Mechanism:
    id: str
    name: str
    owner: str | None
    status: str | None
    via: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "owner": self.owner, "status": self.status, "via": self.via}


@dataclass
class Context:
    target: str
    files: list[str]
    decisions: list[Governing] = field(default_factory=list)
    cited: list[Reference] = field(default_factory=list)  # dead decisions the change still cites
    action_items: list[ActionItem] = field(default_factory=list)
    mechanisms: list[Mechanism] = field(default_factory=list)

    @property
    def due(self) -> list[Governing]:
        return [g for g in self.decisions if g.review_due]

    def as_json(self) -> dict[str, Any]:
        return {"target": self.target, "files": self.files, "decisions": [g.as_json() for g in self.decisions],
                "cited": [c.as_json() for c in self.cited],
                "action_items": [a.as_json() for a in self.action_items],
                "mechanisms": [m.as_json() for m in self.mechanisms],
                "due_for_review": [g.id for g in self.due]}


def _review_due(data: dict[str, Any], as_of: dt.date) -> str | None:
    raw = data.get("review_by")
    try:
        review_by = dt.date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None
    if review_by is None or review_by > as_of or data.get("status") != "accepted":
        return None
    for rv in data.get("reviews") or []:
        try:
            if isinstance(rv, dict) and dt.date.fromisoformat(str(rv.get("on"))) >= review_by:
                return None
        except ValueError:
            continue
    return review_by.isoformat()


def _rel(log: Log, raw: str) -> str:
    path = Path(raw)
    absolute = (Path.cwd() / path).resolve() if not path.is_absolute() else path.resolve()
    try:
        return absolute.relative_to(log.repo.resolve()).as_posix()
    except ValueError:
        raise UsageError(f"'{raw}' is outside this repository") from None


def context(log: Log, *, since: str | None = None, staged: bool = False, paths: tuple[str, ...] = (),
            as_of: dt.date | None = None) -> Context:
    """The context of a change: what a branch changed since it forked from ``since``, what is
    staged, or ``paths`` (files or folders, relative to the current folder)."""
    from declog.core import blame, drift
    from declog.history import Git
    from declog.history.touches import staged_files, tracked_files

    if sum([since is not None, staged, bool(paths)]) != 1:
        raise UsageError("give --changed-since REF, --staged or PATHs (one of them)")
    git = Git(log.repo)
    result: BlameResult
    if since is not None:
        result = blame.changed_since(log, since)
    elif staged:
        result = blame.governing_files(log, staged_files(git), "staged changes")
    else:
        rels = [_rel(log, p) for p in paths]
        tracked = tracked_files(git)
        files: list[str] = []
        for rel in rels:
            if (log.repo / rel).is_dir() or rel in ("", "."):
                prefix = "" if rel in ("", ".") else rel.rstrip("/") + "/"
                files += [f for f in tracked if f.startswith(prefix)]
            else:
                files.append(rel)
        result = blame.governing_files(log, list(dict.fromkeys(files)), ", ".join(paths))
    today = as_of or clock.today()
    ctx = Context(result.target, result.files)
    decisions = drift.decisions_of(log)
    resolver = drift.Resolver(log, decisions)
    for g in result.decisions:
        record = g.record
        if record is None or record.kind is not KINDS["decision"]:
            continue
        data = record.data or {}
        if data.get("status") in DEAD_STATUSES:
            # a trailer of this branch names a decision that is no longer in force
            for reason in g.reasons:
                if reason.via == "trailer":
                    ref = resolver.check(f"commit {str(reason.detail.get('commit', ''))[:12]}", 0, record.id or "")
                    if ref is not None:
                        ctx.cited.append(ref)
            if not any(r.via == "scope" for r in g.reasons):
                continue
        ctx.decisions.append(Governing(record.id or "", record.title, data.get("status"), data.get("owner"),
                                       paragraph(data.get("decision")), record.path,
                                       [r.as_json() for r in g.reasons], _review_due(data, today)))
    code = [f for f in result.files if not f.startswith(log.config.root + "/") and (log.repo / f).is_file()]
    ctx.cited += drift.references(log, git, paths=code, resolver=resolver)
    _linked(log, ctx)
    return ctx


def _linked(log: Log, ctx: Context) -> None:
    """Open action items of corrections related to the governing decisions, and mechanisms whose
    origin is one of them (or one of those corrections)."""
    from declog.core.drift import full

    ids = {g.id for g in ctx.decisions}
    if not ids:
        return
    via_correction: dict[str, str] = {}
    wanted = (KINDS["correction"], KINDS["mechanism"])
    records: list[Record] = [r for r in log.light_records() if r.kind in wanted and r.id]
    for light in records:
        if light.kind is not KINDS["correction"]:
            continue
        related = light.link("related")
        linked = [d for d in related if d in ids] if isinstance(related, list) else []
        if not linked:
            continue
        r = full(log, light)
        data = r.data or {}
        via_correction[r.id or ""] = linked[0]
        for i, item in enumerate(data.get("action_items") or []):
            if isinstance(item, dict) and item.get("status", "open") == "open":
                ctx.action_items.append(ActionItem(r.id or "", r.title, i, str(item.get("description") or ""),
                                                   item.get("owner"), str(item["due"]) if item.get("due") else None,
                                                   linked[0]))
    for light in records:
        if light.kind is not KINDS["mechanism"]:
            continue
        origins = light.link("origin")
        for origin in origins if isinstance(origins, list) else []:
            via = origin if origin in ids else via_correction.get(origin)
            if via:
                r = full(log, light)
                data = r.data or {}
                ctx.mechanisms.append(Mechanism(r.id or "", r.title, data.get("owner"), data.get("status"), via))
                break
