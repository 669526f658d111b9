"""The log's light records queried where the parse cache keeps them, without loading them all.

When the log's files are exactly as when the parse cache saved its snapshot (the same
:meth:`declog.storage.store.Log.state`, trusted), the snapshot's rows *are* the log's light
records. A command that needs a few of them (``declog why``: its hits, the supersede chains
through them, the records an alias names) asks :class:`StateView` for those few instead of
building ten thousand :class:`~declog.storage.store.Record` objects. Beside the rows, the
snapshot keeps two small tables, written with it from the same rows (:func:`derived_rows`):
the alias keys of every record that has aliases, and every supersede link. Each query checks,
in the same read, that the snapshot is still the one of this state; when another process has
replaced it since, :class:`StaleView` is raised and the caller reads the log the ordinary way.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from declog.storage.store import Record

# the columns of a snapshot row that make a light record (declog.storage.store._from_snapshot_row)
ROW_COLUMNS = "path, kind, oid, light, id"
# the identity of the cache that saved the snapshot, and the log's state it was saved for
SNAPSHOT_HEAD = "select (select value from meta where key = 'identity'), state from snapshot where key = 'light'"
# ids, oids or keys per statement (SQLite allows at least 999 parameters)
PER_QUERY = 900


class StaleView(Exception):
    """The parse cache's snapshot is no longer the one of the view's state."""


def derived_rows(rows: Sequence[Sequence[Any]], seqs: Sequence[int] | None = None
                 ) -> tuple[list[tuple[str, int]], list[tuple[str, str, int]]]:
    """From snapshot rows (path, kind, oid, light JSON, ID, …) at positions ``seqs`` in the log's
    order (default: all of them, in order): the alias keys (``declog.domain.ids.alias_key``)
    with the position of the row that holds each, and every supersede link as (newer ID, older
    ID, position), read from either side as :meth:`declog.core.facts.LogFacts.supersede_maps`
    reads them. Only rows whose JSON names aliases or a supersede link are decoded."""
    from declog.domain.ids import alias_key

    aliases: list[tuple[str, int]] = []
    links: list[tuple[str, str, int]] = []
    for seq, row in zip(range(len(rows)) if seqs is None else seqs, rows, strict=True):
        text = row[3]
        if not isinstance(text, str) or not text.startswith('{"data":'):
            continue
        named, linked = '"aliases":' in text, row[1] == "decision" and '"supersede' in text
        if not named and not linked:
            continue
        data = json.loads(text).get("data")
        if not isinstance(data, dict):
            continue
        found = data.get("aliases")
        if named and isinstance(found, list):
            aliases += [(key, seq) for key in dict.fromkeys(alias_key(a) for a in found if isinstance(a, str))]
        rid = data.get("id")
        if not linked or not isinstance(rid, str):
            continue
        olds = data.get("supersedes")
        links += [(rid, old, seq) for old in olds if isinstance(old, str) and old != rid] \
            if isinstance(olds, list) else []
        by = data.get("superseded_by")
        if isinstance(by, str) and by != rid:
            links.append((by, rid, seq))
    return aliases, links


class StateView:
    """The snapshot of the log in ``state``, read in place (see the module's docstring).

    ``reader`` gives the parse cache's read-only connection, ``done`` ends a read, ``identity``
    is the cache's, ``make`` turns a row into a Record."""

    def __init__(self, state: str, identity: str, reader: Callable[[], sqlite3.Connection],
                 done: Callable[[sqlite3.Connection], None], make: Callable[[Sequence[Any]], Record]) -> None:
        self.state = state
        self._identity = identity
        self._reader = reader
        self._done = done
        self._make = make

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        """Rows of ``sql``, read in one transaction with a check that the snapshot is still ours."""
        try:
            conn = self._reader()
            try:
                conn.execute("begin")
                row = conn.execute(SNAPSHOT_HEAD).fetchone()
                if not row or row[0] != self._identity or row[1] != self.state:
                    raise StaleView(self.state)
                return conn.execute(sql, list(args)).fetchall()
            finally:
                self._done(conn)
        except sqlite3.Error as exc:
            raise StaleView(self.state) from exc

    def _in(self, column: str, values: Collection[Any], more: str = "", args: Sequence[Any] = (),
            source: str = "snaprows") -> list[Any]:
        """Rows (with their position) whose ``column`` is one of ``values``, in the log's order
        (``more``: a further condition, with ``args``; ``source``: snaprows, or a join of it as s)."""
        values = list(dict.fromkeys(values))
        out: list[Any] = []
        columns = "seq, " + ROW_COLUMNS if source == "snaprows" else \
            ", ".join(f"s.{c.strip()}" for c in f"seq, {ROW_COLUMNS}".split(","))
        for i in range(0, len(values), PER_QUERY):
            part = values[i:i + PER_QUERY]
            out += self._read(f"select {columns} from {source} where {column} in "
                              f"({', '.join('?' * len(part))}){more}", [*part, *args])
        out.sort(key=lambda r: r[0])
        return out

    def at(self, where: dict[str, int]) -> dict[str, Record]:
        """OID → the record at that position in the log's order, for each one that holds it
        (``where``: OID → position, as the search index keeps them)."""
        rows = self._in("seq", list(where.values())) if where else []
        return {row[3]: self._make(row[1:]) for row in rows if where.get(row[3]) == row[0]}

    def with_ids(self, ids: Collection[str]) -> list[Record]:
        """Every record whose ID (or handle) is one of ``ids``, in the log's order."""
        return [self._make(row[1:]) for row in self._in("id", ids)] if ids else []

    def of_kind(self, kind: str) -> list[Record]:
        return [self._make(row) for row in self._read(f"select {ROW_COLUMNS} from snaprows where kind = ? "
                                                     "order by seq", [kind])]

    def containing(self, text: str, kind: str) -> list[Record]:
        """The records of ``kind`` whose light JSON holds ``text`` (a field name as JSON, such as
        ``'"scope":'``: a test done by SQLite, no row decoded), in the log's order."""
        return [self._make(row) for row in self._read(f"select {ROW_COLUMNS} from snaprows where kind = ? "
                                                     "and instr(light, ?) > 0 order by seq", [kind, text])]

    def light_data(self, kind: str) -> list[tuple[str, str, str, dict[str, Any]]]:
        """``(path, oid, ID, light data)`` of every record of ``kind`` that has data and an ID, in
        the log's order, without making records: the rows' JSON joined by SQLite and decoded in
        one ``json.loads`` (picking fields out in SQLite costs more: 3.40 parses a row's JSON
        again for each: 17 ms a field at 10,000 decisions, measured, against 44 ms to join and
        decode the whole rows)."""
        # each row as the JSON text [seq, path, oid, ID, light entry]: quoting is no JSON parse
        rows = self._read("select '[' || coalesce(group_concat('[' || seq || ',' || json_quote(path) || ',' "
                          "|| json_quote(oid) || ',' || json_quote(id) || ',' || light || ']'), '') || ']' "
                          "from snaprows where kind = ? and id is not null and substr(light, 1, 8) = '{\"data\":'",
                          [kind])
        from declog.storage.cache import _no_gc

        with _no_gc():
            found: list[list[Any]] = json.loads(rows[0][0])
            found.sort(key=lambda row: row[0])  # group_concat's order is SQLite's to choose
            return [(path, oid, rid, entry["data"]) for _, path, oid, rid, entry in found]

    def numbered_data(self, kind: str) -> list[tuple[int, dict[str, Any]]]:
        """``(position, light data)`` of every record of ``kind`` that has data, in the log's
        order: :meth:`light_data` without the paths and OIDs, whose quoting costs SQLite more
        than the rest of the statement (40 to 80 against 7 to 12 ms at 20,000 inspections)."""
        rows = self._read("select '[' || coalesce(group_concat('[' || seq || ',' || light || ']'), '') || ']' "
                          "from snaprows where kind = ? and substr(light, 1, 8) = '{\"data\":'", [kind])
        from declog.storage.cache import _no_gc

        with _no_gc():
            found: list[list[Any]] = json.loads(rows[0][0])
            found.sort(key=lambda row: row[0])  # group_concat's order is SQLite's to choose
            return [(seq, entry["data"]) for seq, entry in found]

    def noted(self, seqs: Collection[int], name: str) -> list[Record]:
        """The records at positions ``seqs`` whose whole parse result may name the top-level
        prose field ``name``: its JSON does, or the cache has none of the blob. Every other one
        is whole, as far as ``name`` goes, as its light record is. A test done by SQLite."""
        rows = self._in("s.seq", seqs, " and (b.entry is null or instr(b.entry, ?) > 0)", [json.dumps(name) + ":"],
                        "snaprows s left join blobs b on b.oid = s.oid")
        return [self._make(row[1:]) for row in rows]

    def unreadable(self) -> list[Record]:
        """The records whose file could not be read (their row holds the error, not data)."""
        return [r for r in (self._make(row) for row in self._read(
            f"select {ROW_COLUMNS} from snaprows where substr(light, 1, 8) != '{{\"data\":' order by seq"))
            if r.error is not None]

    def aliased(self, key: str) -> list[Record]:
        """The records with an alias whose key (``declog.domain.ids.alias_key``) is ``key``."""
        return [self._make(row) for row in self._read(
            f"select {ROW_COLUMNS} from snaprows where seq in (select seq from snapaliases where key = ?) "
            "order by seq", [key])]

    def chained(self, ids: Collection[str]) -> list[Record]:
        """The records of ``ids`` and of every decision linked to one of them by a supersede
        link, down the chain both ways: what :class:`declog.core.facts.LogFacts` needs to walk
        their chains as it would over the whole log."""
        near: dict[str, set[str]] = {}
        for newer, older in self._read("select newer, older from snaplinks"):
            near.setdefault(newer, set()).add(older)
            near.setdefault(older, set()).add(newer)
        seen = set(ids)
        todo = list(seen)
        while todo:
            for other in near.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return self.with_ids(seen)
