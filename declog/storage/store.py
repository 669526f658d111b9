"""The log on disk: finding record files, reading them (through the parse cache), resolving IDs,
and writing files atomically. The store never prints and never validates; see ``declog.core.edit``
for operations that validate before they write.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import Any, Protocol, TypeVar

from declog.domain import ids
from declog.domain.kinds import KINDS, Kind, kind_for_path
from declog.errors import FileWriteError, RecordFileError, RecordNotFound, UsageError
from declog.storage import cachedb
from declog.storage import config as config_mod
from declog.storage.cache import (
    HEAVY_FIELDS,
    RACY_NS,
    ParseCache,
    Stat,
    _no_gc,
    blob_oid,
    light_row,
    quiet_gc,
    settle_gc,
    stat_of,
)
from declog.storage.stateview import StaleView, StateView

RECORD_SUFFIXES = (".yaml", ".yml")
T = TypeVar("T")
TEMP_PREFIX = ".declog-"
# a temp file of atomic_write older than this was left by a killed process: the next write removes it
STALE_TEMP_SECONDS = 60.0
# how long a write waits for another declog process that holds the log's write lock
LOCK_TIMEOUT_SECONDS = 30.0
REFRESH_AT_MOST = 200  # files edited since the snapshot that Log._refresh_snapshot reads again
# Log.scan: per record file, its repository-relative path, kind, path and stat data (None where unknown)
ScanRows = list[tuple[str | None, Kind | None, str, os.stat_result | None]]
# Log._walked: from this many record files (as the parse cache's snapshot holds them) git's index is asked
# first (Log.probe), which costs a git process: below it the walk costs less
PROBE_MIN_FILES = 2000
# Log.parse_in_parallel: a cold read forks a second parser from this many files unknown to the cache
PARALLEL_MIN_FILES = 2000
DIRECT_READS = 40  # Log.full: light records parsed from their files before the cache's full map is loaded


class IndexProbe(Protocol):
    """What git's index says of the log's files (``declog.history.worktree.IndexProbe``)."""

    def start(self) -> None:
        """Let git look at the files now, for the next :meth:`state`."""

    def started(self) -> bool:
        """Whether git is looking at the files for the next :meth:`state`."""

    def state(self) -> str | None:
        """A digest that is the same only while the log's files are the same; None: walk."""

    def trusted(self) -> bool:
        """Whether git looks at every file of the log (none assume-unchanged or skip-worktree)."""


class IndexFiles(Protocol):
    """What git's index says of the files it tracks (``declog.history.git.IndexFiles``)."""

    @property
    def blobs(self) -> dict[str, str]:
        """Repository-relative path → the index's blob OID."""

    @property
    def changed(self) -> frozenset[str]:
        """The paths whose work-tree file is not that blob (edited or deleted)."""

    @property
    def vouched(self) -> bool:
        """Whether git looked at every file, each a plain file at stage 0."""


@dataclass
class Record:
    """One record file as read: its plain data, or why it could not be read."""

    path: str  # relative to the repository root, with forward slashes
    kind: Kind
    oid: str
    data: dict[str, Any] | None = None  # JSON-compatible (dates as ISO strings)
    error: RecordFileError | None = None
    typed: dict[str, Any] | None = field(default=None, repr=False)  # as parsed, when freshly read
    # ``data`` without the prose fields (declog.storage.cache.HEAVY_FIELDS): all that a light record
    # (see Log.light_records) carries, and all that cross-record checks read. A light record
    # from the cache holds it as JSON text (``light_json``, decoded on first use), with its ID
    # beside it (``cached_id``).
    light: dict[str, Any] | None = field(default=None, repr=False)
    light_json: str | None = field(default=None, repr=False)
    cached_id: str | None = field(default=None, repr=False)

    @property
    def id(self) -> str | None:
        if self.data is not None:
            source = self.data
        elif self.light is None and self.light_json is not None:
            return self.cached_id
        elif self.light is not None:
            source = self.light
        else:
            return None
        value = source.get(self.kind.id_field)
        return value if isinstance(value, str) else None

    @property
    def links(self) -> dict[str, Any]:
        """The fields other records can point at or from: ``data`` without its prose."""
        if self.light is None:
            if self.light_json is not None:
                self.light = json.loads(self.light_json)["data"]
            elif self.data is not None:
                self.light = {k: v for k, v in self.data.items() if k not in HEAVY_FIELDS}
            else:
                return {}
        return self.light

    def link(self, name: str) -> Any:
        """``links.get(name)``, without decoding a light record whose JSON has no such field."""
        if self.light is None and self.light_json is not None and f'"{name}":' not in self.light_json:
            return None
        return self.links.get(name)

    def mentions(self, values: set[str], needles: Sequence[str]) -> bool:
        """True when any string in :attr:`links`, at any depth, is one of ``values``.
        ``needles`` are the values as JSON (``json.dumps``): a light record that has not been
        decoded is searched as text, and cannot mention a value whose JSON does not occur in it."""
        text = self.light_json
        if self.light is None and text is not None:
            for needle in needles:
                if needle in text:
                    break
            else:
                return False
        stack: list[Any] = list(self.links.values())
        while stack:
            value = stack.pop()
            if isinstance(value, str):
                if value in values:
                    return True
            elif isinstance(value, list):
                stack.extend(value)
            elif isinstance(value, dict):
                stack.extend(value.values())
        return False

    @property
    def title(self) -> str:
        if self.data is None:
            return ""
        value = self.data.get(self.kind.title_field)
        return value if isinstance(value, str) else ""

    def as_json(self) -> dict[str, Any]:
        """The stable JSON shape: ``id``, ``kind``, ``path`` and the record's fields.

        A field that shares a name with those three (an owner's ``kind``: person or team) is
        given as ``<record kind>_<field>`` (``owner_kind``), so nothing is lost.
        """
        out: dict[str, Any] = {"id": self.id, "kind": self.kind.name, "path": self.path}
        for key, value in (self.data or {}).items():
            if key in ("kind", "path") or (key == "id" and self.kind.id_field != "id"):
                out[f"{self.kind.name}_{key}"] = value
            elif key not in out:
                out[key] = value
        return out


