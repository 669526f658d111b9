"""The git history of the files imported decisions came from (``source.path``, such as
``doc/adr/0007-use-postgres.md``), from before the import and after it, following renames.

``git log --follow`` takes exactly one path, so ``declog why`` with five imported answers
would start five walks. Here one ``git log`` pass, limited to the files' literal paths, covers
every requested file at once; the commits where a file appeared (or vanished) then go through
ONE ``git diff-tree -M --stdin`` over their whole trees, which names what it was renamed from
(``doc/adr`` → ``docs/architecture/decisions``), and the next pass walks the old names from
there: as ``--follow`` does, one pass per level of renames rather than one per file. (A
pathspec wide enough for ``-M`` to see both sides, ``:(glob)**/*.md``, defeats git's tree
pruning: 45 s instead of 0.3 s on 50,000 commits.) ``--diff-merges=first-parent`` shows what a
merge itself changed; a merge that only brought in a version a branch commit already made is
left out, so the branch commit (its real author and date) shows it. Then one ``git cat-file
--batch`` reads the versions.

What a tip's walk found is kept in the history index (``.git/declog/history.sqlite``), keyed by
the tip commit and the path; when HEAD moves forward only the new commits are walked. The
results are declog dataclasses; nothing here knows the markdown formats.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from declog.domain.ids import inside_repository
from declog.history.git import HEX_RE, Git
from declog.history.model import Revision
from declog.history.walk import log_chunks, raw_entries, revision_of

FORMAT = "--format=%x1e" + "%x1f".join(["%H", "%P", "%at", "%aN", "%aE", "%s"]) + "%x1f"
MAX_ROUNDS = 16  # levels of renames followed
CACHE_SCHEMA = "create table if not exists source_events (path text primary key, tip text, events text)"


@dataclass(frozen=True)
class SourceEvent:
    """A commit's effect on a source file: ``created``, ``changed``, ``renamed`` (maybe changed
    too: compare ``old_oid`` and ``oid``) or ``deleted``. ``path`` is the file's name after the
    commit (before it, for ``deleted``); ``oid`` its blob after the commit (None when deleted)."""

    revision: Revision
    action: str
    path: str
    old_path: str | None
    oid: str | None
    old_oid: str | None = None

    @property
    def merge(self) -> bool:
        return self.revision.is_merge


@dataclass
class SourceHistory:
    """Everything git knows about one source file, newest first, with the versions' contents."""

    path: str  # as asked (the record's source.path)
    events: list[SourceEvent] = field(default_factory=list)
    contents: dict[str, bytes] = field(default_factory=dict)  # blob oid → bytes

    def content(self, oid: str | None) -> bytes | None:
        return self.contents.get(oid) if oid else None


def _dec(raw: bytes) -> str:  # paths: kept byte for byte
    return raw.decode("utf-8", "surrogateescape")


@dataclass
class _Change:
    status: str  # A M D R T
    old_path: str | None
    new_path: str | None
    old_oid: str | None
    new_oid: str | None


def parse(data: bytes) -> list[tuple[Revision, list[_Change]]]:
    """Commits of the ``git log`` output of :func:`log_args`, newest first, with their changes."""
    out: list[tuple[Revision, list[_Change]]] = []
    for (oid, parents, atime, author, email, subject), raw in log_chunks(data, 6):
        changes: list[_Change] = []
        for status, old_oid, new_oid, old_path, new_path in raw_entries(raw):
            no_old = status == "A" or not old_oid.strip("0")
            no_new = status == "D" or not new_oid.strip("0")
            changes.append(_Change(status, None if no_old else _dec(old_path), None if no_new else _dec(new_path),
                                   None if no_old else old_oid, None if no_new else new_oid))
        out.append((revision_of(oid, parents, atime, author, email, subject), changes))
    return out


def log_args(tips: Sequence[str], names: Sequence[str], exclude: Sequence[str] = ()) -> list[str]:
    """``git log`` of the files named exactly ``names`` (``--literal-pathspecs``: no globs, no magic)."""
    return ["--literal-pathspecs", "log", "--no-color", "--no-ext-diff", "--no-textconv", "-M", "--raw", "-z",
            "--no-abbrev", "--diff-merges=first-parent", FORMAT, "--end-of-options", *tips,
            *[f"^{e}" for e in exclude], "--", *names]


