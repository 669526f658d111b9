"""Drift between the log and the code (``declog drift``, a section of ``declog review``):

(a) references in tracked files to decision IDs or aliases (``D-7k3m9q``, ``ADR-0012``) that name
no decision, or a superseded, rejected or deprecated one; (b) ``scope`` globs that match no
tracked file; (c) per accepted decision with a scope, the commits since it was accepted that
touched its scope and the share of them that carry its ``Decision:`` trailer (adoption).

Git is read with a fixed number of processes whatever the size of the log: one ``git grep``, one
``git ls-files``, and the history and file-touch indexes under ``.git/declog/``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from declog.domain import ids, vocab
from declog.domain.kinds import KINDS
from declog.storage.store import Log, Record

DEAD_STATUSES = vocab.ENDED_DECISION_STATUSES
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
    log is not decoded in full; :func:`full` reads the few that a finding names. Where the parse
    cache's snapshot can be queried in place (``Log.view``), only the decisions' rows are read
    (``declog review``: 10,000 rows of a 30,000-record log, not all of them)."""
    kind = KINDS["decision"]
    records = log.from_view(lambda view: view.of_kind(kind.name))
    if records is None:
        records = log.light_records()
    return [r for r in records if r.kind is kind and r.id
            and (r.data is not None or r.light is not None or r.light_json is not None)]


def full(log: Log, record: Record) -> Record:
    """``record`` with its prose (:meth:`Log.full`)."""
    return log.full(record)


def title_of(record: Record) -> str:
    """A record's title, from a light record too (titles are in the light view)."""
    value = record.title or record.link(record.kind.title_field)
    return value if isinstance(value, str) else ""


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
        return Reference(path, line, text, str(status), record.id, title_of(record), replacement)


def references(log: Log, git: Any, paths: Sequence[str] | None = None,
               decisions: Sequence[Record] | None = None, resolver: Resolver | None = None) -> list[Reference]:
    """Dead references in tracked files (all of them, or only ``paths``), in one ``git grep``.
    The log's own folder is left out: links between records are what ``validate`` checks."""
    from declog.history.touches import grep

    regex = reference_regex(log)
    resolver = resolver or Resolver(log, decisions if decisions is not None else decisions_of(log))
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


def under(ordered: Sequence[str], start: str) -> Iterator[str]:
    """The paths of sorted ``ordered`` that begin with ``start``."""
    i = bisect.bisect_left(ordered, start)
    while i < len(ordered) and ordered[i].startswith(start):
        yield ordered[i]
        i += 1


def dead_scopes(decisions: Sequence[Record], tracked: Sequence[str], titles: Any = None) -> list[DeadScope]:
    """Globs of decisions in force that match none of ``tracked``."""
    from declog.domain.scope import matches, prefix

    titles = titles or title_of  # a light record (a warm cache) has its title in the light view

    out: list[DeadScope] = []
    seen: dict[str, bool] = {}
    ordered = sorted(tracked)
    for r in decisions:
        scope = r.link("scope")  # a light record without a scope is not even decoded
        if not isinstance(scope, list) or r.link("status") in DEAD_STATUSES:
            continue  # a decision no longer in force may point at code that is gone
        for glob in scope:
            if not isinstance(glob, str):
                continue
            if glob not in seen:
                seen[glob] = any(matches(glob, f) for f in under(ordered, prefix(glob)))
            if not seen[glob]:
                out.append(DeadScope(r.id or "", titles(r), r.path, glob))
    out.sort(key=lambda s: (s.decision, s.glob))
    return out


def adoption(log: Log, hist: Any, decisions: Sequence[Record], *, keep_missing: int = 5) -> list[Adoption]:
    """Per accepted decision with a scope: commits since it was accepted that touched its scope
    and how many carry its trailer; worst share first (then the most commits)."""
    from declog.domain.scope import matches, prefix
    from declog.history import index_path
    from declog.history.touches import open_touches

    scoped = [r for r in decisions if r.link("scope") and r.link("status") == "accepted"]
    if not scoped:
        return []
    path = index_path(log)
    touches = open_touches(hist.git, hist.tip, path.with_name("touches.sqlite") if path else None)
    try:
        root = log.config.root + "/"
        code_paths = sorted(p for p in touches.paths() if not p.startswith(root))
        globbed: dict[str, list[str]] = {}
        for r in scoped:
            for glob in r.link("scope") or []:
                if isinstance(glob, str) and glob not in globbed:
                    globbed[glob] = [p for p in under(code_paths, prefix(glob)) if matches(glob, p)]
        # only the touches of matched paths, and the times of those commits, are read
        per_path = touches.seqs_of([p for paths in globbed.values() for p in paths])
        by_glob = {glob: {s for p in paths for s in per_path.get(p, ())} for glob, paths in globbed.items()}
        times = touches.times_of(sorted(set().union(*by_glob.values())) if by_glob else [])
        accepted = hist.index.accepted_at([r.id or "" for r in scoped])
        links = hist.index.trailer_links()
        linked = touches.numbers(list(links))  # trailer-carrying commits, by number
        carries: dict[int, set[str]] = {seq: links[oid] for oid, seq in linked.items()}
        accepted_seq = touches.numbers([rev.oid for rev in accepted.values()])
        rows = []
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
                seqs |= by_glob.get(glob, set()) if isinstance(glob, str) else set()
            skip = accepted_seq.get(rev.oid) if rev is not None else None
            hits = sorted((q for q in seqs if times.get(q, 0) >= since and q != skip), reverse=True)
            carried = [q for q in hits if (r.id or "") in carries.get(q, ())]
            missing = [q for q in hits if (r.id or "") not in carries.get(q, ())][:keep_missing]
            rows.append((r, data, when, hits, carried, missing))
        oids = touches.oids([q for *_, missing in rows for q in missing])
    finally:
        touches.close()
    out: list[Adoption] = []
    for r, data, when, hits, carried, missing in rows:
        out.append(Adoption(r.id or "", title_of(r), data.get("owner"), when, len(hits), len(carried),
                            [oids[q] for q in missing if q in oids]))
    out.sort(key=lambda a: (a.share if a.share is not None else 2.0, -a.commits, a.decision))
    return out


def drift(log: Log) -> Drift:
    from declog.history import History
    from declog.history.touches import tracked_files

    decisions = decisions_of(log)
    hist = History(log)
    try:
        refs = references(log, hist.git, decisions=decisions)
        dead = dead_scopes(decisions, tracked_files(hist.git))
        adopted = adoption(log, hist, decisions) if hist.head else []
    finally:
        hist.close()
    return Drift(refs, dead, adopted)