class Log:
    """A declog log: the configuration and the record files under its root folder."""

    def __init__(self, cfg: config_mod.Config, use_cache: bool = True) -> None:
        self.config = cfg
        self.repo = cfg.repo
        self._records: list[Record] | None = None
        self._light: list[Record] | None = None
        self._direct_reads = 0  # light records made whole by parsing their file (Log.full)
        self._state: str | None = None  # Log.state as the last light read found it, when trusted
        # Log.view: the walk it made (reused by the light read that may follow) and its answer
        self._walk: tuple[str, bool, list[str], list[int]] | None = None
        self._view: StateView | None | bool = False  # False: not asked yet
        # git's index instead of the walk, on a big log (declog.history.worktree.IndexProbe: set
        # by the command line); the digest it gave before a walk, to remember after it
        self.probe: IndexProbe | None = None
        self._probed: str | None = None
        self._by_probe = False
        # set by a command that keeps only the record files git tracks (validate --tracked, the
        # pre-commit hook): what git's index says of them, for the light read to take the blob of
        # each file from instead of walking the log (Log._tracked_read)
        self.tracked: Callable[[], IndexFiles] | None = None
        private = config_mod.private_dir(cfg.repo) if use_cache else None
        identity = f"{__import__('declog').__version__}:{cfg.fingerprint()}"
        self._lock_depth = 0
        self._lock_fd: int | None = None
        self.cache = ParseCache(private / "parse-cache.sqlite" if private else None, identity,
                                config_mod.object_format(config_mod.git_dir(cfg.repo)))

    @classmethod
    def open(cls, start: Path | None = None, use_cache: bool = True) -> Log:
        return cls(config_mod.load(start or Path.cwd()), use_cache=use_cache)

    # -- paths -----------------------------------------------------------------------------
    def rel(self, path: Path) -> str:
        try:
            return _unfollowed(path).relative_to(self.repo.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def abs(self, rel: str) -> Path:
        return self.repo / rel

    def root_lead(self) -> str | None:
        """What the repository-relative path of every record file starts with: the log root's
        path and a slash (``decisions/``; empty for a log at the repository's top); None for a
        root outside the repository."""
        try:
            prefix = self.config.root_dir.resolve().relative_to(self.repo.resolve()).as_posix()
        except (ValueError, OSError):
            return None
        return f"{prefix}/" if prefix != "." else ""

    def folder_for(self, kind: Kind) -> Path:
        return self.config.root_dir / kind.folder if kind.folder else self.config.root_dir

    def kind_of(self, path: Path) -> Kind | None:
        """The kind of the file at ``path``, or None when it is not inside the log root."""
        try:
            parts = _unfollowed(path).relative_to(self.config.root_dir.resolve()).parts
        except ValueError:
            return None
        if not parts or not parts[-1].endswith(RECORD_SUFFIXES) or any(p.startswith(".") for p in parts):
            return None
        return kind_for_path(parts)

    def record_files(self) -> list[Path]:
        """Every record file under the root, sorted; hidden files and temp files are skipped.
        Symlinked folders are listed (never followed): reading one gives a record error."""
        return [Path(path) for _, _, path, _ in self.scan()]

    # -- reading ---------------------------------------------------------------------------
    def records(self) -> list[Record]:
        """All records of the log, read once per Log (through the parse cache)."""
        if self._records is None:
            self._records = self._read_all(light=False)
        return self._records

    def light_records(self) -> list[Record]:
        """All records, for checks across records. Records served from the cache carry only
        ``light`` (their data without prose, see :attr:`Record.links`), which is far cheaper to
        load than whole records; records read afresh carry everything. A subclass that overrides
        :meth:`records` gets those."""
        if self._records is not None or type(self).records is not Log.records:
            return self.records()
        if self._light is None:
            self._light = self._tracked_read() or self._read_all(light=True)
        return self._light

    def _tracked_read(self) -> list[Record] | None:
        """The light records of the files git tracks (:attr:`tracked`), without the walk: a file
        git finds unchanged holds its index blob, so the snapshot's row of that path and blob,
        or the parse cache's entry of that blob, is its record; the files git finds changed, or
        whose blob the snapshot does not hold, are read (at most REFRESH_AT_MOST of them). In
        the order of the walk. None, for the walk of :meth:`_read_all`, where git cannot vouch
        for every file (:class:`IndexFiles`), a folder on the way is a symlink, a file name has
        an upper-case extension (the walk reports it), or there is no snapshot. Nothing is
        remembered: the snapshot stays as the last walk left it."""
        if self.tracked is None or self.cache.path is None or type(self).records is not Log.records:
            return None
        from declog.errors import GitError

        try:
            files = self.tracked()
        except GitError:
            return None
        root = self.config.root_dir
        lead = self.root_lead()
        if lead is None or not files.vouched or root.is_symlink():
            return None
        cut = len(lead)
        chosen: list[tuple[str, str, str]] = []  # (sort key, path, blob)
        folders: set[str] = set()
        for path, oid in files.blobs.items():
            if not path.startswith(lead):
                continue
            sub = path[cut:]
            if sub.startswith(".") or "/." in sub:
                continue  # the walk skips hidden files and folders
            if not sub.endswith(RECORD_SUFFIXES):
                if sub.lower().endswith(RECORD_SUFFIXES):
                    return None
                continue
            chosen.append((log_order(sub), path, oid))
            folders.add(sub.rpartition("/")[0])
        on_the_way = {f[:i] for f in folders if f for i in range(len(f) + 1) if i == len(f) or f[i] == "/"}
        for folder in on_the_way:  # git lists a file behind a symlinked folder as it was
            if os.path.islink(os.path.join(root, folder)):
                return None
        rows = self.cache.latest_snapshot()
        if rows is None:
            return None
        by_path = {row[0]: row for row in rows}
        chosen.sort()
        out: list[Record] = []
        reread = 0
        for key, path, oid in chosen:
            row = by_path.get(path)
            if row is not None and row[2] == oid and path not in files.changed:
                out.append(_from_snapshot_row(row))
                continue
            reread += 1
            if reread > REFRESH_AT_MOST:
                return None
            parts = key.split("\0")
            kind = KINDS[row[1]] if row is not None else kind_for_path((*parts[:-1], "-")) or KINDS["decision"]
            full = os.path.join(root, *parts)
            if path in files.changed:
                try:
                    st = os.lstat(full)
                except FileNotFoundError:
                    continue  # deleted: the walk would not find it
                except OSError:
                    return None
                if not S_ISREG(st.st_mode):
                    return None
            else:
                entry = self.cache.entry(oid)
                if entry is not None:
                    out.append(self._from_entry(path, kind, oid, entry))
                    continue
            out.append(self._read_changed(path, kind, full))
        return out

    def _read_all(self, light: bool) -> list[Record]:
        cache = self.cache
        # a warm light read: one walk that stats every file (or git's index), then the whole
        # list from one row
        state = self._walked() if light and cache.path is not None else None
        self._walk = None
        found = cache.snapshot(state[0]) if state is not None else None
        if state is not None and self._by_probe and (found is None or not found[1]):
            state, self._by_probe = self.state(), False  # replaced meanwhile: walk after all
            found = cache.snapshot(state[0]) if state is not None else None
        self._state = state[0] if state is not None and state[1] else None
        if state is not None and found is not None:
            rows, same, was = found
            if same:
                if self._remember_probe(state):
                    cache.save()
                return [_from_snapshot_row(row) for row in rows]
            served = self._refresh_snapshot(rows, was, state)
            if served is not None:
                return served
        out = []
        odd = False  # a symlink, a file outside the repository, …: never served from a snapshot
        with quiet_gc():
            scanned = self.scan()
            if cache.file_count() * 2 < len(scanned):  # mostly unknown to the cache: a cold read
                self.parse_in_parallel(scanned)
            for rel, kind, path, st in scanned:
                if rel is None or kind is None or st is None:
                    odd = True
                    out.append(self.read(Path(path)))
                    continue
                hit = cache.light_hit(rel, st) if light else None
                if hit is not None and hit[1].startswith('{"data":') and kind.id_field in ("id", "handle"):
                    # the common case of a warm run, without the detours below: an unchanged file
                    hit_oid, text, rid, handle = hit
                    out.append(Record(rel, kind, hit_oid, light_json=text,
                                      cached_id=rid if kind.id_field == "id" else handle))
                    continue
                oid = cache.trusted_oid(rel, st)
                record = None if oid is None else self._cached(rel, kind, oid, light)
                out.append(record or self.read_scanned(rel, kind, path, st, light))
            cache.forget_missing({r.path for r in out})
            if state is not None and state[1] and not odd:
                stats = {p: st for p, _, _, st in scanned if p is not None and st is not None}
                cache.remember_snapshot(state[0], [_snapshot_row(r, stats.get(r.path)) for r in out])
                self._remember_probe(state)
            cache.save()
            settle_gc()
        return out

    def view(self) -> StateView | None:
        """The log's light records where the parse cache keeps them, to be queried a few at a
        time (:class:`declog.storage.stateview.StateView`): when the log's files are exactly as
        when its snapshot was saved (:meth:`state`, trusted). None otherwise, and once the light
        records are loaded (then they are the answer). Costs the walk of :meth:`state`, which a
        light read that follows reuses."""
        if self._records is not None or self._light is not None or type(self).records is not Log.records \
                or self.cache.path is None:
            return None
        if self._view is False:
            state = self._walked()
            self._view = self.cache.view(state[0], _from_snapshot_row) if state is not None and state[1] else None
            if self._view is None and self._by_probe:  # the snapshot was replaced meanwhile: walk
                self._walk, self._by_probe = self.state(), False
                state = self._walk
                self._view = self.cache.view(state[0], _from_snapshot_row) if state is not None and state[1] else None
            if self._view is not None and state is not None:
                self._state = state[0]
                if self._remember_probe(state):
                    self.cache.save()
        return self._view if isinstance(self._view, StateView) else None

    def from_view(self, read: Callable[[StateView], T]) -> T | None:
        """``read`` of :meth:`view`, where the log can be queried in place and its snapshot is
        still the one saved (else ``StaleView``: another process saved another one, and the view
        is not asked again); None otherwise, for the caller to read the log the ordinary way."""
        view = self.view()
        if view is None:
            return None
        try:
            return read(view)
        except StaleView:
            self._view = None
            return None

    def view_pending(self) -> bool:
        """Whether :meth:`view` is yet to find the log's state through git's index (:attr:`probe`):
        the wait for git in which a caller may start work that the view will need."""
        return self._view is False and self._walk is None and self.probe is not None \
            and self.probe.started()

    def _walked(self) -> tuple[str, bool, list[str], list[int]] | None:
        """The log's state for a warm read, kept until the light read that follows takes it:
        through :attr:`probe`, when git's index vouches that the log is as when the snapshot
        was saved (then the files and stat data are not listed: the snapshot is served whole
        or the log is walked after all), else the walk of :meth:`state`, with the probe's
        digest taken just before it, for :meth:`_remember_probe`."""
        if self._walk is None:
            probe = self.probe if self.cache.path is not None else None
            digest = probe.state() if probe is not None and self.cache.snapshot_size() >= PROBE_MIN_FILES else None
            known = self.cache.known_by_probe(digest) if digest is not None else None
            if known is not None:
                self._walk, self._by_probe, self._probed = (known, True, [], []), True, None
            else:
                self._walk, self._by_probe, self._probed = self.state(), False, digest
        return self._walk

    def start_probe(self) -> None:
        """Let :attr:`probe`'s git processes start now, for a command that reads the log right
        after its imports (``declog why``): git looks at the files meanwhile, on the other core.
        Only where :meth:`_walked` will ask the probe, and only just before that: what git
        reports describes the files when it ran."""
        if self.probe is not None and self._walk is None and self.cache.path is not None \
                and self.cache.snapshot_size() >= PROBE_MIN_FILES:
            self.probe.start()

    def _remember_probe(self, state: tuple[str, bool, list[str], list[int]]) -> bool:
        """After a walk found ``state``, trusted, with the snapshot of it served or saved: keep
        the probe's digest taken before the walk as the way to it, when git looks at every
        file of the log (:meth:`declog.history.worktree.IndexProbe.trusted`). Whether it did."""
        digest, self._probed = self._probed, None
        if digest is None or not state[1] or self._by_probe or self.probe is None or not self.probe.trusted():
            return False
        self.cache.remember_probe(digest, state[0])
        return True

    @property
    def trusted_state(self) -> str | None:
        """:meth:`state` as the last light read (or :meth:`view`) found it, when it could be trusted."""
        return self._state

    def unreadable(self) -> list[Record]:
        """The record files that cannot be read, in the log's order."""
        found = self.from_view(StateView.unreadable)
        if found is not None:
            return found
        return [r for r in (self.records() if self._records is not None else self.light_records())
                if r.error is not None]

    def state(self) -> tuple[str, bool, list[str], list[int]] | None:
        """The log's files as they stand, in one string (a digest of every path under the root
        with the stat data of each record file: size, mtime, ctime, inode, mode), and whether it
        can be trusted: no record file changed within the racy window (two seconds, as in the
        parse cache) before the walk, so a later edit, even one of the same size, shows in its
        mtime and ctime. An in-place edit changes no folder's mtime, so every file is stat'ed
        here; an add, delete or rename changes the paths. None when a snapshot of the log must
        not be used at all: a symlink under the root (its target's content is not in its stat
        data), a folder that cannot be listed, no root folder. The warm path of
        :meth:`light_records`: the same state as when the cache's snapshot was written means
        the same records, served from one row without a per-file check."""
        import hashlib
        from array import array

        root = self.config.root_dir
        started = time.time_ns()
        names: list[str] = []
        stats: list[int] = []
        files: list[str] = []
        stack = [str(root)]
        while stack:
            folder = stack.pop()
            names.append(folder)
            try:
                listing = os.scandir(folder)
            except OSError:
                return None
            with listing:
                for entry in listing:
                    name = entry.name
                    if name[0] == ".":
                        continue
                    names.append(name)
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                        names.append("/")
                    elif entry.is_symlink():
                        return None
                    elif name.lower().endswith(RECORD_SUFFIXES):
                        try:
                            st = entry.stat(follow_symlinks=False)
                        except OSError:
                            return None
                        stats += st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode
                        files.append(entry.path)
        newest = max(max(stats[1::5], default=0), max(stats[2::5], default=0))
        paths = hashlib.sha1("\0".join(names).encode("utf-8", "surrogateescape")).hexdigest()
        try:  # packed: a quarter of the time of hashing the numbers' text
            packed = array("q", stats).tobytes()
        except OverflowError:  # an inode number from 2**63 on
            packed = str(stats).encode("ascii")
        digest = hashlib.sha1(packed).hexdigest()
        return f"{paths}:{digest}", newest < started - RACY_NS, files, stats

    def cached_output(self, key: str) -> str | None:
        """What a command printed for ``key`` (its name and arguments) when the log's files
        were exactly as they are now (:meth:`state`), kept by :meth:`remember_output`; None
        otherwise. Costs the walk of :meth:`state` and one row."""
        if self.cache.path is None or type(self).records is not Log.records:
            return None
        state = self._walked()  # the light read that may follow reuses the walk
        if state is None or not state[1]:
            return None
        text = self.cache.output(key, state[0])
        if text is not None and self._remember_probe(state):
            self.cache.save()
        return text

    def remember_output(self, key: str, text: str) -> None:
        """Keep ``text`` as what ``key`` prints while the log stays as the last light read found
        it (when that state could be trusted: see :meth:`state`)."""
        if self._state is not None and self.cache.path is not None:
            self.cache.remember_output(key, self._state, text)
            self.cache.save()

    def _refresh_snapshot(self, rows: list[Any], was: str,
                          state: tuple[str, bool, list[str], list[int]]) -> list[Record] | None:
        """The snapshot's records when the same files are there and only a few were edited in
        place (the pre-commit hook's case): those few are read again (their parse from the
        cache by OID, else parsed), the rest come from their rows. None when too many changed,
        or a row's file is not where the walk found it: the caller reads the whole log."""
        root = str(self.config.root_dir)
        lead = self.root_lead()
        if lead is None:
            return None
        cut = len(root) + 1
        stats = state[3]
        walked = {lead + path[cut:].replace(os.sep, "/"): (path, tuple(stats[i * 5:i * 5 + 4]))
                  for i, path in enumerate(state[2])}
        if len(walked) != len(rows):
            return None
        out = []
        changed: dict[int, list[Any]] = {}  # position in the snapshot → its new row
        for seq, row in enumerate(rows):  # the rows come in the order of their positions
            seen = walked.get(row[0])
            if seen is None:
                return None
            if tuple(row[5:9]) == seen[1]:
                out.append(_from_snapshot_row(row))
                continue
            if len(changed) >= REFRESH_AT_MOST:
                return None
            record = self._read_changed(row[0], KINDS[row[1]], seen[0])
            changed[seq] = [*_snapshot_row(record, None)[:5], *seen[1]]
            out.append(record)
        if state[1]:  # none of them racy: the next run is served whole
            self.cache.remember_snapshot_edits(was, state[0], changed)
            self.cache.save()
        return out

    def _read_changed(self, rel: str, kind: Kind, path: str) -> Record:
        """A file edited since the snapshot: read, hashed, and its parse taken from the cache by
        OID (one row) or parsed afresh, without loading the cache's maps of every file."""
        try:
            with open(path, "rb") as handle:
                raw = handle.read(self.config.max_file_bytes + 1)
        except OSError:
            return self.read(Path(path), kind)
        if len(raw) > self.config.max_file_bytes:
            return self.read(Path(path), kind)
        oid = blob_oid(raw, self.cache.object_format)
        entry = self.cache.entry(oid)
        if entry is not None:
            return self._from_entry(rel, kind, oid, entry)
        return self.parse_bytes(rel, kind, oid, raw)

    def scan(self) -> ScanRows:
        """The files of :meth:`record_files`, in the same order, each with its path relative to
        the repository, its kind and its stat data, taken from the directory walk instead of
        resolving every path. Symlinks, vanished files and a root outside the repository come
        back without them, for :meth:`read` to handle. Public for readers that split the work
        (``declog.core.validate``'s forked parse): each row goes to :meth:`read_scanned`."""
        root = self.config.root_dir
        if not root.is_dir():
            return []
        lead = self.root_lead()
        # (sort key, rel, kind, path, stat): keys join the parts with NUL, which sorts exactly as
        # comparing the paths part by part (as sorting Path objects does)
        found: list[tuple[str, str | None, Kind | None, str, os.stat_result | None]] = []
        stack: list[tuple[str, tuple[str, ...]]] = [(str(root), ())]
        while stack:
            folder, parts = stack.pop()
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            kind = kind_for_path((*parts, "-")) or KINDS["decision"]
            key_prefix = "".join(p + "\x00" for p in parts)
            rel_prefix = (lead or "") + "".join(p + "/" for p in parts)
            for entry in entries:
                name = entry.name
                if name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, (*parts, name)))
                    continue
                if entry.is_symlink() and entry.is_dir():  # never followed, never skipped silently
                    found.append((key_prefix + name, None, None, entry.path, None))
                    continue
                if not name.endswith(RECORD_SUFFIXES):
                    if name.lower().endswith(RECORD_SUFFIXES):  # D-x.YAML: reported, not ignored silently
                        found.append((key_prefix + name, None, None, entry.path, None))
                    continue
                if entry.is_file(follow_symlinks=False) and lead is not None:
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        found.append((key_prefix + name, None, None, entry.path, None))
                        continue
                    found.append((key_prefix + name, rel_prefix + name, kind, entry.path, st))
                elif entry.is_file(follow_symlinks=False) or entry.is_symlink():
                    found.append((key_prefix + name, None, None, entry.path, None))
        found.sort(key=lambda item: item[0])
        return [item[1:] for item in found]

    def read(self, path: Path, kind: Kind | None = None) -> Record:
        """Read one record file (cache first). Problems become ``Record.error``, never raised."""
        rel = self.rel(path)
        kind = kind or self.kind_of(path) or KINDS["decision"]
        try:
            if not path.name.endswith(RECORD_SUFFIXES) and path.name.lower().endswith(RECORD_SUFFIXES):
                raise RecordFileError(rel, f"the extension {path.suffix} is not lower case: declog reads only "
                                           f".yaml and .yml files; rename it to {path.stem}{path.suffix.lower()}")
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(self.repo.resolve()):
                    raise RecordFileError(rel, "symlink points outside the repository; records must be regular files")
                if target.is_dir():
                    raise RecordFileError(rel, "symlinked folder: declog does not follow it, so the records in it "
                                               "are not read; make it a real folder")
            st = path.stat()
        except RecordFileError as exc:
            return Record(rel, kind, "", error=exc)
        except OSError as exc:
            return Record(rel, kind, "", error=RecordFileError(rel, f"cannot read file: {exc.strerror or exc}"))
        return self.read_scanned(rel, kind, path, st, light=False)

    def read_scanned(self, rel: str, kind: Kind, path: Path | str, st: os.stat_result, light: bool = False) -> Record:
        """Read one file of :meth:`scan` (``rel``, ``kind``, ``path`` and ``st`` as it gives them):
        its cached parse when the stat data proves it unchanged, else read, hashed and parsed,
        and remembered in the cache. Problems become ``Record.error``, never raised."""
        stat: Stat = stat_of(st)
        oid = self.cache.oid_for(rel, stat)
        if oid is not None:
            cached = self._cached(rel, kind, oid, light)
            if cached is not None:
                return cached
        if st.st_size > self.config.max_file_bytes:
            err = RecordFileError(rel, f"file is {st.st_size} bytes, over the {self.config.max_file_bytes}-byte limit for a record")
            return Record(rel, kind, "", error=err)
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError as exc:
            return Record(rel, kind, "", error=RecordFileError(rel, f"cannot read file: {exc.strerror or exc}"))
        oid = blob_oid(raw, self.cache.object_format)
        self.cache.remember_file(rel, stat, oid)
        cached = self._cached(rel, kind, oid, light)
        if cached is not None:
            return cached
        record = self.parse_bytes(rel, kind, oid, raw)
        self.cache.remember_blob(oid, self.entry_of(record))
        return record

    def _cached(self, rel: str, kind: Kind, oid: str, light: bool) -> Record | None:
        if light:
            row = self.cache.light(oid)
            if row is None:
                return None
            text, rid, handle = row
            if text.startswith('{"data":') and kind.id_field in ("id", "handle"):
                return Record(rel, kind, oid, light_json=text, cached_id=rid if kind.id_field == "id" else handle)
            entry = json.loads(text)
        else:
            entry = self.cache.blobs.get(oid)
            if entry is None:
                return None
        if "data" in entry and light:
            return Record(rel, kind, oid, light=entry["data"])
        return self._from_entry(rel, kind, oid, entry)

    def full(self, record: Record) -> Record:
        """``record`` with its prose, for a light record (see :meth:`light_records`). The first
        few are parsed straight from their files: loading the parse cache's map of whole records
        costs more than parsing a few dozen files; the rest come through the cache."""
        if record.data is not None:
            return record
        if self._direct_reads < DIRECT_READS:
            self._direct_reads += 1
            try:
                raw = self.abs(record.path).read_bytes()
            except OSError:
                raw = None
            if raw is not None and len(raw) <= self.config.max_file_bytes:
                parsed = self.parse_bytes(record.path, record.kind, record.oid, raw)
                if parsed.data is not None:
                    return parsed
        return self.read(self.abs(record.path), record.kind)

    def with_prose(self, records: Sequence[Record]) -> list[Record]:
        """:meth:`full` of each of ``records``, in order: the whole parse results of light ones
        come from the parse cache in a few statements (:meth:`ParseCache.entries`); any it lacks
        are read as :meth:`full` reads them."""
        wanted = [r.oid for r in records if r.data is None and r.error is None and r.oid]
        entries = self.cache.entries(wanted) if len(wanted) > DIRECT_READS else {}
        out = []
        for record in records:
            entry = entries.get(record.oid) if record.data is None else None
            if entry is not None and isinstance(entry.get("data"), dict):
                out.append(Record(record.path, record.kind, record.oid, data=entry["data"]))
            else:
                out.append(self.full(record))
        return out

    def parse_in_parallel(self, scanned: ScanRows | None = None,
                          check: Callable[[Record], tuple[str, Any] | None] | None = None,
                          prepare: Callable[[], Any] | None = None) -> None:
        """A cold read of a big log on two cores: a forked child reads and parses the second half
        of the files the parse cache does not know while this process reads the first half; the
        child hands back, per file, its stat data, blob OID and parse result, which go into the
        cache as if this process had found them. The read that follows is then a warm one.

        ``check(record)``, when given, also runs on every record parsed here or in the child,
        and gives ``(key, rows)`` to keep as that record's problems
        (:meth:`ParseCache.remember_problems`), or None (``declog validate``'s schema checks).
        ``prepare()`` runs just before the fork, for what both processes need (imported once,
        shared by the fork: the models of those checks).

        Only where a fork is safe and has a core to run on (:func:`declog.storage.forking.can_fork`),
        for at least PARALLEL_MIN_FILES files unknown to the cache and most of the log. Any
        failure of the child only means its files are read afterwards, as without it."""
        from declog.storage import forking

        cache = self.cache
        if cache.path is None or not forking.can_fork():
            return
        scanned = self.scan() if scanned is None else scanned
        todo = [(rel, kind, path, st) for rel, kind, path, st in scanned
                if rel is not None and kind is not None and st is not None and cache.trusted_oid(rel, st) is None]
        if len(todo) < PARALLEL_MIN_FILES or len(todo) * 2 < len(scanned):
            return
        half = len(todo) // 2
        mine, theirs = todo[:half], todo[half:]
        if prepare is not None:
            prepare()

        def parse_theirs() -> list[Any]:  # in the child: read, parse (and check)
            rows = []
            for rel, kind, path, st in theirs:
                assert rel is not None and kind is not None and st is not None
                if st.st_size > self.config.max_file_bytes:
                    continue
                with open(path, "rb") as handle:
                    raw = handle.read()
                oid = blob_oid(raw, cache.object_format)
                record = self.parse_bytes(rel, kind, oid, raw)
                kept = check(record) if check is not None and record.error is None else None
                rows.append([rel, [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns], oid,
                             self.entry_of(record), kept])
            return rows

        child = forking.fork(parse_theirs)
        if child is None:
            return
        with quiet_gc():
            for rel, kind, path, st in mine:
                assert rel is not None and kind is not None and st is not None
                record = self.read_scanned(rel, kind, path, st)
                if check is not None and record.error is None and record.oid:
                    kept = check(record)
                    if kept is not None:
                        cache.remember_problems(*kept)
        body = child.output()
        if body is None:
            return
        try:
            with _no_gc():
                rows = json.loads(body)
            for rel, stat, oid, entry, kept in rows:
                cache.remember_file(rel, Stat(*stat), oid)
                cache.remember_blob(oid, entry)
                if kept is not None:
                    cache.remember_problems(*kept)
        except (ValueError, TypeError):
            return

    def parse_bytes(self, rel: str, kind: Kind, oid: str, raw: bytes) -> Record:
        """Parse record content (no cache)."""
        from declog.storage import yamlio  # here: its patterns cost a warm run that parses nothing

        try:
            text = yamlio.decode(raw, rel, self.config.max_file_bytes)
            typed = yamlio.load_record_text(text, rel)
        except RecordFileError as exc:
            return Record(rel, kind, oid, error=exc)
        return Record(rel, kind, oid, data=yamlio.to_plain(typed), typed=typed)

    @staticmethod
    def entry_of(record: Record) -> dict[str, Any]:
        """What the parse cache keeps of a record read afresh (``ParseCache.remember_blob``)."""
        if record.error is not None:
            return {"error": [record.error.problem, record.error.line, record.error.column]}
        return {"data": record.data}

    @staticmethod
    def _from_entry(rel: str, kind: Kind, oid: str, entry: dict[str, Any]) -> Record:
        if "error" in entry:
            problem, line, column = entry["error"]
            return Record(rel, kind, oid, error=RecordFileError(rel, problem, line, column))
        return Record(rel, kind, oid, data=entry["data"])

    def text_of(self, record: Record) -> str:
        from declog.storage import yamlio

        return yamlio.read_text(self.abs(record.path), record.path, self.config.max_file_bytes)

    # -- finding ---------------------------------------------------------------------------
    def by_id(self) -> dict[str, list[Record]]:
        out: dict[str, list[Record]] = {}
        for record in self.records():
            if record.id is not None:
                out.setdefault(record.id, []).append(record)
        return out

    def by_alias(self, query: str, kind: Kind | None = None) -> list[Record]:
        """The records whose ``aliases`` hold ``query`` (such as an imported ADR's ``ADR-0015``),
        compared case-insensitively and by number (``ADR-15`` is ``ADR-0015``): ``ids.alias_key``."""
        key = ids.alias_key(query)
        found = []
        named = self.from_view(lambda view: view.aliased(key))
        for record in self.light_records() if named is None else named:
            aliases = record.link("aliases")
            if (kind is None or record.kind is kind) and isinstance(aliases, list) \
                    and any(isinstance(a, str) and ids.alias_key(a) == key for a in aliases):
                # a light record (from the cache, without prose) is read whole: callers show it
                found.append(record if record.data is not None or record.error is not None
                             else self.read(self.abs(record.path), record.kind))
        return found

    def _unreadable_named(self, query: str, kind: Kind | None) -> Record | None:
        """The one record file that cannot be read and whose file name carries ``query`` (an ID,
        a prefix of one, or a handle, as file names do)."""
        try:
            norm = ids.normalize_query(query)
        except UsageError:
            return None
        hits = []
        for r in self.records():
            if r.error is None or (kind is not None and r.kind is not kind):
                continue
            stem = r.path.rsplit("/", 1)[-1].removesuffix(".yaml")
            if r.kind.letter:
                rid = "-".join(stem.split("-")[:2])
                hit = rid.startswith(norm) if norm[1:2] == "-" else rid[2:].startswith(norm)
            else:
                hit = stem == query
            if hit:
                hits.append(r)
        return hits[0] if len(hits) == 1 else None

    def resolve(self, query: str, kind: Kind | None = None) -> Record:
        """The record an ID, handle, alias or unique prefix names (optionally of one kind).
        An exact ID or handle comes first, then an alias, then a prefix."""
        index = self.by_id()
        pool = {
            rid: recs for rid, recs in index.items() if kind is None or any(r.kind is kind for r in recs)
        }
        record_ids = [rid for rid, recs in pool.items() if recs[0].kind.letter]
        handles = [rid for rid, recs in pool.items() if not recs[0].kind.letter]
        q = query.strip()
        aliased = self.by_alias(q, kind) if q[:1].isalpha() and q not in pool else []  # aliases start with a letter
        if aliased:
            try:
                exact = ids.normalize_query(query) in pool
            except UsageError:
                exact = False
            if not exact:
                if len(aliased) > 1:
                    both = ", ".join(f"{r.id} ({r.path})" for r in aliased)
                    raise UsageError(f"'{q}' is an alias of {len(aliased)} records: {both}; "
                                     "give the ID of the one you mean")
                return aliased[0]
        try:
            found = ids.resolve(query, record_ids, handles)
        except RecordNotFound:
            broken = self._unreadable_named(q, kind)
            if broken is not None and broken.error is not None:  # name the file's problem, not "no record"
                raise RecordFileError(broken.path, broken.error.problem, broken.error.line,
                                      broken.error.column) from None
            if kind is not None:
                if kind.letter is None:
                    raise RecordNotFound(
                        f"no {kind.name} '{query}': add one with `declog new {kind.name} {query} --name ...`"
                    ) from None
                other = self.find(query)
                if other is not None:
                    what = "" if other.id == query else f"{other.id}, "
                    article = "an" if other.kind.name[0] in "aeiou" else "a"
                    raise UsageError(
                        f"'{query}' is {what}{article} {other.kind.name}, not a {kind.name}"
                    ) from None
            raise
        matches = pool[found]
        if len(matches) > 1:
            paths = ", ".join(r.path for r in matches)
            raise UsageError(f"ID {found} is used by {len(matches)} files ({paths}): run `declog validate`")
        return matches[0]

    def find(self, query: str, kind: Kind | None = None) -> Record | None:
        try:
            return self.resolve(query, kind)
        except RecordNotFound:
            return None

    # -- writing ---------------------------------------------------------------------------
    def new_path(self, kind: Kind, record_id: str, title: str) -> Path:
        folder = self.folder_for(kind)
        if kind.letter:
            name = f"{record_id}-{ids.slug(title)}.yaml"
        else:
            name = f"{record_id}.yaml"
        return folder / name

    def write_text(self, path: Path, text: str, *, create: bool = False) -> None:
        """Replace (or create) ``path`` atomically: a temp file in the same folder, fsync,
        then ``os.replace``. On any failure the old file is untouched and no temp file stays.
        A file that starts with a byte-order mark keeps it (the text read from it has none)."""
        if not create and not text.startswith("\ufeff") and _has_bom(path):
            text = "\ufeff" + text
        atomic_write(path, text, create=create, repo=self.repo)
        self.invalidate()

    def invalidate(self) -> None:
        self._records = self._light = None
        self._walk, self._view, self._probed, self._by_probe = None, False, None, False

    def check_writable(self) -> None:
        """Raise when this log cannot be changed (a log as of a past commit); a live log can."""

    def private_dir(self) -> Path | None:
        """declog's own folder in the git directory (``.git/declog/``): caches, the write lock."""
        return config_mod.private_dir(self.repo)

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the log's write lock (``.git/declog/write.lock``, ``flock``): declog processes
        changing the log take turns, so a read-modify-write (``declog set``) never loses another
        one's change. The kernel drops the lock when its process dies, even by SIGKILL, so a
        crash never leaves the log locked. Re-entrant within a Log; a no-op without ``fcntl``
        (not POSIX). When the lock cannot be taken (no git directory, a read-only one, a
        symlinked ``.git/declog`` or lock file, a file system without ``flock``) the write is
        refused: a write without the lock could lose another one's change without a word."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        fd = _take_lock(config_mod.git_dir(self.repo), self.repo)
        self._lock_depth = 1
        try:
            yield
        finally:
            self._lock_depth = 0
            if fd is not None:
                os.close(fd)  # releases the flock


