"""The decisions behind code: trailers on the commits that last touched lines, decisions whose
``scope`` globs match the path, and (for a branch) everything its changes touch."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from declog.errors import UsageError
from declog.storage.store import Log, Record

_SPEC = re.compile(r"^(?P<path>.+?):(?P<start>\d+)(?:[-,](?P<end>\d+))?$")


@dataclass
class Reason:
    via: str  # trailer | scope | record
    text: str
    detail: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"via": self.via, "text": self.text, **self.detail}


@dataclass
class Governing:
    record_id: str
    record: Record | None
    reasons: list[Reason] = field(default_factory=list)

    @property
    def fields(self) -> dict[str, Any]:
        """The record's fields: all of them, or (a light record, as ``declog blame`` reads it)
        all but the prose, which holds everything blame shows."""
        if self.record is None:
            return {}
        return self.record.data if self.record.data is not None else self.record.links

    @property
    def title(self) -> str | None:
        if self.record is None:
            return None
        value = self.fields.get(self.record.kind.title_field)
        return value if isinstance(value, str) else ""

    def as_json(self) -> dict[str, Any]:
        data = self.fields
        return {"id": self.record_id, "title": self.title,
                "status": data.get("status"), "owner": data.get("owner"),
                "path": self.record.path if self.record else None,
                "reasons": [r.as_json() for r in self.reasons]}


@dataclass
class BlameResult:
    target: str
    lines: tuple[int, int] | None
    decisions: list[Governing]
    files: list[str] = field(default_factory=list)
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"target": self.target, "lines": list(self.lines) if self.lines else None, "files": self.files,
                "decisions": [d.as_json() for d in self.decisions], "note": self.note or None}


def parse_spec(log: Log, spec: str) -> tuple[str, tuple[int, int] | None]:
    """``PATH[:LINE[-LINE]]`` → repository-relative path and line range."""
    m = _SPEC.match(spec)
    raw, lines = spec, None
    if m and not Path(spec).exists():
        raw = m.group("path")
        start = int(m.group("start"))
        end = int(m.group("end") or start)
        if start < 1 or end < start:
            raise UsageError(f"'{spec}': lines are 1-based, START-END with END >= START (e.g. app.py:10-20)")
        lines = (start, end)
    path = Path(raw)
    absolute = (Path.cwd() / path).resolve() if not path.is_absolute() else path.resolve()
    try:
        rel = absolute.relative_to(log.repo.resolve()).as_posix()
    except ValueError:
        raise UsageError(f"'{raw}' is outside this repository") from None
    if absolute.is_dir():
        raise UsageError(f"'{raw}' is a folder: blame takes a file (use --changed-since for a whole branch)")
    return rel, lines


class _Collector:
    """Decisions found for some code. Reads the log's light records (no prose; ``scope`` is
    there) and reads in full only the records it hands back (with ``prose``; without it, as
    ``declog blame`` shows them, not even those). With ``few`` (one file's blame), a log
    unchanged since its snapshot is read in place (``Log.view``): the decisions with a scope,
    and the records the trailers name (:meth:`need`), not the whole log."""

    def __init__(self, log: Log, prose: bool = True, few: bool = False) -> None:
        from declog.storage.stateview import StaleView

        self.log = log
        self.prose = prose
        self.view = log.view() if few else None
        if self.view is not None:
            try:
                scoped = self.view.containing('"scope":', "decision")
                self.by_id = _by_id(self.view.with_ids({str(r.id) for r in scoped if r.id}))
            except StaleView:
                self.view = None
        if self.view is None:
            self.by_id = _by_id(log.light_records())
        self.scoped = _scoped(self.by_id)
        self.found: dict[str, Governing] = {}

    def need(self, rids: Collection[str]) -> None:
        """Read the records of ``rids`` now, in one query (a log read in place)."""
        from declog.storage.stateview import StaleView

        missing = {rid for rid in rids if rid not in self.by_id}
        if self.view is None or not missing:
            return
        try:
            self.by_id.update(_by_id(self.view.with_ids(missing)))
        except StaleView:  # another process saved another snapshot: read the log as it is
            self.view = None
            self.by_id = _by_id(self.log.light_records())
            self.scoped = _scoped(self.by_id)

    def full(self, rid: str) -> Record | None:
        record = self.by_id.get(rid)
        if not self.prose:
            return record
        if record is not None and record.data is None:
            record = self.by_id[rid] = self.log.full(record)
        return record if record is not None and record.data is not None else None

    def add(self, rid: str, reason: Reason) -> None:
        g = self.found.get(rid)
        if g is None:
            g = self.found[rid] = Governing(rid, self.full(rid))
        if reason.text not in {r.text for r in g.reasons}:
            g.reasons.append(reason)

    def scopes(self, path: str) -> None:
        from declog.domain.scope import matching, prefix

        for rid, scope in self.scoped:
            if not any(path.startswith(prefix(g)) for g in scope if isinstance(g, str)):
                continue  # no glob of this decision can match: not even compiled
            for glob in matching(scope, path):
                self.add(rid, Reason("scope", f"scope {glob!r} matches {path}", {"glob": glob, "file": path}))

    def result(self) -> list[Governing]:
        order = {"trailer": 0, "record": 1, "scope": 2}
        return sorted(self.found.values(), key=lambda g: (min(order[r.via] for r in g.reasons), g.record_id))


def _drop(pending: Callable[[], Any]) -> None:
    """Wait for a git started for nothing, and drop what it says."""
    from declog.errors import GitError

    try:
        pending()
    except GitError:
        pass


def _by_id(records: Iterable[Record]) -> dict[str, Record]:
    """ID → record (the last file of an ID), of the records that could be read."""
    return {r.id: r for r in records if r.id and (r.data is not None or r.light_json or r.light is not None)}


def _scoped(by_id: dict[str, Record]) -> list[tuple[str, list[Any]]]:
    from declog.domain.kinds import KINDS

    return [(rid, scope) for rid, r in by_id.items()
            if r.kind is KINDS["decision"] and isinstance(scope := r.link("scope"), list) and scope]


def _ranges(lines: list[int]) -> str:
    out = []
    start = prev = lines[0]
    for n in [*lines[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(out)


def blame_path(log: Log, spec: str, prose: bool = True) -> BlameResult:
    """The decisions behind ``PATH[:LINE[-LINE]]``; ``prose=False`` leaves their records light
    (everything but the prose fields, all that blame shows)."""
    return PathBlame(log, spec, prose).result()


class PathBlame:
    """:func:`blame_path` in two steps: made, it checks the path and starts ``git blame``;
    :meth:`result` reads the log's records (while git works, unless the caller read them
    meanwhile) and waits for git."""

    def __init__(self, log: Log, spec: str, prose: bool = True) -> None:
        from declog.history import Git, History
        from declog.history.blame import start_blame

        self.log, self.spec, self.prose = log, spec, prose
        self.rel, self.lines = parse_spec(log, spec)
        # git blame first: it works while the history index opens and the log is read
        started = start_blame(Git(log.repo), self.rel, [self.lines] if self.lines else [])
        try:
            self.hist = History(log)
        except BaseException:
            _drop(started)
            raise
        self.pending: Callable[[], list[Any]] | None = started
        if not self.hist.head:  # no commit yet: nothing to blame (git says so; its answer is dropped)
            _drop(started)
            self.pending = None

    def result(self) -> BlameResult:
        from declog.errors import GitError

        log, rel, lines, hist = self.log, self.rel, self.lines, self.hist
        note = ""
        try:
            col = _Collector(log, self.prose, few=True)
            try:
                hits = self.pending() if self.pending is not None else []
            except GitError as exc:
                if not (log.repo / rel).exists():
                    raise UsageError(f"'{rel}' does not exist in the working tree") from None
                detail = exc.message.removeprefix("git blame failed: ").removeprefix("fatal: ")
                if "has only" in detail:  # LINE past the end of the file: the user's mistake
                    raise UsageError(f"{self.spec}: {detail}") from None
                hits = []
                if "no such path" in detail:  # a file git does not track (yet): say so plainly
                    note = f"{rel} is not tracked by git (never committed), so no commit is behind its lines"
                else:
                    note = f"no git blame for {rel} ({detail})"
            revs = [h.revision for h in hits if h.revision is not None]
            links = hist.index.links_of(r.oid for r in revs)
            col.need({rid for rids in links.values() for rid in rids})
            for hit in hits:
                rev = hit.revision
                if rev is None:
                    continue
                for rid in links.get(rev.oid, []):
                    col.add(rid, Reason(
                        "trailer",
                        f"{log.config.trailer}: trailer on {rev.short} ({rev.author}, {rev.date}: {rev.subject}), "
                        f"line{'s' if len(hit.lines) > 1 else ''} {_ranges(list(hit.lines))}",
                        {"commit": rev.oid, "author": rev.author, "date": rev.date, "subject": rev.subject,
                         "lines": list(hit.lines)}))
        finally:
            hist.close()
        col.scopes(rel)
        return BlameResult(rel + (f":{lines[0]}-{lines[1]}" if lines else ""), lines, col.result(), [rel], note)


def changed_since(log: Log, ref: str, prose: bool = True) -> BlameResult:
    """Decisions governing what this branch changed since it forked from ``ref`` (``prose``: as
    for :func:`blame_path`)."""
    from declog.history import History

    hist = History(log)
    col = _Collector(log, prose)
    try:
        git = hist.git
        target = git.verify_commit(ref, "--changed-since")
        base = git.merge_base(target, hist.head) if hist.head else None
        if base is None:
            raise UsageError(f"--changed-since {ref}: this branch shares no history with it")
        files = git.changed_files(base)
        commits = git.rev_list("HEAD", [target])
        links = hist.index.links_of(commits)
        revs = hist.index.revisions(commits)
        for oid in commits:
            rev = revs.get(oid)
            for rid in links.get(oid, []):
                assert rev is not None
                col.add(rid, Reason("trailer", f"{log.config.trailer}: trailer on {rev.short} ({rev.author}, "
                                               f"{rev.date}: {rev.subject})",
                                    {"commit": oid, "author": rev.author, "date": rev.date, "subject": rev.subject}))
        root = log.config.root + "/"
        by_path = {r.path: r for r in col.by_id.values()}
        for path in files:
            if path.startswith(root):
                rec = by_path.get(path)
                if rec is not None and rec.id:
                    col.add(rec.id, Reason("record", f"the record itself changed on this branch ({path})",
                                           {"file": path}))
                continue
            col.scopes(path)
    finally:
        hist.close()
    return BlameResult(f"changes since {ref}", None, col.result(), files)


def governing_files(log: Log, files: list[str], target: str) -> BlameResult:
    """Decisions whose ``scope`` matches any of ``files`` (repository-relative), and the records
    among them; no git process."""
    col = _Collector(log)
    root = log.config.root + "/"
    by_path = {r.path: r for r in col.by_id.values()}
    for path in files:
        if path.startswith(root):
            rec = by_path.get(path)
            if rec is not None and rec.id:
                col.add(rec.id, Reason("record", f"the record itself changes ({path})", {"file": path}))
            continue
        col.scopes(path)
    return BlameResult(target, None, col.result(), files)
