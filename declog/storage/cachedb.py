"""The one way declog's SQLite stores under ``.git/declog/`` are opened, versioned, rebuilt and
replaced: the parse cache (``declog.storage.cache``), the history index (``declog.history.index``), the
file-touch index (``declog.history.touches``), the search index (``declog.core.search``) and the
parsed older versions of records (``declog.storage.versions``).

Every store names its version the same way: a ``meta`` row ``identity``, the JSON of the store's
name, its format number, declog's version and whatever else its content depends on (the log's
root, the trailer key, the configuration's fingerprint). A file with another identity is never
read: it is rebuilt. A rebuild writes a temporary file beside the store (``.NAME-….tmp``) and
then puts it in place, so a reader sees the old content or the new, never half of it, and a
symlink in its place is replaced, never written through. Every store is only an accelerator,
keyed by git object IDs: deleting any of them at any time is safe.

A store file that other connections may have open is never renamed over: SQLite names a
store's rollback journal after its path, not its file, so a connection still on a replaced file
would take the new file's journal for its own (play it back into the old file, delete it under
its writer: a "disk I/O error", or an index that silently lacks what was written). A rebuild
therefore links its temporary file into place when there is no store yet (``os.link``, which
fails when another process made one meanwhile), and otherwise writes it over the existing file
in one SQLite write transaction, under SQLite's own locks and journal (:func:`_written_over`),
unless the file turns out, under that lock, to be one the rebuild can use as it is: another
process rebuilt it meanwhile. A store that stays locked past the timeout is left alone: the
rebuild is used from memory for that run. Only a file that is no database at all (or a damaged
one), or a symlink, is replaced by rename.

Readers that only read open the file read-only (``mode=ro``), once per process and store.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

META = "create table if not exists meta (key text primary key, value text);"
_T = TypeVar("_T")
STALE_REBUILD_SECONDS = 600.0  # a live rebuild is done with its temporary file within minutes


def identity(name: str, fmt: str | int, *parts: Any) -> str:
    """The ``meta.identity`` of store ``name`` at format ``fmt`` for this declog version."""
    from declog import __version__

    return json.dumps([name, str(fmt), __version__, *parts])


def meta(conn: sqlite3.Connection) -> dict[str, str]:
    """The ``meta`` rows of an open store ({} when there is no such table or it is unreadable;
    never those of a database attached to it)."""
    try:
        return dict(conn.execute("select key, value from main.meta"))
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
            timeout: float = 10.0, usable: Callable[[sqlite3.Connection], bool] | None = None) -> sqlite3.Connection:
    """A fresh store at ``path``: ``schema`` and ``ident`` written and ``fill(conn)`` run on a
    temporary file beside it, which then takes the place of ``path`` (see the module's text: a
    new file is linked into place, an existing store is written over in one SQLite transaction);
    returns ``path`` opened for reading and writing. A store of identity ``ident`` found there
    meanwhile (and ``usable``, when given: say, at the same tip) is kept instead: another process
    rebuilt it. Temporary files that killed rebuilds left are removed."""
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

    def current(conn: sqlite3.Connection) -> bool:
        return meta(conn).get("identity") == ident and (usable is None or usable(conn))

    def keep(tmp: str) -> sqlite3.Connection:
        if not path.is_symlink():
            try:
                os.link(tmp, path)  # no store yet: nobody can have this one open
                return sqlite3.connect(path, timeout=timeout)
            except FileExistsError:
                pass
            except OSError:  # a file system without hard links
                if not os.path.lexists(path):
                    os.replace(tmp, path)
                    return sqlite3.connect(path, timeout=timeout)
            try:
                conn = _written_over(tmp, path, current, timeout)
            except sqlite3.OperationalError:  # locked past the timeout, or unwritable: never renamed over
                return _in_memory(tmp)
            if conn is not None:
                return conn
        os.replace(tmp, path)  # a symlink, or a file that is no database: nothing reads it as a store
        return sqlite3.connect(path, timeout=timeout)

    return _replace_via_temp(path, write, keep)


def _written_over(tmp: str, path: Path, current: Callable[[sqlite3.Connection], bool],
                  timeout: float) -> sqlite3.Connection | None:
    """The store at ``path`` given the schema and rows of the one at ``tmp``, in one write
    transaction (its other connections see the old content or the new, and a process killed
    midway leaves the old), unless it is ``current`` under that transaction's lock; ``path``
    opened, or None when it is no database (damaged). Raises sqlite3.OperationalError when it
    cannot be written (another process holds its lock past ``timeout``, a read-only file)."""
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    try:
        conn.execute("attach database ? as fresh", (tmp,))
        conn.execute("begin immediate")
        try:
            if not current(conn):
                _copy_schema_and_rows(conn)
            conn.execute("commit")
        except BaseException:
            try:
                conn.execute("rollback")
            except sqlite3.Error:
                pass  # the failed statement ended the transaction already
            raise
        conn.execute("detach database fresh")
    except sqlite3.OperationalError:
        conn.close()
        raise
    except sqlite3.DatabaseError:  # no database at all, or a damaged one
        conn.close()
        return None
    conn.isolation_level = "DEFERRED"  # as every other store connection: implicit transactions
    return conn


def _in_memory(tmp: str) -> sqlite3.Connection:
    """The store written to ``tmp``, for this run only (the file at its place is left alone)."""
    src = sqlite3.connect(tmp)
    try:
        mem = sqlite3.connect(":memory:")
        src.backup(mem)
    finally:
        src.close()
    return mem


def _copy_schema_and_rows(conn: sqlite3.Connection) -> None:
    """Inside a write transaction: drop everything of ``main``, then create ``fresh``'s tables,
    virtual tables and indexes and copy its rows (a virtual table's rows through its shadow
    tables)."""
    def listing(schema: str) -> list[tuple[str, str]]:
        return [(name, kind) for name, kind in conn.execute(f"select name, type from pragma_table_list where schema = '{schema}'")
                if not name.startswith("sqlite_")]

    def quoted(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    old = listing("main")
    for name, kind in sorted(old, key=lambda item: item[1] != "virtual"):  # a virtual table drops its shadows
        if kind != "view":
            conn.execute(f"drop table if exists main.{quoted(name)}")
    fresh = listing("fresh")
    shadows = {name for name, kind in fresh if kind == "shadow"}
    objects = conn.execute("select type, name, sql from fresh.sqlite_master where sql is not null "
                           "order by type != 'table', rowid").fetchall()
    for _kind, name, sql in objects:
        if name not in shadows and not name.startswith("sqlite_"):
            conn.execute(sql)
    for name, kind in fresh:
        if kind in ("table", "shadow"):
            conn.execute(f"delete from main.{quoted(name)}")
            conn.execute(f"insert into main.{quoted(name)} select * from fresh.{quoted(name)}")


def replace_text(path: Path, text: str) -> None:
    """Write a small cache file beside the stores (``config.json``): a temporary file moved into
    place, so a reader sees the old content or the new, and a symlink is replaced, never followed."""
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)

    _replace_via_temp(path, write, lambda tmp: os.replace(tmp, path))


def _replace_via_temp(path: Path, write: Callable[[str], None], keep: Callable[[str], _T]) -> _T:
    """The tail of every replacement under ``.git/declog/``: temporary files that killed writers
    left beside ``path`` are removed, ``write(tmp)`` fills a fresh temporary file
    (``.NAME-….tmp``) in the same folder, and ``keep(tmp)`` puts what it holds in place (a
    rename replaces a symlink at ``path``, never follows it). Whatever is left of the temporary
    file then goes, on failure too."""
    import tempfile  # here: a warm read writes nothing (shutil, random and lzma come with it)

    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{path.stem}-"
    remove_stale_temps(path.parent, prefix, STALE_REBUILD_SECONDS)
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        return keep(tmp)
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


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