def _snapshot_row(record: Record, st: os.stat_result | None) -> list[Any]:
    """A light record as the cache's snapshot keeps it: path, kind, OID, light JSON text (as
    ``declog.storage.cache.light_row`` writes it), ID or handle, and the file's size, mtime,
    ctime and inode as the log's walk found them (``Log.state``)."""
    if record.light_json is not None:
        text, rid = record.light_json, record.cached_id
    elif record.error is not None:
        text, rid = json.dumps(Log.entry_of(record), separators=(",", ":")), None
    else:
        text, rid, handle = light_row({"data": record.data if record.data is not None else record.light})
        rid = rid if record.kind.id_field == "id" else handle
    stat = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino] if st is not None else [None] * 4
    return [record.path, record.kind.name, record.oid, text, rid, *stat]


def decode_links(records: Sequence[Record]) -> None:
    """Decode the light JSON of every record of ``records`` not decoded yet, in one
    ``json.loads`` of them all (a call per record costs twice as much on a big log): for a
    command that reads :attr:`Record.links` of every record."""
    todo = [r for r in records if r.light is None and r.light_json is not None]
    if not todo:
        return
    with _no_gc():
        entries = json.loads("[" + ",".join(r.light_json or "" for r in todo) + "]")
    for record, entry in zip(todo, entries, strict=True):
        record.light = entry["data"]


