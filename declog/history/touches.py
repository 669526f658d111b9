"""Which commits touched which files (for ``declog drift``'s adoption), and what the tip tracks.

One ``git log --name-only`` pass over the tip's history, kept in SQLite beside the history index
(``.git/declog/touches.sqlite``) and keyed by the tip: when HEAD moves forward only the new
commits are read (``git log NEW ^OLD``), when it moves anywhere else the file is rebuilt into a
temporary file and moved into place. Merge commits touch nothing (their changes are their
parents'). Deleting the file at any time is safe. Never one git process per commit or per path.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from declog.history.git import Git
from declog.storage import cachedb

FORMAT = "1"
SCHEMA = """
create table if not exists commits (seq integer primary key, oid text unique not null, time int);
create table if not exists paths (pid integer primary key, path text unique not null);
create table if not exists touch (seq int, pid int);
create index if not exists touch_pid on touch (pid);
"""
_MARK = "\x1e"


@dataclass(frozen=True)
class Touch:
    """A commit that touched files: its ID and author time (seconds)."""

    oid: str
    time: int


class Touches:
    """Read access to the file-touch index of one tip."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def close(self) -> None:
        self.conn.close()

    def by_path(self) -> dict[str, list[int]]:
        """``path → numbers of the commits`` that touched it (a higher number is a newer commit)."""
        names = dict(self.conn.execute("select pid, path from paths"))
        per: dict[str, list[int]] = {}
        for seq, pid in self.conn.execute("select seq, pid from touch"):
            per.setdefault(names[pid], []).append(seq)
        return per

    def paths(self) -> list[str]:
        """Every path any commit touched."""
        return [row[0] for row in self.conn.execute("select path from paths")]

    def seqs_of(self, paths: Sequence[str]) -> dict[str, list[int]]:
        """``path → numbers of the commits`` that touched it, for ``paths`` only."""
        out: dict[str, list[int]] = {}
        wanted = list(dict.fromkeys(paths))
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            for path, seq in self.conn.execute(
                    f"select p.path, t.seq from paths p join touch t on t.pid = p.pid "
                    f"where p.path in ({','.join('?' * len(part))})", part):
                out.setdefault(path, []).append(seq)
        return out

    def times_of(self, seqs: Sequence[int]) -> dict[int, int]:
        """``number → author time`` of the commits ``seqs`` (one statement through a temp table)."""
        self.conn.execute("create temp table if not exists wanted (seq integer primary key)")
        try:
            self.conn.execute("delete from temp.wanted")
            self.conn.executemany("insert or ignore into temp.wanted values (?)", [(q,) for q in seqs])
            return dict(self.conn.execute("select c.seq, c.time from commits c join temp.wanted w on w.seq = c.seq"))
        finally:
            self.conn.execute("delete from temp.wanted")
            self.conn.commit()

    def times(self) -> dict[int, int]:
        """``number → author time`` of every commit."""
        return dict(self.conn.execute("select seq, time from commits"))

    def oids(self, seqs: Sequence[int]) -> dict[int, str]:
        """``number → commit ID`` for the commit numbers ``seqs``."""
        return self._pairs("seq", list(seqs))

    def numbers(self, oids: Sequence[str]) -> dict[str, int]:
        """``commit ID → number`` for those of ``oids`` in the index."""
        return {oid: seq for seq, oid in self._pairs("oid", list(oids)).items()}

    def _pairs(self, column: str, values: list[Any]) -> dict[int, str]:
        out: dict[int, str] = {}
        for start in range(0, len(values), 500):
            part = values[start:start + 500]
            marks = ",".join("?" * len(part))
            out.update(self.conn.execute(f"select seq, oid from commits where {column} in ({marks})", part))
        return out


def open_touches(git: Git, tip: str | None, path: Path | None) -> Touches:
    """The touch index of ``tip``, from ``path`` (updated or rebuilt) or built in memory."""
    if tip is None:
        return Touches(cachedb.memory(SCHEMA, _identity()))
    if path is not None:
        try:
            return Touches(_open_file(git, tip, path))
        except (sqlite3.Error, OSError):
            pass
    conn = cachedb.memory(SCHEMA, _identity())
    _insert(conn, _walk(git, tip, None), tip)
    return Touches(conn)


def _identity() -> str:
    return cachedb.identity("touches", FORMAT)


