"""The one way declog's SQLite stores under ``.git/declog/`` are opened, versioned, rebuilt and
replaced: the parse cache (``declog.storage.cache``), the history index (``declog.history.index``), the
file-touch index (``declog.history.touches``), the search index (``declog.core.search``) and the
parsed older versions of records (``declog.storage.versions``).

Every store names its version the same way: a ``meta`` row ``identity``, the JSON of the store's
name, its format number, declog's version and whatever else its content depends on (the log's
root, the trailer key, the configuration's fingerprint). A file with another identity is never
read: it is rebuilt. A rebuild writes a temporary file beside the store (``.NAME-….tmp``) and moves
it into place with one ``os.replace``, so a reader sees the old file or the new one, never half of
one, and a symlink in its place is replaced, never written through. Every store is only an
accelerator, keyed by git object IDs: deleting any of them at any time is safe.

Readers that only read open the file read-only (``mode=ro``), once per process and store.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

META = "create table if not exists meta (key text primary key, value text);"
STALE_REBUILD_SECONDS = 600.0  # a live rebuild renames its temporary file within minutes


def identity(name: str, fmt: str | int, *parts: Any) -> str:
    """The ``meta.identity`` of store ``name`` at format ``fmt`` for this declog version."""
    from declog import __version__

    return json.dumps([name, str(fmt), __version__, *parts])


def meta(conn: sqlite3.Connection) -> dict[str, str]:
    """The ``meta`` rows of an open store ({} when there is no such table or it is unreadable)."""
    try:
        return dict(conn.execute("select key, value from meta"))
    except sqlite3.Error:
        return {}


def connect_ro(path: Path, timeout: float = 5.0) -> sqlite3.Connection:
    """``path`` opened read-only (raises sqlite3.Error when it cannot be)."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout)


def open_current(path: Path | None, wanted: str, *, read_only: bool = False,
                 timeout: float = 10.0) -> sqlite3.Connection | None:
    """The store at ``path`` when it is a regular file of identity ``wanted``; else None (absent,
    a symlink, damaged, another format or version: the caller rebuilds it)."""
    if path is None or path.is_symlink() or not path.is_file():
        return None
    conn = None
    try:
        conn = connect_ro(path, timeout) if read_only else sqlite3.connect(path, timeout=timeout)
        if meta(conn).get("identity") == wanted:
            return conn
    except sqlite3.Error:
        pass
    if conn is not None:
        conn.close()
    return None


def memory(schema: str, ident: str) -> sqlite3.Connection:
    """An empty store in memory (no git directory, or the file cannot be written)."""
    conn = sqlite3.connect(":memory:")
    conn.executescript(META + schema)
    with conn:
        conn.execute("insert or replace into meta values ('identity', ?)", (ident,))
    return conn


def rebuild(path: Path, schema: str, ident: str, fill: Callable[[sqlite3.Connection], None] | None = None, *,
            timeout: float = 10.0) -> sqlite3.Connection:
    """A fresh store at ``path``: ``schema`` and ``ident`` written and ``fill(conn)`` run on a
    temporary file beside it, which then replaces ``path`` in one ``os.replace``; returns the new
    file opened for reading and writing. Temporary files that killed rebuilds left are removed."""
    def write(tmp: str) -> None:
        conn = sqlite3.connect(tmp)
        try:
            conn.executescript(META + schema)
            with conn:
                conn.execute("insert or replace into meta values ('identity', ?)", (ident,))
            if fill is not None:
                fill(conn)
        finally:
            conn.close()

    _replace_via_temp(path, write)
    return sqlite3.connect(path, timeout=timeout)


def replace_text(path: Path, text: str) -> None:
    """Write a small cache file beside the stores (``config.json``): a temporary file moved into
    place, so a reader sees the old content or the new, and a symlink is replaced, never followed."""
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)

    _replace_via_temp(path, write)


def _replace_via_temp(path: Path, write: Callable[[str], None]) -> None:
    """The tail of every replacement under ``.git/declog/``: temporary files that killed writers
    left beside ``path`` are removed, ``write(tmp)`` fills a fresh temporary file
    (``.NAME-….tmp``) in the same folder, which then replaces ``path`` in one ``os.replace``
    (a symlink at ``path`` is replaced, never followed); on any failure the temporary file goes."""
    import tempfile  # here: a warm read writes nothing (shutil, random and lzma come with it)

    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{path.stem}-"
    remove_stale_temps(path.parent, prefix, STALE_REBUILD_SECONDS)
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def remove_stale_temps(folder: Path, prefix: str, older_than: float) -> None:
    """Temporary files (``prefix…tmp``) in ``folder`` older than ``older_than`` seconds: left by a
    process killed while it wrote them (a live writer renames its own well before)."""
    cutoff = time.time() - older_than
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(prefix) and entry.name.endswith(".tmp"):
            try:
                if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    os.unlink(entry.path)
            except OSError:
                pass
