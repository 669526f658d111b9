"""The history index: what the one-pass walk found, kept in SQLite under ``.git/declog/``.

It is keyed by git object IDs: the commit at the tip it describes (HEAD), and blob OIDs for
what each record version says (its ID and status). When HEAD moves forward only the new
commits are walked (``git log NEW ^OLD``); when it moves anywhere else (rebase, reset, another
branch) the index is rebuilt. A full rebuild is written to a temporary file and moved into
place; an incremental one is a single transaction that first checks nobody else moved the
index meanwhile, so concurrent builders never corrupt it. Deleting the file at any time is
safe. Uncommitted and staged changes are never cached: they are read live on every call.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from declog.history.git import Git
from declog.history.model import RecordEvent, RecordHistory, Revision
from declog.storage import cachedb

if TYPE_CHECKING:
    from declog.history import walk as walk_mod

FORMAT = "5"  # 4: only record files count (no hidden or temp files); 5: runs of unreadable versions stay a record's
SCHEMA = """
create table if not exists commits (seq integer primary key, oid text unique not null, parents text,
  author text, email text, time int, subject text, trailers text);
create table if not exists events (seq int, rid text, action text, path text, old_path text,
  old_oid text, new_oid text, status text, other text);
create index if not exists events_rid on events (rid);
create index if not exists events_seq on events (seq);
create table if not exists blobs (oid text primary key, rid text, status text);
create table if not exists links (seq int, value text, rid text);
create index if not exists links_rid on links (rid);
"""


def _identity(root: str, trailer: str) -> str:
    return cachedb.identity("history", FORMAT, root, trailer.lower())


class HistoryIndex:
    """Read access to one tip's history (built or brought up to date on open)."""

    def __init__(self, git: Git, root: str, trailer: str, conn: sqlite3.Connection, tip: str | None) -> None:
        self.git = git
        self.root = root
        self.trailer = trailer
        self.conn = conn
        self.tip = tip
        self._revisions: dict[int, Revision] = {}
        # preload(): the events rows and linked commits of many records, read in one query each
        self._events_of: dict[str, list[tuple[Any, ...]]] = {}
        self._links_of: dict[str, list[int]] = {}

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(cls, git: Git, root: str, trailer: str, tip: str | None, path: Path | None) -> HistoryIndex:
        """The index for ``tip``: from ``path`` (updated incrementally or rebuilt) or, without a
        usable ``path``, built in memory."""
        identity = _identity(root, trailer)
        if tip is None:
            return cls(git, root, trailer, cachedb.memory(SCHEMA, identity), None)
        if path is not None:
            try:
                opened = _open_file(git, root, trailer, tip, path, identity)
                if opened is not None:
                    return cls(git, root, trailer, opened, tip)
            except (sqlite3.Error, OSError):
                pass
        mem = cachedb.memory(SCHEMA, identity)
        _fill(mem, git, root, trailer, tip, exclude=None)
        return cls(git, root, trailer, mem, tip)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Many queries in one transaction: one lock of the file for them all, not one per
        query (an export asks three questions of each of ten thousand records)."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("begin")
        try:
            yield
        finally:
            self.conn.commit()

    # -- queries -----------------------------------------------------------------------------
    def _commit_rows(self, column: str, values: list[Any]) -> Iterator[tuple[Any, ...]]:
        """Rows of the commits whose ``column`` (seq or oid) is one of ``values``, 500 at a time
        (SQLite's limit on bound parameters)."""
        for start in range(0, len(values), 500):
            part = values[start:start + 500]
            marks = ",".join("?" * len(part))
            yield from self.conn.execute(
                f"select seq, oid, parents, author, email, time, subject, trailers from commits where {column} in ({marks})",
                part,
            )

    def _revision_rows(self, seqs: Iterable[int]) -> None:
        missing = [s for s in set(seqs) if s not in self._revisions]
        for row in self._commit_rows("seq", missing):
            self._revisions[row[0]] = _revision(row)

    def _events(self, rows: list[tuple[Any, ...]]) -> list[RecordEvent]:
        self._revision_rows(r[0] for r in rows)
        # in a shallow clone a record "created" at a boundary commit was only there already
        boundary = self.git.shallow_boundary() if any(r[2] == "created" for r in rows) else frozenset()
        return [
            RecordEvent(self._revisions[r[0]], r[1],
                        "boundary" if r[2] == "created" and self._revisions[r[0]].oid in boundary else r[2],
                        r[3], r[4], r[5], r[6], r[7], tuple(json.loads(r[8])) if r[8] else ())
            for r in rows
        ]

    def preload(self, rids: Iterable[str]) -> None:
        """Read the events and the linked commits of every record of ``rids`` (and their commits)
        now, in one query each: :meth:`events_of`, :meth:`linked` and :meth:`current_blob` then
        answer them from memory. For a command that asks of every record (an export)."""
        wanted = set(rids)
        events: dict[str, list[tuple[Any, ...]]] = {rid: [] for rid in wanted}
        for row in self.conn.execute("select seq, rid, action, path, old_path, old_oid, new_oid, status, other "
                                     "from events order by rid, seq desc"):
            if row[1] in events:
                events[row[1]].append(row)
        links: dict[str, list[int]] = {rid: [] for rid in wanted}
        for seq, rid in self.conn.execute("select distinct seq, rid from links where rid is not null "
                                          "order by rid, seq desc"):
            if rid in links:
                links[rid].append(seq)
        self._revision_rows([row[0] for rows in events.values() for row in rows]
                            + [seq for seqs in links.values() for seq in seqs])
        self._events_of.update(events)
        self._links_of.update(links)

    def events_of(self, rid: str) -> list[RecordEvent]:
        rows = self._events_of.get(rid)
        if rows is None:
            rows = self.conn.execute(
                "select seq, rid, action, path, old_path, old_oid, new_oid, status, other from events "
                "where rid = ? order by seq desc", (rid,)).fetchall()
        return self._events(rows)

    def linked(self, rid: str) -> list[Revision]:
        seqs = self._links_of.get(rid)
        if seqs is None:
            seqs = [r[0] for r in self.conn.execute(
                "select distinct seq from links where rid = ? order by seq desc", (rid,))]
        self._revision_rows(seqs)
        return [self._revisions[s] for s in seqs]

    def linked_counts(self) -> dict[str, int]:
        return dict(self.conn.execute("select rid, count(distinct seq) from links where rid is not null group by rid"))

    def record(self, rid: str) -> RecordHistory:
        return RecordHistory(rid, self.events_of(rid), self.linked(rid))

    def first_times(self, rids: Sequence[str]) -> dict[str, int]:
        """``record ID → the time of the oldest commit among its events`` (the earliest
        ``revision.time`` of :meth:`events_of`), for those of ``rids`` with any: one query per
        500 IDs, not one history per record."""
        wanted = list(dict.fromkeys(rids))
        out: dict[str, int] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            out.update((rid, int(time)) for rid, time in self.conn.execute(
                "select e.rid, min(c.time) from events e join commits c on c.seq = e.seq "
                f"where e.rid in ({','.join('?' * len(part))}) group by e.rid", part))
        return out

    def events_between(self, since: int, until: int) -> list[RecordEvent]:
        """Events of commits authored in ``[since, until)`` (seconds), newest first."""
        rows = self.conn.execute(
            "select e.seq, e.rid, e.action, e.path, e.old_path, e.old_oid, e.new_oid, e.status, e.other "
            "from events e join commits c on c.seq = e.seq where c.time >= ? and c.time < ? "
            "order by e.seq desc", (since, until)).fetchall()
        return self._events(rows)

    def previous_event(self, rid: str, seq_before: int) -> RecordEvent | None:
        rows = self.conn.execute(
            "select seq, rid, action, path, old_path, old_oid, new_oid, status, other from events "
            "where rid = ? and seq < ? order by seq desc limit 1", (rid, seq_before)).fetchall()
        events = self._events(rows)
        return events[0] if events else None

    def seq_of(self, oid: str) -> int | None:
        row = self.conn.execute("select seq from commits where oid = ?", (oid,)).fetchone()
        return int(row[0]) if row else None

    def revisions(self, oids: Iterable[str]) -> dict[str, Revision]:
        """The indexed commits among ``oids`` (those that touch records or carry trailers)."""
        out: dict[str, Revision] = {}
        for row in self._commit_rows("oid", list(dict.fromkeys(oids))):
            out[row[1]] = _revision(row)
        return out

    def links_of(self, oids: Iterable[str]) -> dict[str, list[str]]:
        """``commit → resolved decision IDs`` of its trailers."""
        revs = self.revisions(oids)
        out: dict[str, list[str]] = {}
        if not revs:
            return out
        seq_to_oid = {}
        for oid in revs:
            seq = self.seq_of(oid)
            if seq is not None:
                seq_to_oid[seq] = oid
        for seq, rid in self.conn.execute(
            f"select seq, rid from links where rid is not null and seq in ({','.join('?' * len(seq_to_oid))})",
            list(seq_to_oid),
        ):
            out.setdefault(seq_to_oid[seq], []).append(rid)
        return out

    def current_blob(self, rid: str) -> tuple[str, str] | None:
        """``(path, oid)`` of the record at the tip, or None when it is not there."""
        rows = self._events_of.get(rid)
        if rows is not None:
            row = (rows[0][2], rows[0][3], rows[0][6]) if rows else None
        else:
            row = self.conn.execute(
                "select action, path, new_oid from events where rid = ? order by seq desc limit 1", (rid,)).fetchone()
        if row is None or row[0] == "deleted":
            return None
        return row[1], row[2]

    def facts(self, oids: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
        """``oid → (record ID, status)``; blobs not yet known are read (and remembered)."""
        known = _lookup(self.conn, list(oids))
        missing = [o for o in oids if o not in known]
        if missing:
            from declog.history import walk as walk_mod

            fresh = walk_mod.blob_facts(self.git, missing)
            try:
                with self.conn:
                    self.conn.executemany("insert or ignore into blobs values (?, ?, ?)",
                                          [(o, r, s) for o, (r, s) in fresh.items()])
            except sqlite3.Error:
                pass
            known.update(fresh)
        return known

    def known_ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("select distinct rid from events")]

    def accepted_at(self, rids: Sequence[str]) -> dict[str, Revision]:
        """``decision ID → the commit that last made it accepted`` (from another status, or
        created accepted), for those of ``rids`` accepted at the tip."""
        last: dict[str, str | None] = {}
        since: dict[str, int] = {}
        wanted = list(dict.fromkeys(rids))
        rows: list[tuple[int, str, str | None]] = []
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            rows += self.conn.execute(
                f"select seq, rid, status from events where rid in ({','.join('?' * len(part))})", part).fetchall()
        for seq, rid, status in sorted(rows):
            if status == "accepted" and last.get(rid) != "accepted":
                since[rid] = seq
            last[rid] = status
        keep = {rid: seq for rid, seq in since.items() if last.get(rid) == "accepted"}
        self._revision_rows(keep.values())
        return {rid: self._revisions[seq] for rid, seq in keep.items()}

    def trailer_links(self) -> dict[str, set[str]]:
        """``commit ID → decision IDs its trailers name`` for every linked commit of the tip."""
        out: dict[str, set[str]] = {}
        for oid, rid in self.conn.execute(
                "select c.oid, l.rid from links l join commits c on c.seq = l.seq where l.rid is not null"):
            out.setdefault(oid, set()).add(rid)
        return out


