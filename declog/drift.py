"""Drift between the log and the code (``declog drift``, a section of ``declog review``):

(a) references in tracked files to decision IDs or aliases (``D-7k3m9q``, ``ADR-0012``) that name
no decision, or a superseded, rejected or deprecated one; (b) ``scope`` globs that match no
tracked file; (c) per accepted decision with a scope, the commits since it was accepted that
touched its scope and the share of them that carry its ``Decision:`` trailer (adoption).

Git is read with a fixed number of processes whatever the size of the log: one ``git grep``, one
``git ls-files``, and the history and file-touch indexes under ``.git/declog/``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from declog import ids
from declog.kinds import KINDS
from declog.store import Log, Record

DEAD_STATUSES = ("superseded", "rejected", "deprecated")
ID_REF = r"D-[0-9a-hjkmnp-tv-z]{6}"


@dataclass
class Reference:
    """One reference in a tracked file that names no decision, or a dead one."""

    path: str
    line: int
    text: str  # what the file says: D-7k3m9q, ADR-0012
    problem: str  # unknown | superseded | rejected | deprecated
    decision: str | None = None
    title: str | None = None
    replacement: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "reference": self.text, "problem": self.problem,
                "decision": self.decision, "title": self.title, "replacement": self.replacement}

    def message(self) -> str:
        if self.problem == "unknown":
            return f"{self.path}:{self.line}: {self.text} names no decision in the log"
        what = f"{self.text} ({self.decision}, {self.title})" if self.text != self.decision else \
            f"{self.text} ({self.title})"
        tail = f"; cite {self.replacement} instead" if self.replacement else ""
        return f"{self.path}:{self.line}: {what} is {self.problem}{tail}"


@dataclass
class DeadScope:
    decision: str
    title: str
    path: str
    glob: str

    def as_json(self) -> dict[str, Any]:
        return {"decision": self.decision, "title": self.title, "path": self.path, "glob": self.glob}

    def message(self) -> str:
        return f"{self.path}: scope {self.glob!r} of {self.decision} ({self.title}) matches no tracked file"


@dataclass
class Adoption:
    decision: str
    title: str
    owner: str | None
    accepted: str | None  # ISO date it was accepted
    commits: int  # commits since then that touched its scope
    with_trailer: int
    missing: list[str] = field(default_factory=list)  # the newest commits without its trailer (IDs)

    @property
    def share(self) -> float | None:
        return round(self.with_trailer / self.commits, 3) if self.commits else None

    def as_json(self) -> dict[str, Any]:
        return {"decision": self.decision, "title": self.title, "owner": self.owner, "accepted": self.accepted,
                "commits": self.commits, "with_trailer": self.with_trailer, "share": self.share,
                "without_trailer": self.missing}


@dataclass
class Drift:
    references: list[Reference]
    dead_scopes: list[DeadScope]
    adoption: list[Adoption]

    @property
    def failed(self) -> bool:
        """What CI gates on: dead references or dead scopes (adoption is a figure, not a failure)."""
        return bool(self.references or self.dead_scopes)

    def as_json(self) -> dict[str, Any]:
        return {"references": [r.as_json() for r in self.references],
                "dead_scopes": [s.as_json() for s in self.dead_scopes],
                "adoption": [a.as_json() for a in self.adoption]}


def decisions_of(log: Log) -> list[Record]:
    """The decisions as light records (no prose, but scope, status and links): a 10,000-record
    log is not decoded in full; :func:`full` reads the few that a finding names."""
    return [r for r in log.light_records() if r.kind is KINDS["decision"] and r.id
            and (r.data is not None or r.light is not None or r.light_json is not None)]


def full(log: Log, record: Record) -> Record:
    """``record`` with its prose (:meth:`Log.full`)."""
    return log.full(record)


def reference_regex(log: Log) -> re.Pattern[str]:
    """Decision IDs and the configured alias patterns, as whole words."""
    alts = [ID_REF, *log.config.reference_patterns]
    return re.compile("(?<![0-9A-Za-z_-])(?:" + "|".join(f"(?:{p})" for p in alts) + ")(?![0-9A-Za-z_])")


class Resolver:
    """What a reference names: a decision by ID or alias, and whether it is still current."""

    def __init__(self, log: Log, decisions: Sequence[Record]) -> None:
        self.log = log
        self.by_id = {r.id: r for r in decisions}
        self.by_alias: dict[str, Record] = {}
        for r in decisions:
            aliases = r.link("aliases")
            for a in aliases if isinstance(aliases, list) else []:
                if isinstance(a, str):
                    self.by_alias.setdefault(ids.alias_key(a), r)

    def check(self, path: str, line: int, text: str) -> Reference | None:
        record = self.by_id.get(text) if text.startswith("D-") else self.by_alias.get(ids.alias_key(text))
        if record is None:
            return Reference(path, line, text, "unknown")
        data = record.links
        status = data.get("status")
        if status not in DEAD_STATUSES:
            return None
        replacement = data.get("superseded_by") if isinstance(data.get("superseded_by"), str) else None
        return Reference(path, line, text, str(status), record.id, full(self.log, record).title, replacement)


def references(log: Log, git: Any, paths: Sequence[str] | None = None,
               decisions: Sequence[Record] | None = None) -> list[Reference]:
    """Dead references in tracked files (all of them, or only ``paths``), in one ``git grep``.
    The log's own folder is left out: links between records are what ``validate`` checks."""
    from declog.history.touches import grep

    regex = reference_regex(log)
    resolver = Resolver(log, decisions if decisions is not None else decisions_of(log))
    root = log.config.root
    hits = grep(git, [ID_REF, *log.config.reference_patterns], exclude=[root, ".declog.yaml"], paths=paths)
    out: list[Reference] = []
    for path, line, text in hits:
        if path == root or path.startswith(root + "/"):
            continue
        for m in regex.finditer(text):
            ref = resolver.check(path, line, m.group(0))
            if ref is not None:
                out.append(ref)
    out.sort(key=lambda r: (r.path, r.line, r.text))
    return out