def follow(commits: Sequence[tuple[Revision, Sequence[_Change]]], path: str) -> list[SourceEvent]:
    """The events of the file named ``path`` at the newest of ``commits`` (or last, if it was
    deleted), newest first, following the renames the walk itself saw."""
    names = {path}
    events: list[SourceEvent] = []
    for revision, changes in commits:
        for c in changes:
            if c.status == "C":
                continue
            if c.new_path is not None and c.new_path in names:
                if c.status == "A":
                    events.append(SourceEvent(revision, "created", c.new_path, None, c.new_oid))
                elif c.status == "R" and c.old_path is not None and c.old_path != c.new_path:
                    names.add(c.old_path)
                    events.append(SourceEvent(revision, "renamed", c.new_path, c.old_path, c.new_oid, c.old_oid))
                elif c.old_oid != c.new_oid:
                    events.append(SourceEvent(revision, "changed", c.new_path, None, c.new_oid, c.old_oid))
            elif c.old_path is not None and c.old_path in names:
                if c.status == "D":
                    events.append(SourceEvent(revision, "deleted", c.old_path, None, None, c.old_oid))
                elif c.status == "R" and c.new_path is not None:  # renamed away (after the import)
                    events.append(SourceEvent(revision, "renamed", c.new_path, c.old_path, c.new_oid, c.old_oid))
    # a merge that only brought in what a branch commit made: the branch commit shows it
    made = {(e.path, e.oid) for e in events if not e.merge}
    return [e for e in events if not (e.merge and (e.path, e.oid) in made)]


def renames_in(git: Git, commits: Sequence[Revision]) -> dict[str, list[_Change]]:
    """``commit → renames`` against its first parent, over the whole tree, for many commits with
    ONE ``git diff-tree -M --stdin``."""
    pairs = [(r.oid, r.parents[0]) for r in dict.fromkeys(commits) if r.parents]
    if not pairs:
        return {}
    data = git.out(["diff-tree", "-M", "--raw", "-z", "--no-abbrev", "-r", "--diff-filter=R", "--stdin"],
                   input="".join(f"{c} {p}\n" for c, p in pairs).encode("ascii"))
    out: dict[str, list[_Change]] = {}
    current: str | None = None
    tokens = data.split(b"\x00")
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith(b":"):
            fields = token[1:].split(b" ")
            if len(fields) >= 5 and fields[4][:1] == b"R" and i + 2 < len(tokens) and current:
                out.setdefault(current, []).append(_Change("R", _dec(tokens[i + 1]), _dec(tokens[i + 2]),
                                                           _dec(fields[2]), _dec(fields[3])))
                i += 3
                continue
            i += 1
            continue
        head = token.strip().split(b" ", 1)[0].decode("ascii", "replace")
        if HEX_RE.match(head):
            current = head
        i += 1
    return out


def _walk(git: Git, starts: dict[str, tuple[str, str]], exclude: Sequence[str] = (),
          chase: bool = True) -> dict[str, list[SourceEvent]]:
    """``key → events`` (newest first) of the files ``starts`` names (``key → (commit, path)``),
    following renames back through as many passes as there are levels of renames."""
    events: dict[str, list[SourceEvent]] = {k: [] for k in starts}
    frontier = dict(starts)
    for _ in range(MAX_ROUNDS):
        if not frontier:
            break
        tips = list(dict.fromkeys(c for c, _ in frontier.values()))
        names = list(dict.fromkeys(n for _, n in frontier.values()))
        commits = parse(git.out(log_args(tips, names, exclude)))
        found = {k: follow(commits, name) for k, (_, name) in frontier.items()}
        ends = [e.revision for evs in found.values() for e in evs if e.action in ("created", "deleted")]
        renames = renames_in(git, ends) if ends else {}
        nxt: dict[str, tuple[str, str]] = {}
        for key, evs in found.items():
            for i, e in enumerate(evs):
                moves = renames.get(e.revision.oid, [])
                if e.action == "created":
                    src = next((m for m in moves if m.new_path == e.path), None)
                    if src is not None and src.old_path:
                        evs[i] = SourceEvent(e.revision, "renamed", e.path, src.old_path, e.oid, src.old_oid)
                        if chase and i == len(evs) - 1 and e.revision.parents:
                            nxt[key] = (e.revision.parents[0], src.old_path)
                elif e.action == "deleted":
                    dst = next((m for m in moves if m.old_path == e.path), None)
                    if dst is not None and dst.new_path:
                        evs[i] = SourceEvent(e.revision, "renamed", dst.new_path, e.path, dst.new_oid, e.old_oid)
            events[key] += evs
        frontier = nxt
    return events


