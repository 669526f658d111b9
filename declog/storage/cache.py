"""A parse cache under ``.git/declog/``, keyed by git blob object IDs.

For each record file the cache remembers the blob OID of its content together with the file's
size, mtime, ctime and inode (as git's index does), so an unchanged file is never read again; for
each OID it remembers what parsing (and, once validated, schema checking) produced. Any file whose
stat data changed is re-read and re-hashed, so the cache cannot serve stale content. Each file
row also remembers when it was verified: a file modified within two seconds before that moment
is always re-hashed (racy stat data, as in git), and becomes trusted once a later run has hashed
it again safely after the fact.

Parse results are stored twice: the whole record (``entry``) for commands that show records, and
a light view without the prose (``light``, with the record's ``id``/``handle`` beside it) for
validation's cross-record checks, which would otherwise spend most of a warm run decoding text
they never read. Light views are handed out as JSON text and decoded only for the records a
check actually looks into. Both are loaded lazily, on first use, in a single statement that
also re-checks the cache's identity.

The cache is versioned by its format, declog's version and the configuration's fingerprint (one
``meta.identity``, as every store under ``.git/declog/``: see :mod:`declog.storage.cachedb`), written in
transactions, rebuilt into a fresh file when its identity differs, read through one read-only
connection per process, and safe to delete at any time.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from declog.storage import cachedb
from declog.storage.stateview import ROW_COLUMNS, SNAPSHOT_HEAD

if TYPE_CHECKING:
    from declog.storage.stateview import StateView

RACY_NS = 2_000_000_000
FORMAT = 14  # bump when the tables change; an older cache file is then rebuilt (8: scope, title and name are light; 9: narratives; 10: jsons; 11, 12: snapshot; 13: its aliases and links; 14: its rows indexed by ID, kind and error)
SCHEMA = """
create table if not exists files (path text primary key, size int, mtime_ns int, ino int, ctime_ns int, oid text,
                                  verified_ns int);
create table if not exists blobs (oid text primary key, entry text);
create table if not exists lights (oid text primary key, id text, handle text, light text);
create table if not exists problems (key text primary key, problems text);
create table if not exists jsons (oid text, path text, kind text, text text, primary key (oid, path, kind));
create table if not exists snapshot (key text primary key, state text, rows text);
create table if not exists snaprows (seq integer primary key, path text, kind text, oid text, light text, id text,
                                     size int, mtime_ns int, ctime_ns int, ino int);
create table if not exists snapaliases (key text, seq int);
create table if not exists snaplinks (newer text, older text, seq int);
create index if not exists snaprows_id on snaprows (id);
create index if not exists snaprows_kind on snaprows (kind);
create index if not exists snaprows_unread on snaprows (seq) where substr(light, 1, 8) != '{"data":';
"""
# Record fields left out of the light view: top-level prose that no cross-record check reads, in
# any kind. Anything not named here (IDs, handles, links, status, dates, tags, nested fields,
# unknown fields) stays in it. A cross-record check that needs one of these must take it out of
# this list and bump FORMAT: validate.cross_problems only sees the light view of cached records.
HEAVY_FIELDS = frozenset({
    "email", "context", "decision", "rationale", "options", "consequences",
    "expected_outcome",  # not scope, title, name: blame, context and drift read them on every record
    # mechanisms, inspections and corrections of error
    "problem", "tool", "adoption", "note", "summary", "customer_impact", "timeline", "five_whys",
    "root_causes", "lessons",
    # narratives (a decision's `narrative` stays: its link to a narrative is checked both ways)
    "subtitle", "customer", "solution", "press_release", "quote", "getting_started", "faq", "sections",
})
# Keep this many parse results of files no longer in the tree (other branches, older edits).
SPARE_BLOBS = 200
# ParseCache.entries: OIDs per statement (SQLite allows at least 999 parameters)
ENTRIES_PER_QUERY = 900


def blob_oid(content: bytes, object_format: str = "sha1") -> str:
    """git's object ID of a blob with this content, in the repository's object format (``sha1``,
    or ``sha256`` for ``git init --object-format=sha256``): the parse cache's OIDs are compared
    with git's own (history, ``validate --against``)."""
    digest = hashlib.sha256 if object_format == "sha256" else hashlib.sha1
    return digest(b"blob %d\x00" % len(content) + content).hexdigest()