def dead_scopes(decisions: Sequence[Record], tracked: Sequence[str], titles: Any = None) -> list[DeadScope]:
    """Globs of decisions in force that match none of ``tracked``; ``titles(record)`` gives a
    record's title (its full read for a light record)."""
    from declog.scope import matches

    titles = titles or (lambda r: r.title)

    out: list[DeadScope] = []
    seen: dict[str, bool] = {}
    for r in decisions:
        data = r.links
        scope = data.get("scope")
        if data.get("status") in DEAD_STATUSES or not isinstance(scope, list):
            continue  # a decision no longer in force may point at code that is gone
        for glob in scope:
            if not isinstance(glob, str):
                continue
            if glob not in seen:
                seen[glob] = any(matches(glob, f) for f in tracked)
            if not seen[glob]:
                out.append(DeadScope(r.id or "", titles(r), r.path, glob))
    out.sort(key=lambda s: (s.decision, s.glob))
    return out


def adoption(log: Log, hist: Any, decisions: Sequence[Record], *, keep_missing: int = 5) -> list[Adoption]:
    """Per accepted decision with a scope: commits since it was accepted that touched its scope
    and how many carry its trailer; worst share first (then the most commits)."""
    from declog.history import index_path
    from declog.history.touches import open_touches
    from declog.scope import matches

    scoped = [r for r in decisions if r.links.get("status") == "accepted" and r.links.get("scope")]
    if not scoped:
        return []
    path = index_path(log)
    touches = open_touches(hist.git, hist.tip, path.with_name("touches.sqlite") if path else None)
    try:
        per_path, commits = touches.by_path()
    finally:
        touches.close()
    accepted = hist.index.accepted_at()
    links = hist.index.trailer_links()
    root = log.config.root + "/"
    code_paths = [p for p in per_path if not p.startswith(root)]
    by_glob: dict[str, set[int]] = {}
    out: list[Adoption] = []
    for r in scoped:
        data = r.links
        rev = accepted.get(r.id or "")
        if rev is not None:
            since, when = rev.time, dt.datetime.fromtimestamp(rev.time, dt.UTC).date().isoformat()
        else:
            decided = str(data.get("decided_on") or "")
            try:
                day = dt.date.fromisoformat(decided)
            except ValueError:
                continue  # never committed as accepted and no date: nothing to measure from
            since = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
            when = day.isoformat()
        seqs: set[int] = set()
        for glob in data.get("scope") or []:
            if not isinstance(glob, str):
                continue
            if glob not in by_glob:
                by_glob[glob] = {s for p in code_paths if matches(glob, p) for s in per_path[p]}
            seqs |= by_glob[glob]
        hits = sorted((s for s in seqs if commits[s].time >= since), reverse=True)
        if rev is not None:
            hits = [s for s in hits if commits[s].oid != rev.oid]
        carried = [s for s in hits if (r.id or "") in links.get(commits[s].oid, ())]
        missing = [commits[s].oid for s in hits if (r.id or "") not in links.get(commits[s].oid, ())][:keep_missing]
        out.append(Adoption(r.id or "", full(log, r).title, data.get("owner"), when, len(hits), len(carried),
                            missing))
    out.sort(key=lambda a: (a.share if a.share is not None else 2.0, -a.commits, a.decision))
    return out


def drift(log: Log) -> Drift:
    from declog.history import History
    from declog.history.touches import tracked_files

    decisions = decisions_of(log)
    hist = History(log)
    try:
        refs = references(log, hist.git, decisions=decisions)
        dead = dead_scopes(decisions, tracked_files(hist.git), lambda r: full(log, r).title)
        adopted = adoption(log, hist, decisions) if hist.head else []
    finally:
        hist.close()
    return Drift(refs, dead, adopted)