def _open_file(git: Git, tip: str, path: Path) -> sqlite3.Connection:
    conn = cachedb.open_current(path, _identity())
    if conn is not None:
        try:
            old = cachedb.meta(conn).get("tip")
            if old == tip:
                return conn
            if old and git.is_ancestor(old, tip):
                commits = _walk(git, tip, old)
                conn.execute("begin immediate")
                try:
                    if cachedb.meta(conn).get("tip") != old:  # another declog moved it meanwhile
                        conn.rollback()
                        conn.close()
                        return _open_file(git, tip, path)
                    _insert(conn, commits, tip)
                    conn.commit()
                except BaseException:
                    conn.rollback()
                    raise
                return conn
        except sqlite3.DatabaseError:
            pass
        conn.close()
    return cachedb.rebuild(path, SCHEMA, _identity(), lambda tconn: _insert(tconn, _walk(git, tip, None), tip),
                           usable=lambda conn: cachedb.meta(conn).get("tip") == tip)


def _walk(git: Git, tip: str, old: str | None) -> list[tuple[str, int, list[str]]]:
    """``(commit, author time, files)`` oldest first, in one ``git log`` pass."""
    args = ["--no-renames", "--name-only", "-z", f"--format={_MARK}%H %at", "--end-of-options", tip]
    if old is not None:
        args.append(f"^{old}")
    raw = git.log_stream([*args, "--"]).decode("utf-8", "surrogateescape")
    out: list[tuple[str, int, list[str]]] = []
    for chunk in raw.split(_MARK):
        if not chunk.strip("\x00\n"):
            continue
        head, _, rest = chunk.partition("\n")
        oid, _, when = head.strip("\x00").partition(" ")
        files = [f.strip("\n") for f in rest.split("\x00") if f.strip("\n")]
        if re.fullmatch(r"[0-9a-f]{40,64}", oid):
            out.append((oid, int(when or 0), files))
    out.reverse()
    return out


def _insert(conn: sqlite3.Connection, commits: Sequence[tuple[str, int, list[str]]], tip: str) -> None:
    with conn:
        row = conn.execute("select max(seq) from commits").fetchone()
        seq = int(row[0]) if row and row[0] is not None else 0
        pids = dict(conn.execute("select path, pid from paths"))
        touch_rows = []
        commit_rows = []
        new_paths = []
        for oid, when, files in commits:
            seq += 1
            commit_rows.append((seq, oid, when))
            for f in files:
                pid = pids.get(f)
                if pid is None:
                    pid = pids[f] = len(pids) + 1
                    new_paths.append((pid, f))
                touch_rows.append((seq, pid))
        conn.executemany("insert or ignore into commits values (?, ?, ?)", commit_rows)
        conn.executemany("insert into paths values (?, ?)", new_paths)
        conn.executemany("insert into touch values (?, ?)", touch_rows)
        conn.execute("insert or replace into meta values ('tip', ?)", (tip,))


def tracked_files(git: Git) -> list[str]:
    """The files the index tracks (``git ls-files``), one git process."""
    raw = git.out(["ls-files", "-z", "--"])
    return [p.decode("utf-8", "surrogateescape") for p in raw.split(b"\x00") if p]


def grep(git: Git, patterns: Sequence[str], *, exclude: Sequence[str] = (),
         paths: Sequence[str] | None = None) -> list[tuple[str, int, str]]:
    """``(path, line, text)`` of tracked files' lines (of all, or of ``paths``, taken literally)
    matching any of ``patterns`` (extended regular expressions), in one ``git grep``; binary
    files are skipped."""
    if not patterns or (paths is not None and not paths):
        return []
    args = ["grep", "--no-color", "-I", "-n", "-z", "-E", "--no-textconv", "--full-name"]
    for p in patterns:
        args += ["-e", p]
    wanted = [f":(literal){p}" for p in paths] if paths is not None else ["."]
    args += ["--", *wanted, *[f":(exclude,literal){e}" for e in exclude]]
    proc = git.run(args, check=True, ok_codes=(0, 1))
    out: list[tuple[str, int, str]] = []
    for line in proc.stdout.decode("utf-8", "surrogateescape").split("\n"):
        parts = line.split("\x00", 2)
        if len(parts) == 3 and parts[1].isdigit():
            out.append((parts[0], int(parts[1]), parts[2]))
    return out


def staged_files(git: Git) -> list[str]:
    """Files the index changes against HEAD (``git diff --cached``), new paths of renames included."""
    args = ["diff", "--cached", "--no-color", "--no-ext-diff", "--no-textconv", "-M", "--name-only", "-z"]
    if git.head() is None:
        args = ["ls-files", "-z"]
    raw = git.out([*args, "--"])
    return [p.decode("utf-8", "surrogateescape") for p in raw.split(b"\x00") if p]