def _event_row(e: SourceEvent) -> list[object]:
    r = e.revision
    return [r.oid, " ".join(r.parents), r.author, r.email, r.time, r.subject, e.action, e.path, e.old_path, e.oid,
            e.old_oid]


def _event_of(row: list[object]) -> SourceEvent:
    oid, parents, author, email, time, subject, action, path, old_path, new, old = row
    revision = Revision(str(oid), tuple(str(parents).split()), str(author), str(email), int(str(time)), str(subject))
    return SourceEvent(revision, str(action), str(path), old_path if isinstance(old_path, str) else None,
                       new if isinstance(new, str) else None, old if isinstance(old, str) else None)


def _cached(conn: sqlite3.Connection | None, paths: Sequence[str]) -> dict[str, tuple[str, list[SourceEvent]]]:
    if conn is None:
        return {}
    out: dict[str, tuple[str, list[SourceEvent]]] = {}
    try:
        conn.execute(CACHE_SCHEMA)
        for start in range(0, len(paths), 500):
            part = list(paths[start:start + 500])
            for path, tip, events in conn.execute(
                    f"select path, tip, events from source_events where path in ({','.join('?' * len(part))})", part):
                out[path] = (tip, [_event_of(r) for r in json.loads(events)])
    except (sqlite3.Error, ValueError, TypeError):
        return {}
    return out


def _remember(conn: sqlite3.Connection | None, tip: str, found: dict[str, list[SourceEvent]]) -> None:
    if conn is None or not found:
        return
    try:
        with conn:
            conn.executemany("insert or replace into source_events values (?, ?, ?)",
                             [(p, tip, json.dumps([_event_row(e) for e in evs])) for p, evs in found.items()])
    except sqlite3.Error:
        pass  # a read-only or busy index: the answer stands, it is just not kept


def source_histories(git: Git, tip: str | None, paths: Sequence[str],
                     conn: sqlite3.Connection | None = None) -> dict[str, SourceHistory]:
    """``path → SourceHistory`` for each of ``paths`` (repository-relative) as of ``tip``: one
    ``git log`` pass per level of renames and one ``git cat-file --batch``, for all of them; what
    ``conn`` (the history index) already knows for ``tip`` is not walked again."""
    out = {p: SourceHistory(p) for p in dict.fromkeys(paths)}
    wanted = [p for p in out if inside_repository(p)]  # ../x.md, /etc/passwd: no history, no git error
    if tip is None or not wanted:
        return out
    cached = _cached(conn, wanted)
    fresh = [p for p in wanted if p not in cached or cached[p][0] != tip]
    events = {p: cached[p][1] for p in wanted if p not in fresh}
    computed: dict[str, list[SourceEvent]] = {}
    # HEAD moved on since: walk only the new commits, under the names the files have now
    older = {p: cached[p] for p in fresh if p in cached and git.is_ancestor(cached[p][0], tip)}
    for old_tip in dict.fromkeys(t for t, _ in older.values()):
        group = {p: evs for p, (t, evs) in older.items() if t == old_tip}
        starts = {p: (tip, evs[0].path if evs else p) for p, evs in group.items()}
        new = _walk(git, starts, exclude=[old_tip], chase=False)
        computed.update({p: new[p] + group[p] for p in group})
    rest = [p for p in fresh if p not in older]
    if rest:
        computed.update(_walk(git, {p: (tip, p) for p in rest}))
    events.update(computed)
    _remember(conn, tip, computed)
    oids = [o for evs in events.values() for e in evs for o in (e.oid, e.old_oid) if o]
    blobs = git.cat_blobs(oids) if oids else {}
    for p in wanted:
        out[p].events = events.get(p, [])
        mine = {o for e in out[p].events for o in (e.oid, e.old_oid) if o}
        out[p].contents = {o: blobs[o] for o in mine if o in blobs}
    return out