def light_view(entry: dict[str, Any]) -> dict[str, Any]:
    """A cache entry without the prose fields of its record (errors are kept as they are)."""
    data = entry.get("data")
    if not isinstance(data, dict):
        return entry
    return {"data": {k: v for k, v in data.items() if k not in HEAVY_FIELDS}}


LightRow = tuple[str, str | None, str | None]  # light view as JSON text, its "id", its "handle"


def light_row(entry: dict[str, Any]) -> LightRow:
    """What the cache keeps for the light view of ``entry``. The JSON text starts with
    ``{"error":`` for a file that could not be read as a record, else with ``{"data":``."""
    data = entry.get("data")
    data = data if isinstance(data, dict) else {}
    rid, handle = data.get("id"), data.get("handle")
    return (json.dumps(light_view(entry), separators=(",", ":")),
            rid if isinstance(rid, str) else None, handle if isinstance(handle, str) else None)


@dataclass
class Stat:
    size: int
    mtime_ns: int
    ino: int
    ctime_ns: int = 0  # changes on every write, and cannot be set back (unlike mtime)


_quiet = False


@contextmanager
def quiet_gc(every: int = 10_000) -> Iterator[None]:
    """Collect cyclic garbage less often while a whole log is read or checked: every ``every``
    allocations instead of every 700. With tens of thousands of live records each collection
    walks them all and finds little (a third of a warm run, measured); parsing does leave some
    cyclic garbage, so the collector stays on. Inside, :func:`settle_gc` exempts what is alive
    at that point from collections until the block ends. Nested blocks, and processes that
    disable or freeze the collector themselves, are left alone."""
    global _quiet
    if _quiet or not gc.isenabled() or gc.get_freeze_count():
        yield
        return
    old = gc.get_threshold()
    gc.set_threshold(every, *old[1:])
    _quiet = True
    try:
        yield
    finally:
        _quiet = False
        gc.set_threshold(*old)
        gc.unfreeze()


def settle_gc() -> None:
    """Inside :func:`quiet_gc`: what is alive now (records just loaded) is long-lived for the
    rest of the block; stop walking it in every collection (``gc.freeze``)."""
    if _quiet:
        gc.freeze()