def _revision(row: tuple[Any, ...]) -> Revision:
    _, oid, parents, author, email, time, subject, trailers = row
    return Revision(oid, tuple(parents.split()), author, email, int(time), subject,
                    tuple(json.loads(trailers)) if trailers else ())


def _lookup(conn: sqlite3.Connection, oids: list[str]) -> dict[str, tuple[str | None, str | None]]:
    out: dict[str, tuple[str | None, str | None]] = {}
    for start in range(0, len(oids), 900):
        part = oids[start:start + 900]
        marks = ",".join("?" * len(part))
        for oid, rid, status in conn.execute(f"select oid, rid, status from blobs where oid in ({marks})", part):
            out[oid] = (rid, status)
    return out


def needs_rebuild(path: Path, root: str, trailer: str) -> bool:
    """Whether opening the index at ``path`` will walk the whole history: there is none, or it is
    not one this declog can bring up to date (another version, root or trailer wrote it)."""
    conn = cachedb.open_current(path, _identity(root, trailer), read_only=True, timeout=1)
    if conn is None:
        return True
    conn.close()
    return False


def _open_file(git: Git, root: str, trailer: str, tip: str, path: Path, identity: str) -> sqlite3.Connection | None:
    conn = cachedb.open_current(path, identity)
    if conn is not None:
        try:
            old = cachedb.meta(conn).get("tip")
            if old == tip:
                return conn
            if old and git.is_ancestor(old, tip):
                # walk only what is new, then apply it unless someone else moved the index meanwhile
                from declog.history import walk as walk_mod

                commits, events, fresh = walk_mod.walk(git, root, trailer, tip, [old],
                                                       lambda oids: _lookup(conn, oids))
                conn.execute("begin immediate")
                try:
                    if cachedb.meta(conn).get("tip") != old:
                        conn.rollback()
                        conn.close()
                        return _open_file(git, root, trailer, tip, path, identity)
                    _insert(conn, commits, events, fresh, trailer, tip)
                    conn.commit()
                except BaseException:
                    conn.rollback()
                    raise
                return conn
        except sqlite3.DatabaseError:
            pass
        conn.close()
    # a full rebuild (another tip, format or version, a damaged file, a symlink: replaced)
    def fill(tconn: sqlite3.Connection) -> None:
        carried = _carry_blobs(path, tconn, identity)
        _fill(tconn, git, root, trailer, tip, exclude=None, carried=carried)

    return cachedb.rebuild(path, SCHEMA, identity, fill, usable=lambda conn: cachedb.meta(conn).get("tip") == tip)


