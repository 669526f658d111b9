"""A parse cache under ``.git/declog/``, keyed by git blob object IDs.

For each record file the cache remembers the blob OID of its content together with the file's
size, mtime and inode (as git's index does), so an unchanged file is never read again; for each
OID it remembers what parsing (and, once validated, schema checking) produced. Any file whose
stat data changed is re-read and re-hashed, so the cache cannot serve stale content; a file
modified within two seconds of the cache being written is always re-hashed (racy stat data).
The cache is versioned by declog's version and the configuration's fingerprint, written
atomically, and safe to delete at any time.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RACY_NS = 2_000_000_000
SCHEMA = """
create table if not exists meta (key text primary key, value text);
create table if not exists files (path text primary key, size int, mtime_ns int, ino int, oid text);
create table if not exists blobs (oid text primary key, entry text, problems text);
"""


def blob_oid(content: bytes) -> str:
    """git's object ID of a blob with this content (SHA-1 object format)."""
    return hashlib.sha1(b"blob %d\x00" % len(content) + content).hexdigest()


@dataclass
class Stat:
    size: int
    mtime_ns: int
    ino: int


class ParseCache:
    """OID-keyed store of parsed records; a no-op when ``path`` is None (no git directory)."""

    def __init__(self, path: Path | None, identity: str) -> None:
        self.path = path
        self.identity = identity
        self.files: dict[str, tuple[int, int, int, str]] = {}
        self.blobs: dict[str, dict[str, Any]] = {}
        self.problems: dict[str, list[Any]] = {}
        self.written_ns = 0
        self._dirty_files: dict[str, tuple[int, int, int, str]] = {}
        self._dirty_blobs: set[str] = set()
        self._dirty_problems: set[str] = set()
        self._load()

    # -- reading ---------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=5)
            conn.executescript(SCHEMA)
            return conn
        except (OSError, sqlite3.Error):
            return None

    def _load(self) -> None:
        if self.path is None or not self.path.exists():
            return
        try:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5)
            try:
                meta = dict(conn.execute("select key, value from meta"))
                if meta.get("identity") != self.identity:
                    return
                self.written_ns = int(meta.get("written_ns", "0"))
                for path, size, mtime, ino, oid in conn.execute("select path, size, mtime_ns, ino, oid from files"):
                    self.files[path] = (size, mtime, ino, oid)
                row = conn.execute(
                    "select '{' || coalesce(group_concat(json_quote(oid) || ':' || entry), '') || '}' from blobs"
                ).fetchone()
                self.blobs = json.loads(row[0]) if row and row[0] else {}
                row = conn.execute(
                    "select '{' || coalesce(group_concat(json_quote(oid) || ':' || problems), '') || '}' "
                    "from blobs where problems is not null"
                ).fetchone()
                self.problems = json.loads(row[0]) if row and row[0] else {}
            finally:
                conn.close()
        except (sqlite3.Error, ValueError, OSError):
            self.files, self.blobs, self.problems = {}, {}, {}

    def oid_for(self, rel: str, st: Stat) -> str | None:
        """The cached OID of ``rel`` if its stat data is unchanged and not racy."""
        known = self.files.get(rel)
        if known is None:
            return None
        size, mtime, ino, oid = known
        if (size, mtime, ino) != (st.size, st.mtime_ns, st.ino):
            return None
        if st.mtime_ns >= self.written_ns - RACY_NS:
            return None
        return oid

    # -- writing ---------------------------------------------------------------------------
    def remember_file(self, rel: str, st: Stat, oid: str) -> None:
        value = (st.size, st.mtime_ns, st.ino, oid)
        if self.files.get(rel) != value:
            self.files[rel] = value
            self._dirty_files[rel] = value

    def remember_blob(self, oid: str, entry: dict[str, Any]) -> None:
        if oid not in self.blobs:
            self.blobs[oid] = entry
            self._dirty_blobs.add(oid)

    def remember_problems(self, oid: str, problems: list[Any]) -> None:
        if self.problems.get(oid) != problems:
            self.problems[oid] = problems
            self._dirty_problems.add(oid)

    def forget_missing(self, present: set[str]) -> None:
        gone = [p for p in self.files if p not in present]
        for p in gone:
            del self.files[p]
        if gone:
            self._dirty_files["\x00reset"] = (0, 0, 0, "")

    def save(self) -> None:
        """Persist what changed. Failures are ignored: the cache is only an accelerator."""
        if self.path is None:
            return
        if not (self._dirty_files or self._dirty_blobs or self._dirty_problems) and self.written_ns:
            return
        conn = self._connect()
        if conn is None:
            return
        try:
            with conn:
                meta = dict(conn.execute("select key, value from meta"))
                if meta.get("identity") != self.identity:
                    conn.execute("delete from files")
                    conn.execute("delete from blobs")
                    self._dirty_files = {p: v for p, v in self.files.items()}
                    self._dirty_blobs = set(self.blobs)
                    self._dirty_problems = set(self.problems)
                if "\x00reset" in self._dirty_files:
                    conn.execute("delete from files")
                    self._dirty_files = dict(self.files)
                conn.executemany(
                    "insert or replace into files values (?, ?, ?, ?, ?)",
                    [(p, *v) for p, v in self._dirty_files.items()],
                )
                conn.executemany(
                    "insert or ignore into blobs (oid, entry) values (?, ?)",
                    [(o, json.dumps(self.blobs[o], separators=(",", ":"))) for o in self._dirty_blobs],
                )
                conn.executemany(
                    "update blobs set problems = ? where oid = ?",
                    [(json.dumps(self.problems[o], separators=(",", ":")), o) for o in self._dirty_problems],
                )
                now = time.time_ns()
                conn.execute("insert or replace into meta values ('identity', ?)", (self.identity,))
                conn.execute("insert or replace into meta values ('written_ns', ?)", (str(now),))
            self.written_ns = now
            self._dirty_files.clear()
            self._dirty_blobs.clear()
            self._dirty_problems.clear()
        except (sqlite3.Error, OSError):
            pass
        finally:
            conn.close()


def stat_of(st: os.stat_result) -> Stat:
    return Stat(st.st_size, st.st_mtime_ns, st.st_ino)