def log_order(rel: str) -> str:
    """The key that sorts paths in the log's order, as its walk lists the files (``Log.scan``):
    the parts joined with NUL, which sorts exactly as comparing the paths part by part."""
    return rel.replace("/", "\0")


def _from_snapshot_row(row: Sequence[Any]) -> Record:
    rel, kind_name, oid, text, rid = row[:5]
    kind = KINDS[kind_name]
    if text.startswith('{"data":') and kind.id_field in ("id", "handle"):
        return Record(rel, kind, oid, light_json=text, cached_id=rid)
    entry = json.loads(text)
    if "data" in entry:
        return Record(rel, kind, oid, light=entry["data"])
    return Log._from_entry(rel, kind, oid, entry)


def _take_lock(gdir: Path | None, repo: Path) -> int | None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return None
    if gdir is None:
        raise UsageError(f"cannot take the log's write lock: {repo} has no git directory declog can find; "
                         "declog changes the log only under its lock") from None
    folder = gdir / "declog"
    lock = folder / "write.lock"

    def refused(why: str) -> UsageError:
        return UsageError(f"cannot take the log's write lock {lock} ({why}); nothing was changed: "
                          "declog changes the log only under its lock")

    if folder.is_symlink():
        raise refused(f"{folder.name} is a symlink; declog never writes through symlinks")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as exc:
        if lock.is_symlink():
            raise refused("it is a symlink; declog never writes through symlinks") from None
        raise refused(exc.strerror or str(exc)) from None
    deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise UsageError(f"another declog process has been changing this log for {LOCK_TIMEOUT_SECONDS:.0f} s "
                                 f"(it holds {lock}); wait for it to finish, then run the command again") from None
            time.sleep(0.02)
        except OSError as exc:
            os.close(fd)
            raise refused(f"the file system does not lock files: {exc.strerror or exc}") from None