def _carry_blobs(path: Path, conn: sqlite3.Connection, identity: str) -> bool:
    """Blob facts never change: keep them across a rebuild (same declog version only)."""
    if not path.is_file() or path.is_symlink():
        return False
    try:
        conn.execute("attach database ? as old", (f"file:{path}?mode=ro",))
    except sqlite3.Error:
        try:
            conn.execute("attach database ? as old", (str(path),))
        except sqlite3.Error:
            return False
    try:
        row = conn.execute("select value from old.meta where key = 'identity'").fetchone()
        if row and row[0] == identity:
            conn.execute("insert or ignore into blobs select oid, rid, status from old.blobs")
            conn.commit()
            return True
        return False
    except sqlite3.Error:
        return False
    finally:
        try:
            conn.execute("detach database old")
        except sqlite3.Error:
            pass


def _fill(conn: sqlite3.Connection, git: Git, root: str, trailer: str, tip: str, exclude: Sequence[str] | None,
          carried: bool = False) -> None:
    lookup = (lambda oids: _lookup(conn, oids)) if carried else None
    from declog.history import walk as walk_mod

    commits, events, fresh = walk_mod.walk(git, root, trailer, tip, exclude or (), lookup)
    with conn:
        _insert(conn, commits, events, fresh, trailer, tip)


