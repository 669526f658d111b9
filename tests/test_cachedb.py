"""The caches' SQLite stores are rebuilt without ever pulling a file from under a connection that
has it open (declog.storage.cachedb): SQLite names a rollback journal after the path, so a
connection left on a replaced file would take the new file's journal for its own."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from declog.core import search
from declog.domain.kinds import KINDS
from declog.storage import cachedb
from declog.storage.store import Record

SCHEMA = "create table if not exists rows (k text primary key, v text);"


def _store(path: Path, ident: str, rows: dict[str, str], tip: str | None = None) -> None:
    conn = cachedb.rebuild(path, SCHEMA, ident)
    with conn:
        conn.executemany("insert into rows values (?, ?)", rows.items())
        if tip is not None:
            conn.execute("insert or replace into meta values ('tip', ?)", (tip,))
    conn.close()


def _rows(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("select k, v from rows"))


def _fill(rows: dict[str, str], tip: str | None = None):  # type: ignore[no-untyped-def]
    def fill(conn: sqlite3.Connection) -> None:
        with conn:
            conn.executemany("insert into rows values (?, ?)", rows.items())
            if tip is not None:
                conn.execute("insert or replace into meta values ('tip', ?)", (tip,))
    return fill


def test_a_store_of_another_identity_is_written_over_in_place_under_an_open_reader(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    _store(path, "old", {"a": "1"})
    inode = path.stat().st_ino
    reader = cachedb.open_current(path, "old", read_only=True)
    assert reader is not None and _rows(reader) == {"a": "1"}
    reader.commit()
    fresh = cachedb.rebuild(path, SCHEMA, "new", _fill({"b": "2"}))
    assert path.stat().st_ino == inode  # the same file: the reader's journal is still its own
    assert _rows(fresh) == {"b": "2"} and cachedb.meta(fresh)["identity"] == "new"
    assert _rows(reader) == {"b": "2"}  # the open reader sees the new content, not a stale file
    fresh.close()
    reader.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.sqlite"]  # no temporary file left


def test_a_store_locked_past_the_timeout_is_left_alone_and_the_rebuild_works_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    _store(path, "old", {"a": "1"})
    inode = path.stat().st_ino
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("begin immediate")  # another process writing, for longer than the timeout
    try:
        conn = cachedb.rebuild(path, SCHEMA, "new", _fill({"b": "2"}), timeout=0.05)
        assert _rows(conn) == {"b": "2"} and cachedb.meta(conn)["identity"] == "new"
        conn.execute("insert into rows values ('c', '3')")  # a working store, for this run
        conn.close()
    finally:
        holder.execute("rollback")
        holder.close()
    assert path.stat().st_ino == inode  # never renamed over under the lock holder
    kept = cachedb.open_current(path, "old")
    assert kept is not None and _rows(kept) == {"a": "1"}
    kept.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.sqlite"]


def test_a_store_another_process_rebuilt_meanwhile_is_kept_not_clobbered(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    _store(path, "new", {"a": "written by the other process"})
    conn = cachedb.rebuild(path, SCHEMA, "new")  # this one also found no current store a moment ago
    assert _rows(conn) == {"a": "written by the other process"}
    conn.close()


def test_a_store_at_another_tip_is_rebuilt_when_the_caller_needs_its_tip(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    _store(path, "new", {"a": "at the old tip"}, tip="old-tip")
    usable = lambda conn: cachedb.meta(conn).get("tip") == "new-tip"  # noqa: E731
    conn = cachedb.rebuild(path, SCHEMA, "new", _fill({"b": "at the new tip"}, "new-tip"), usable=usable)
    assert _rows(conn) == {"b": "at the new tip"} and cachedb.meta(conn)["tip"] == "new-tip"
    conn.close()
    again = cachedb.rebuild(path, SCHEMA, "new", _fill({"c": "never written"}, "new-tip"), usable=usable)
    assert _rows(again) == {"b": "at the new tip"}
    again.close()


def test_an_attached_database_never_answers_for_the_store_s_meta(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    path.write_bytes(b"")  # an empty file is an empty database: no meta table of its own
    conn = cachedb.rebuild(path, SCHEMA, "new")
    assert cachedb.meta(conn) == {"identity": "new"}
    assert _rows(conn) == {}
    conn.close()


@pytest.mark.parametrize("damage", ["garbage", "symlink"])
def test_a_file_that_is_no_store_is_replaced(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "store.sqlite"
    target = tmp_path / "elsewhere.txt"
    target.write_bytes(b"not a database" * 300)
    if damage == "garbage":
        path.write_bytes(target.read_bytes())
    else:
        path.symlink_to(target)
    conn = cachedb.rebuild(path, SCHEMA, "new", _fill({"a": "1"}))
    assert not path.is_symlink() and _rows(conn) == {"a": "1"}
    assert target.read_bytes() == b"not a database" * 300  # never written through
    conn.close()


def test_a_virtual_table_s_rows_come_along_when_a_store_is_written_over(tmp_path: Path) -> None:
    path = tmp_path / "search.sqlite"
    _store(path, "old", {"a": "1"})
    schema = "create virtual table if not exists docs using fts5(body);"

    def fill(conn: sqlite3.Connection) -> None:
        with conn:
            conn.execute("insert into docs (rowid, body) values (7, 'message queues for orders')")

    conn = cachedb.rebuild(path, schema, "fts", fill)
    assert conn.execute("select rowid from docs where docs match 'queues'").fetchall() == [(7,)]
    assert conn.execute("select count(*) from sqlite_master where name = 'rows'").fetchone() == (0,)
    conn.close()


def _decision(i: int) -> Record:
    data = {"id": f"D-{i:02d}a{i:02d}z", "title": f"Queue number {i}", "status": "accepted",
            "decision": "Use a message queue", "context": "orders"}
    return Record(f"decisions/d{i}.yaml", KINDS["decision"], f"{i:040x}", data=data)


def test_the_search_index_ranks_in_memory_when_its_file_will_not_take_the_documents(tmp_path: Path) -> None:
    path = tmp_path / "search.sqlite"
    index = search.SearchIndex(path)
    index.conn.execute("pragma busy_timeout = 50")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("begin immediate")  # another process keeps the write lock past the timeout
    try:
        index.sync([_decision(i) for i in range(3)])
        assert index.in_memory
        assert len(index.scores('"queue"')) == 3  # every decision: none lost to the refused write
    finally:
        holder.execute("rollback")
        holder.close()
        index.close()
    assert os.path.getsize(path) > 0
