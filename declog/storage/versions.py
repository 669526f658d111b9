"""Parsed older versions of records, keyed by git blob ID, in ``.git/declog/versions.sqlite``.

The site's history pages (``declog export html``) compare every version of every record with
the one before, so an export of a long history parses the YAML of thousands of versions that
no file in the work tree holds any more; the parse cache (:mod:`declog.storage.cache`) keeps
only the versions files hold. A blob never changes, so an entry never goes stale: the store's
identity (its format, declog's version, the configuration's fingerprint) rebuilds it when
parsing might give another answer. Like every store under ``.git/declog/`` it is only an
accelerator: deleting it at any time is safe, and a store that cannot be read or written is
left out.

An entry is what parsing gave: ``{"data": {...}}``, or ``{"error": problem}`` for a version that
is not a readable record.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from declog.storage import cachedb

FORMAT = 1
SCHEMA = "create table if not exists versions (oid text primary key, entry text);"


class VersionCache:
    """Parse results of record blobs by OID; a no-op when ``path`` is None (no git directory,
    or caches off)."""

    def __init__(self, path: Path | None, identity: str) -> None:
        self.path = path
        self.identity = cachedb.identity("versions", FORMAT, identity)
        self._new: dict[str, dict[str, Any]] = {}

    def get(self, oids: list[str]) -> dict[str, dict[str, Any]]:
        """The entries known for ``oids`` (one read-only connection, 500 IDs a statement)."""
        if not oids:
            return {}
        conn = cachedb.open_current(self.path, self.identity, read_only=True)
        if conn is None:
            return {}
        out: dict[str, dict[str, Any]] = {}
        try:
            for start in range(0, len(oids), 500):
                part = oids[start:start + 500]
                rows = conn.execute(f"select oid, entry from versions where oid in ({','.join('?' * len(part))})", part)
                for oid, entry in rows:
                    value = json.loads(entry)
                    if isinstance(value, dict):
                        out[oid] = value
        except (sqlite3.Error, ValueError):
            return {}
        finally:
            conn.close()
        return out

    def put(self, oid: str, entry: dict[str, Any]) -> None:
        self._new[oid] = entry

    def save(self) -> None:
        """Add the new entries (rebuilding the file when it is missing or of another identity).
        Failures are ignored: the store is only an accelerator."""
        if not self._new or self.path is None:
            return
        try:
            conn = cachedb.open_current(self.path, self.identity)
            if conn is None:
                conn = cachedb.rebuild(self.path, SCHEMA, self.identity)
            try:
                with conn:
                    conn.executemany("insert or ignore into versions (oid, entry) values (?, ?)",
                                     [(oid, json.dumps(entry, separators=(",", ":"))) for oid, entry in self._new.items()])
            finally:
                conn.close()
            self._new.clear()
        except (sqlite3.Error, OSError):
            pass