def _insert(conn: sqlite3.Connection, commits: Sequence[walk_mod.RawCommit], events: Sequence[RecordEvent],
            fresh: dict[str, tuple[str | None, str | None]], trailer: str, tip: str) -> None:
    conn.executemany("insert or ignore into blobs values (?, ?, ?)", [(o, r, s) for o, (r, s) in fresh.items()])
    row = conn.execute("select max(seq) from commits").fetchone()
    base = int(row[0]) if row and row[0] is not None else 0
    touched = {e.revision.oid for e in events}
    keep = [c.revision for c in commits if c.revision.oid in touched or c.revision.trailers]
    seq_of: dict[str, int] = {}
    rows = []
    for i, rev in enumerate(reversed(keep)):  # oldest first: larger seq is newer
        seq = base + i + 1
        seq_of[rev.oid] = seq
        rows.append((seq, rev.oid, " ".join(rev.parents), rev.author, rev.email, rev.time, rev.subject,
                     json.dumps(list(rev.trailers)) if rev.trailers else None))
    conn.executemany("insert or ignore into commits values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.executemany(
        "insert into events values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(seq_of[e.revision.oid], e.record_id, e.action, e.path, e.old_path, e.old_oid, e.new_oid, e.status,
          json.dumps(list(e.other_oids)) if e.other_oids else None) for e in events],
    )
    linked = [rev for rev in keep if rev.trailers]
    if linked:
        ids = sorted({r[0] for r in conn.execute("select distinct rid from blobs where rid like 'D-%'")})
        link_rows = []
        for rev in linked:
            for value in rev.trailers:
                link_rows.append((seq_of[rev.oid], value, resolve_trailer(value, ids)))
        conn.executemany("insert into links values (?, ?, ?)", link_rows)
    conn.execute("insert or replace into meta values ('tip', ?)", (tip,))


def resolve_trailer(value: str, ids: Sequence[str]) -> str | None:
    """The one decision ID (from sorted ``ids``) a trailer value names: exact or unique prefix."""
    from declog.domain.ids import normalize_query

    try:
        norm = normalize_query(value)
    except Exception:
        return None
    if len(norm) >= 2 and norm[1] == "-":
        prefix = norm
    elif norm:
        prefix = "D-" + norm
    else:
        return None
    i = bisect.bisect_left(ids, prefix)
    matches = []
    while i < len(ids) and ids[i].startswith(prefix):
        matches.append(ids[i])
        if len(matches) > 1:
            return None
        i += 1
    return matches[0] if matches else None