@contextmanager
def _no_gc() -> Iterator[None]:
    """Decoding many small, acyclic objects: the cyclic GC only slows that down (up to 3x)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        settle_gc()
        if enabled:
            gc.enable()


class ParseCache:
    """OID-keyed store of parsed records; a no-op when ``path`` is None (no git directory)."""

    def __init__(self, path: Path | None, identity: str, object_format: str = "sha1") -> None:
        self.path = path
        self.object_format = object_format
        self.identity = identity if object_format == "sha1" else f"{identity}:{object_format}"
        self._store_identity = cachedb.identity("parse-cache", FORMAT, self.identity)
        self._ro: sqlite3.Connection | None = None  # the one read-only connection (opened by _load)
        self.started_ns = time.time_ns()  # files hashed by this process were hashed after this
        # path -> (size, mtime_ns, ino, ctime_ns, oid, verified_ns); loaded on first use (files)
        self._files: dict[str, tuple[int, int, int, int, str, int]] | None = None
        self._blobs: dict[str, dict[str, Any]] | None = None
        self._lights: dict[str, LightRow] | None = None
        self._problems: dict[str, list[Any]] | None = None
        self._new_blobs: dict[str, dict[str, Any]] = {}
        self._new_problems: dict[str, list[Any]] = {}
        # blobs another process is parsing (expect_blobs): their OIDs, and what waits for them
        self._expected: tuple[frozenset[str], Callable[[], dict[str, dict[str, Any]]]] | None = None
        self._given: dict[str, dict[str, Any]] = {}  # what it handed over (kept in memory only)
        self._valid = False  # the file exists with our format and identity
        self._dirty_files: dict[str, tuple[int, int, int, int, str, int]] = {}
        self._gone_files: set[str] = set()
        self._dirty_blobs: set[str] = set()
        self._dirty_problems: set[str] = set()
        self._jsons: dict[tuple[str, str, str], str] | None = None
        self._new_jsons: dict[tuple[str, str, str], str] = {}
        self._new_snapshot: tuple[str, list[Any]] | None = None
        self._snapshot_edits: tuple[str, str, dict[int, list[Any]]] | None = None
        self._new_outputs: dict[str, tuple[str, str]] = {}
        self._load()

    # -- reading ---------------------------------------------------------------------------
    def _connect(self) -> tuple[sqlite3.Connection | None, bool]:
        """The cache file for writing, and whether it was just made (empty); None when it cannot
        be written (a read-only or locked file system: the cache is only an accelerator)."""
        if self.path is None:
            return None, False
        conn = cachedb.open_current(self.path, self._store_identity, timeout=5)
        if conn is not None:
            return conn, False
        try:
            return cachedb.rebuild(self.path, SCHEMA, self._store_identity, timeout=5), True
        except (OSError, sqlite3.Error):
            return None, False

    def _reader(self) -> sqlite3.Connection:
        if self._ro is None:
            self._ro = cachedb.connect_ro(self.path)  # type: ignore[arg-type]
        return self._ro

    def _done(self, conn: sqlite3.Connection) -> None:
        """End a read (never hold a shared lock between statements: our own save writes)."""
        try:
            conn.commit()
        except sqlite3.Error:
            self.close()

    def close(self) -> None:
        if self._ro is not None:
            self._ro.close()
            self._ro = None

    def _load(self) -> None:
        """Whether the file is ours (format and identity); its rows are loaded when first asked
        for (:attr:`files`, parse results): a warm run served by :meth:`snapshot` reads none."""
        if self.path is None or self.path.is_symlink() or not self.path.is_file():
            return
        try:
            conn = self._reader()
            try:
                self._valid = cachedb.meta(conn).get("identity") == self._store_identity
            finally:
                self._done(conn)
        except (sqlite3.Error, ValueError, OSError):
            self._valid = False
            self.close()

    @property
    def files(self) -> dict[str, tuple[int, int, int, int, str, int]]:
        """``{path: (size, mtime_ns, ino, ctime_ns, oid, verified_ns)}`` of every file hashed
        (loaded once, in one snapshot with a check of the identity)."""
        if self._files is None:
            self._files = {}
            if self._valid and self.path is not None:
                try:
                    conn = self._reader()
                    try:
                        conn.execute("begin")  # one snapshot: meta and rows from the same write
                        if cachedb.meta(conn).get("identity") != self._store_identity:
                            self._valid = False
                        else:
                            rows = conn.execute(
                                "select path, size, mtime_ns, ino, ctime_ns, oid, verified_ns from files").fetchall()
                            with _no_gc():
                                self._files = {row[0]: row[1:] for row in rows}
                    finally:
                        self._done(conn)
                except (sqlite3.Error, ValueError, OSError):
                    self._files = {}
                    self._valid = False
                    self.close()
        return self._files

    def file_count(self) -> int:
        """How many files the cache knows, without loading their rows (:attr:`files`)."""
        if self._files is not None or not self._valid or self.path is None:
            return len(self.files)
        return self._number("select count(*) from files")

    def snapshot_size(self) -> int:
        """How many records the saved snapshot holds (0: none), from the last row's position:
        no count of rows."""
        return self._number("select coalesce(max(seq), -1) + 1 from snaprows")

    def _number(self, sql: str) -> int:
        """The one number ``sql`` selects from the cache file (0 when there is none to read)."""
        if not self._valid or self.path is None:
            return 0
        try:
            conn = self._reader()
            try:
                row = conn.execute(sql).fetchone()
            finally:
                self._done(conn)
        except (sqlite3.Error, OSError):
            return 0
        return int(row[0]) if row else 0

    def snapshot(self, state: str) -> tuple[list[Any], bool, str] | None:
        """The rows of :meth:`remember_snapshot` when they were saved for the same files of the
        log (``declog.storage.store.Log.state``: ``PATHS:STATS``), in the order of their
        positions, whether their stat data is the same too (else the caller checks each row's:
        only then do the rows carry the stat columns), and the state they were saved for; None
        for another set of files."""
        def columns(saved: str) -> str | None:
            if saved.partition(":")[0] != state.partition(":")[0]:
                return None
            # the stat columns only when the caller must compare them (a third of the cost)
            return ROW_COLUMNS + ("" if saved == state else ", size, mtime_ns, ctime_ns, ino")

        found = self._snapshot_rows(columns)
        return (found[0], found[1] == state, found[1]) if found is not None else None

    def latest_snapshot(self) -> list[Any] | None:
        """The rows of the last :meth:`remember_snapshot`, whatever files the log has now (path,
        kind, OID, light JSON, ID; in the order of their positions), for a reader that checks
        each row's OID itself (``declog.storage.store.Log.light_records`` from git's index)."""
        found = self._snapshot_rows(lambda _saved: ROW_COLUMNS)
        return found[0] if found is not None else None

    def _snapshot_rows(self, columns: Callable[[str], str | None]) -> tuple[list[Any], str] | None:
        """The snapshot's rows, with the ``columns`` that the state it was saved for calls for
        (None: not these rows), and that state: read in one transaction (meta, state and rows
        from the same write), with the store's identity checked. None where there is none."""
        if not self._valid or self.path is None:
            return None
        try:
            conn = self._reader()
            try:
                conn.execute("begin")
                row = conn.execute(SNAPSHOT_HEAD).fetchone()
                wanted = columns(str(row[1])) if row and row[0] == self._store_identity else None
                if wanted is None:
                    return None
                with _no_gc():
                    rows: list[Any] = conn.execute(f"select {wanted} from snaprows order by seq").fetchall()
            finally:
                self._done(conn)
        except (sqlite3.Error, OSError):
            return None
        return rows, str(row[1])

    def view(self, state: str, make: Callable[[Sequence[Any]], Any]) -> StateView | None:
        """The snapshot saved for exactly ``state``, to be queried in place
        (:class:`declog.storage.stateview.StateView`, whose rows ``make`` turns into records);
        None when there is none for it."""
        if self._snapshot_entry("light", state) is None:
            return None
        from declog.storage.stateview import StateView

        return StateView(state, self._store_identity, self._reader, self._done, make)

    def known_by_probe(self, digest: str) -> str | None:
        """The state of the log whose snapshot git's index vouched for with ``digest``
        (``declog.history.worktree``), kept by :meth:`remember_probe` beside that snapshot."""
        return self._snapshot_entry("probe", digest)

    def remember_probe(self, digest: str, state: str) -> None:
        """Keep ``digest`` as the way to the snapshot of ``state`` (written by :meth:`save`; any
        new snapshot drops it, as it drops the outputs of other states)."""
        self._new_outputs["probe"] = (digest, state)

    def output(self, key: str, state: str) -> str | None:
        """What a command printed for ``key`` (its arguments) while the log was in ``state``
        (exactly: ``declog.storage.store.Log.state``), saved by :meth:`remember_output`."""
        return self._snapshot_entry("out:" + key, state)

    def _snapshot_entry(self, key: str, state: str) -> str | None:
        """The ``rows`` text of the snapshot table's ``key`` when it was saved for ``state`` by
        this cache's identity; None otherwise. One statement."""
        if not self._valid or self.path is None:
            return None
        try:
            conn = self._reader()
            try:
                row = conn.execute(
                    "select (select value from meta where key = 'identity'), state, rows from snapshot "
                    "where key = ?", (key,)).fetchone()
            finally:
                self._done(conn)
        except (sqlite3.Error, OSError):
            return None
        if not row or row[0] != self._store_identity or row[1] != state:
            return None
        return str(row[2])

    def remember_output(self, key: str, state: str, text: str) -> None:
        """Keep ``text`` as what ``key`` prints in ``state`` (written by :meth:`save`)."""
        self._new_outputs["out:" + key] = (state, text)

    def remember_snapshot(self, state: str, rows: list[Any]) -> None:
        """What reading the whole log (light) gave while it was in ``state``; saved by :meth:`save`."""
        self._new_snapshot = (state, rows)
        self._snapshot_edits = None

    def remember_snapshot_edits(self, was: str, state: str, rows: dict[int, list[Any]]) -> None:
        """The snapshot saved for ``was``, with the rows at these positions replaced, is what
        reading the log gives in ``state`` (a few files edited in place); :meth:`save` writes
        only those rows, and nothing when the saved snapshot is no longer the one of ``was``."""
        self._snapshot_edits = (was, state, rows)

    def _load_json_map(self, columns: tuple[str, str], table: str, where: str = "",
                       args: Iterable[Any] = ()) -> dict[str, Any]:
        """``{key: json}`` for the rows of ``table``, read in one statement that also checks the
        identity (another process may have rebuilt the file since ``_load``)."""
        if not self._valid or self.path is None:
            return {}
        try:
            conn = self._reader()
            try:
                row = conn.execute(
                    "select (select value from meta where key = 'identity'), "
                    f"'{{' || coalesce(group_concat(json_quote({columns[0]}) || ':' || {columns[1]}), '') || '}}' "
                    f"from {table} {where}", tuple(args)
                ).fetchone()
            finally:
                self._done(conn)
            if not row or row[0] != self._store_identity:
                return {}
            with _no_gc():
                out: dict[str, Any] = json.loads(row[1])
            return out
        except (sqlite3.Error, ValueError, OSError):
            return {}

    @property
    def blobs(self) -> dict[str, dict[str, Any]]:
        """Every cached parse result, ``{oid: {"data": ...} | {"error": [...]}}`` (loaded once)."""
        if self._blobs is None:
            loaded = self._load_json_map(("oid", "entry"), "blobs", "where entry is not null")
            loaded.update(self._new_blobs)
            self._blobs = loaded
        return self._blobs

    def entries(self, oids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The cached parse results of ``oids`` (those the cache has), fetched in a few
        statements rather than loading :attr:`blobs`, the map of every record: for a command
        that needs the prose of some records of a big log."""
        wanted = list(dict.fromkeys(oids))
        if self._blobs is not None:
            return {o: self._blobs[o] for o in wanted if o in self._blobs}
        out = {o: self._new_blobs[o] for o in wanted if o in self._new_blobs}
        rest = [o for o in wanted if o not in out]
        for start in range(0, len(rest), ENTRIES_PER_QUERY):
            chunk = rest[start:start + ENTRIES_PER_QUERY]
            marks = ",".join("?" * len(chunk))
            out.update(self._load_json_map(("oid", "entry"), "blobs",
                                           f"where entry is not null and oid in ({marks})", chunk))
        return out

    def light(self, oid: str) -> LightRow | None:
        """The cached parse result of ``oid`` without its prose fields (see :data:`HEAVY_FIELDS`),
        as :func:`light_row` gives it."""
        if self._lights is None:
            self._lights = {} if self._blobs is not None else self._load_light_rows()
        found = self._lights.get(oid)
        if found is not None:
            return found
        full = self._handed(oid)
        if full is None:
            full = self._new_blobs.get(oid) if self._blobs is None else self._blobs.get(oid)
        return light_row(full) if full is not None else None

    def _load_light_rows(self) -> dict[str, LightRow]:
        if not self._valid or self.path is None:
            return {}
        try:
            conn = self._reader()
            try:
                conn.execute("begin")
                meta = conn.execute("select value from meta where key = 'identity'").fetchone()
                if not meta or meta[0] != self._store_identity:
                    return {}
                rows = conn.execute("select oid, light, id, handle from lights").fetchall()
            finally:
                self._done(conn)
            with _no_gc():
                return {row[0]: row[1:] for row in rows}
        except (sqlite3.Error, ValueError, OSError):
            return {}

    @property
    def problems(self) -> dict[str, list[Any]]:
        """Every cached check result, ``{"kind:oid": rows}`` (loaded once)."""
        if self._problems is None:
            loaded = self._load_json_map(("key", "problems"), "problems")
            loaded.update(self._new_problems)
            self._problems = loaded
        return self._problems

    def problems_for(self, keys: Iterable[str]) -> dict[str, list[Any]]:
        """Cached check results of a few ``kind:oid`` keys (without loading all of them)."""
        wanted = list(dict.fromkeys(keys))
        if self._problems is not None or len(wanted) > 200:
            return {k: self.problems[k] for k in wanted if k in self.problems}
        found = {k: v for k, v in self._new_problems.items() if k in wanted}
        rest = [k for k in wanted if k not in found]
        if rest:
            marks = ",".join("?" * len(rest))
            found.update(self._load_json_map(("key", "problems"), "problems", f"where key in ({marks})", rest))
        return found

    def expect_blobs(self, oids: Collection[str], entries: Callable[[], dict[str, dict[str, Any]]]) -> None:
        """Another process is parsing the blobs ``oids`` (the hook's forked checks): the first
        :meth:`entry` asked for one of them waits for ``entries()`` (OID → what
        :meth:`remember_blob` keeps) and serves them, instead of parsing here too. They are not
        saved: a light read of files edited in place caches no parse (:meth:`Log._read_changed`),
        so a save never has new blobs to prune for."""
        self._expected = (frozenset(oids), entries)

    def _handed(self, oid: str) -> dict[str, Any] | None:
        """What another process handed over for ``oid`` (:meth:`expect_blobs`), waiting for it
        the first time one of its OIDs is asked for."""
        if self._expected is not None and oid in self._expected[0]:
            waiting, self._expected = self._expected[1], None
            self._given = waiting()
        return self._given.get(oid)

    def entry(self, oid: str) -> dict[str, Any] | None:
        """The cached parse result of one blob, without loading every one (see :attr:`blobs`)."""
        handed = self._handed(oid)
        if handed is not None:
            return handed
        if self._blobs is not None or oid in self._new_blobs:
            return self.blobs.get(oid)
        found = self._load_json_map(("oid", "entry"), "blobs", "where oid = ? and entry is not null", (oid,))
        return found.get(oid)

    def json_texts(self) -> dict[tuple[str, str, str], str]:
        """``(oid, path, kind) → the record's JSON as list --format json prints it`` (see
        declog.core.query.json_list), every one cached, loaded once."""
        if self._jsons is None:
            loaded: dict[tuple[str, str, str], str] = {}
            if self._valid and self.path is not None:
                try:
                    conn = self._reader()
                    try:
                        conn.execute("begin")
                        meta = conn.execute("select value from meta where key = 'identity'").fetchone()
                        if meta and meta[0] == self._store_identity:
                            with _no_gc():
                                loaded = {(o, p, k): t for o, p, k, t in conn.execute(
                                    "select oid, path, kind, text from jsons")}
                    finally:
                        self._done(conn)
                except (sqlite3.Error, OSError):
                    loaded = {}
            loaded.update(self._new_jsons)
            self._jsons = loaded
        return self._jsons

    def remember_json(self, key: tuple[str, str, str], text: str) -> None:
        self._new_jsons[key] = text
        if self._jsons is not None:
            self._jsons[key] = text

    def oid_for(self, rel: str, st: Stat) -> str | None:
        """The cached OID of ``rel`` if its stat data is unchanged and was not racy when verified."""
        known = self.files.get(rel)
        if known is None:
            return None
        size, mtime, ino, ctime, oid, verified = known
        if (size, mtime, ino, ctime) != (st.size, st.mtime_ns, st.ino, st.ctime_ns):
            return None
        if st.mtime_ns >= verified - RACY_NS or st.ctime_ns >= verified - RACY_NS:
            return None
        return oid

    def trusted_oid(self, rel: str, st: os.stat_result) -> str | None:
        """:meth:`oid_for` straight from ``os.stat_result`` (the hot path of reading a log)."""
        known = self.files.get(rel)
        if (known is None or known[0] != st.st_size or known[1] != st.st_mtime_ns or known[2] != st.st_ino
                or known[3] != st.st_ctime_ns or max(st.st_mtime_ns, st.st_ctime_ns) >= known[5] - RACY_NS):
            return None
        return known[4]

    def light_hit(self, rel: str, st: os.stat_result) -> tuple[str, str, str | None, str | None] | None:
        """``(oid, *light row)`` of an unchanged file whose light view is cached: the checks of
        :meth:`trusted_oid` and :meth:`light` in one call, for the hot loop of a warm run."""
        known = self.files.get(rel)
        if (known is None or known[0] != st.st_size or known[1] != st.st_mtime_ns or known[2] != st.st_ino
                or known[3] != st.st_ctime_ns or max(st.st_mtime_ns, st.st_ctime_ns) >= known[5] - RACY_NS):
            return None
        if self._lights is None:
            self._lights = {} if self._blobs is not None else self._load_light_rows()
        row = self._lights.get(known[4])
        return None if row is None else (known[4], *row)

    # -- writing ---------------------------------------------------------------------------
    def remember_file(self, rel: str, st: Stat, oid: str) -> None:
        """``rel`` (with this stat data) was just hashed to ``oid``."""
        known = self.files.get(rel)
        newest = max(st.mtime_ns, st.ctime_ns)
        if known is not None and known[:5] == (st.size, st.mtime_ns, st.ino, st.ctime_ns, oid):
            if newest < known[5] - RACY_NS or newest >= self.started_ns - RACY_NS:
                return  # already trusted, or still too recent to be trusted now
        value = (st.size, st.mtime_ns, st.ino, st.ctime_ns, oid, self.started_ns)
        self.files[rel] = value
        self._dirty_files[rel] = value
        self._gone_files.discard(rel)

    def remember_blob(self, oid: str, entry: dict[str, Any]) -> None:
        if oid in self._new_blobs or (self._blobs is not None and oid in self._blobs):
            return
        self._new_blobs[oid] = entry
        if self._blobs is not None:
            self._blobs[oid] = entry
        self._dirty_blobs.add(oid)

    def remember_problems(self, key: str, problems: list[Any]) -> None:
        """What checking the blob behind ``key`` (``kind:oid``) found."""
        current = self._problems.get(key) if self._problems is not None else self._new_problems.get(key)
        if current != problems:
            self._new_problems[key] = problems
            if self._problems is not None:
                self._problems[key] = problems
            self._dirty_problems.add(key)

    def forget_missing(self, present: set[str]) -> None:
        gone = [p for p in self.files if p not in present]
        for p in gone:
            del self.files[p]
            self._dirty_files.pop(p, None)
        self._gone_files.update(gone)

    def save(self) -> None:
        """Persist what changed. Failures are ignored: the cache is only an accelerator."""
        if self.path is None:
            return
        if not (self._dirty_files or self._gone_files or self._dirty_blobs or self._dirty_problems
                or self._new_jsons or self._new_snapshot or self._snapshot_edits or self._new_outputs) and self._valid:
            return
        self.close()  # our own reads never hold the file while we write it
        conn, fresh = self._connect()
        if conn is None:
            return
        try:
            with conn:
                if fresh or not self._valid:  # a new file: everything we know goes in
                    conn.execute("delete from files")
                    conn.execute("delete from blobs")
                    conn.execute("delete from lights")
                    conn.execute("delete from problems")
                    conn.execute("delete from jsons")
                    conn.execute("delete from snapshot")
                    self._forget_snapshot_rows(conn)
                    self._dirty_files = dict(self.files)
                    self._dirty_blobs = set(self._new_blobs)
                    self._dirty_problems = set(self._new_problems)
                conn.executemany("delete from files where path = ?", [(p,) for p in self._gone_files])
                conn.executemany(
                    "insert or replace into files values (?, ?, ?, ?, ?, ?, ?)",
                    [(p, *v) for p, v in self._dirty_files.items()],
                )
                conn.executemany(
                    "insert or ignore into blobs (oid, entry) values (?, ?)",
                    [(o, json.dumps(self._new_blobs[o], separators=(",", ":"))) for o in self._dirty_blobs],
                )
                conn.executemany(  # apart from the whole entries, so that reading it skips them
                    "insert or ignore into lights (oid, light, id, handle) values (?, ?, ?, ?)",
                    [(o, *light_row(self._new_blobs[o])) for o in self._dirty_blobs],
                )
                conn.executemany(
                    "insert or replace into problems values (?, ?)",
                    [(k, json.dumps(self._new_problems[k], separators=(",", ":"))) for k in self._dirty_problems],
                )
                conn.executemany("insert or replace into jsons values (?, ?, ?, ?)",
                                 [(*k, t) for k, t in self._new_jsons.items()])
                if self._new_snapshot is not None:
                    from declog.storage.stateview import derived_rows

                    rows = self._new_snapshot[1]
                    aliases, links = derived_rows(rows)
                    conn.execute("insert or replace into snapshot values ('light', ?, '')", (self._new_snapshot[0],))
                    self._forget_snapshot_rows(conn)
                    conn.executemany("insert into snaprows values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                     [(i, *r) for i, r in enumerate(rows)])
                    conn.executemany("insert into snapaliases values (?, ?)", aliases)
                    conn.executemany("insert into snaplinks values (?, ?, ?)", links)
                    conn.execute("delete from snapshot where key != 'light' and state != ?", (self._new_snapshot[0],))
                elif not (self._snapshot_edits is not None and not fresh and self._valid
                          and self._edit_snapshot(conn, *self._snapshot_edits)) \
                        and (self._dirty_files or self._gone_files):  # the log changed since: never served again
                    conn.execute("delete from snapshot")
                    self._forget_snapshot_rows(conn)
                conn.executemany("insert or replace into snapshot values (?, ?, ?)",
                                 [(k, st, text) for k, (st, text) in self._new_outputs.items()])
                if self._dirty_blobs:
                    self._prune(conn)
            self._valid = True
            self._new_snapshot = self._snapshot_edits = None
            self._new_outputs.clear()
            self._new_jsons.clear()
            self._dirty_files.clear()
            self._gone_files.clear()
            self._dirty_blobs.clear()
            self._dirty_problems.clear()
        except (sqlite3.Error, OSError):
            pass
        finally:
            conn.close()

    @staticmethod
    def _edit_snapshot(conn: sqlite3.Connection, was: str, state: str, rows: dict[int, list[Any]]) -> bool:
        """Replace the rows at ``rows``' positions of the snapshot saved for ``was`` (and their
        alias keys and links), which then is the one of ``state``; False when the snapshot saved is
        another one (another process saved its own since): then nothing is written here."""
        from declog.storage.stateview import derived_rows

        found = conn.execute("select state from snapshot where key = 'light'").fetchone()
        if not found or found[0] != was:
            return False
        seqs = [(seq,) for seq in rows]
        conn.executemany("update snaprows set path = ?, kind = ?, oid = ?, light = ?, id = ?, size = ?, mtime_ns = ?, "
                         "ctime_ns = ?, ino = ? where seq = ?", [(*row, seq) for seq, row in rows.items()])
        conn.executemany("delete from snapaliases where seq = ?", seqs)
        conn.executemany("delete from snaplinks where seq = ?", seqs)
        aliases, links = derived_rows(list(rows.values()), list(rows))
        conn.executemany("insert into snapaliases values (?, ?)", aliases)
        conn.executemany("insert into snaplinks values (?, ?, ?)", links)
        conn.execute("update snapshot set state = ? where key = 'light'", (state,))
        conn.execute("delete from snapshot where key != 'light' and state != ?", (state,))
        return True

    @staticmethod
    def _forget_snapshot_rows(conn: sqlite3.Connection) -> None:
        conn.execute("delete from snaprows")
        conn.execute("delete from snapaliases")
        conn.execute("delete from snaplinks")

    def _prune(self, conn: sqlite3.Connection) -> None:
        """Drop parse results no file points at once there are more than SPARE_BLOBS of them."""
        (total,) = conn.execute("select count(*) from blobs").fetchone()
        if total - len({row[4] for row in self.files.values()}) <= SPARE_BLOBS:
            return
        conn.execute("delete from blobs where oid not in (select oid from files)")
        conn.execute("delete from lights where oid not in (select oid from blobs)")
        conn.execute("delete from problems where substr(key, instr(key, ':') + 1) not in (select oid from blobs)")
        conn.execute("delete from jsons where oid not in (select oid from files)")


def stat_of(st: os.stat_result) -> Stat:
    return Stat(st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