def remove_stale_temps(folder: Path, prefix: str = TEMP_PREFIX, older_than: float = STALE_TEMP_SECONDS) -> None:
    """Temp files (``prefix…tmp``) that a killed process left behind in ``folder``: those of
    :func:`atomic_write` older than STALE_TEMP_SECONDS (a live write keeps its own for
    milliseconds), or of another writer with its own prefix and age. The sweep is the caches' own
    (:func:`declog.storage.cachedb.remove_stale_temps`), with this module's prefix and age."""
    cachedb.remove_stale_temps(folder, prefix, older_than)


def _has_bom(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(3) == b"\xef\xbb\xbf"
    except OSError:
        return False


def _unfollowed(path: Path) -> Path:
    """``path`` made absolute with its folders resolved, but not the file itself: a symlinked
    record keeps its own place (and name) in the log."""
    absolute = path.absolute()
    return absolute.parent.resolve() / absolute.name


def atomic_write(path: Path, text: str, *, create: bool = False, repo: Path | None = None) -> None:
    """Write ``text`` to ``path`` atomically (see ``Log.write_text``). A file system refusal
    (permission denied, a file where a folder should be, a full disk) is a RecordFileError:
    nothing was changed."""
    try:
        _atomic_write(path, text, create=create, repo=repo)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if isinstance(exc, FileExistsError | NotADirectoryError) and exc.filename:
            reason = f"{exc.filename} is a file, not a folder"
        elif exc.filename:
            reason = f"{reason}: {exc.filename}"
        raise FileWriteError(path.as_posix(), f"cannot write the file ({reason}); nothing was changed") from None


def check_target(path: Path, *, create: bool = False, repo: Path | None = None) -> None:
    """Refuse a write to ``path`` that declog never makes: through a symlink, over an existing
    file when creating one, or outside the repository (a UsageError; OSError from the file
    system). Shared by :func:`atomic_write` and ``declog.storage.transaction``."""
    rel = path.as_posix()
    if path.is_symlink():
        raise UsageError(f"{rel} is a symlink; declog never writes through symlinks")
    if create and path.exists():
        raise UsageError(f"{rel} already exists; not overwriting it")
    if repo is not None and not path.resolve().is_relative_to(repo.resolve()):
        raise UsageError(f"{rel} is outside the repository; declog writes only inside it")


def new_file_mode() -> int:
    """The mode a new file gets: 0666 less the process's umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _atomic_write(path: Path, text: str, *, create: bool = False, repo: Path | None = None) -> None:
    check_target(path, create=create, repo=repo)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    mode = path.stat().st_mode & 0o7777 if path.exists() else new_file_mode()
    remove_stale_temps(path.parent)
    replace_file(path, data, mode, durable=True, create=create)


def replace_file(path: Path, data: bytes, mode: int, *, durable: bool, create: bool = False) -> None:
    """The core of every atomic write: ``data`` goes to a temp file in ``path``'s folder, then
    replaces ``path`` with one rename (with ``create``: a hard link, which never clobbers a file
    that appeared meanwhile), so a reader sees the old file or the new one, never half of one.
    ``durable`` adds fsync of the file and its folder (records); exports, which can always be
    written again, skip it. Raises OSError (or UsageError when ``create`` finds a file)."""
    import tempfile  # here: reading the log should not pay for importing it

    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if create:
            try:
                os.link(tmp, path)  # fails if the target appeared meanwhile: never clobber
            except FileExistsError:
                raise UsageError(f"{path.as_posix()} already exists; not overwriting it") from None
            except OSError:
                os.replace(tmp, path)
            else:
                os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if not durable:
        return
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def init(start: Path, root: str | None = None) -> tuple[Path, list[str]]:
    """Set up a log in the repository containing ``start``. Idempotent: returns what it created."""
    repo = config_mod.find_repo_root(start)
    created: list[str] = []
    cfg_path = repo / config_mod.CONFIG_NAME
    if cfg_path.exists():
        cfg = config_mod.load(repo)
        if root and root.rstrip("/") != cfg.root:
            raise UsageError(
                f"this repository's log already lives in {cfg.root}/ ({config_mod.CONFIG_NAME}); "
                "edit root there to move it"
            )
    else:
        cfg = config_mod.parse(repo, {"root": root or config_mod.DEFAULT_ROOT})
        atomic_write(cfg_path, config_mod.DEFAULT_TEXT.format(root=cfg.root), create=True, repo=repo)
        created.append(config_mod.CONFIG_NAME)
    for kind in sorted(KINDS.values(), key=lambda k: k.folder):
        folder = cfg.root_dir / kind.folder if kind.folder else cfg.root_dir
        keep = folder / ".gitkeep"
        if not folder.exists():
            folder.mkdir(parents=True)
            created.append(cfg.root + "/" + (kind.folder + "/" if kind.folder else ""))
        if not keep.exists() and not any(p for p in folder.iterdir() if not p.name.startswith(".")):
            keep.touch()
    return repo, created
