"""The history layer: the only package in declog that runs git.

Everything above it sees declog's own dataclasses (:class:`Revision`, :class:`RecordEvent`,
:class:`RecordHistory` …) and :class:`declog.storage.store.Record` objects, never git output.

* :class:`History` – the history of the whole log as of a tip (HEAD by default), read with one
  ``git log`` pass and one ``git cat-file --batch`` and kept in an index under ``.git/declog/``;
  records are followed by their ``id``, not their path.
* :mod:`declog.history.snapshot` – the log as it was at any commit (``--at REF``).
* :mod:`declog.history.blame` – the commits behind lines of code.
* :mod:`declog.history.trailers` – trailers of a commit message, by git's own rules.
* :mod:`declog.history.source` – the history of the markdown files imported decisions came
  from, renames followed (:meth:`History.sources`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from declog.history.git import Git
from declog.history.model import BlameHit, RecordEvent, RecordHistory, Revision, WorkChange

if TYPE_CHECKING:
    from declog.history.index import HistoryIndex
    from declog.history.source import SourceHistory
    from declog.storage.store import Log, Record

__all__ = ["BlameHit", "Git", "History", "RecordEvent", "RecordHistory", "Revision", "WorkChange"]


def index_path(log: Log) -> Path | None:
    from declog.storage import config

    private = config.private_dir(log.repo)
    return private / "history.sqlite" if private is not None else None


class History:
    """The log's history as of ``at`` (a user revision, checked) or HEAD."""

    def __init__(self, log: Log, at: str | None = None, *, use_cache: bool = True) -> None:
        from declog.history.index import HistoryIndex

        self.log = log
        self.git = Git(log.repo)
        self.head = self.git.head()
        self.tip = self.git.verify_commit(at, "--at") if at is not None else self.head
        self.at_head = self.tip == self.head
        path = index_path(log) if (use_cache and self.at_head) else None
        self.index: HistoryIndex = HistoryIndex.open(self.git, log.config.root, log.config.trailer, self.tip, path)
        self._blob_cache: dict[str, bytes] = {}
        self._too_big: dict[str, int] = {}
        # blob → why that version cannot be read as a record (binary, empty, an alias, too big),
        # for every version data_of was asked for and found unreadable
        self.unreadable: dict[str, str] = {}

    def close(self) -> None:
        self.index.close()

    # -- per record --------------------------------------------------------------------------
    def record(self, rid: str, *, work: bool = False) -> RecordHistory:
        hist = self.index.record(rid)
        if work and self.at_head:
            hist.work = self.work_changes(rid)
        self._mark_shallow(hist)
        return hist

    def _mark_shallow(self, hist: RecordHistory) -> None:
        """In a shallow clone, a record "created" at a boundary commit was only there already:
        say the history is partial instead of claiming where it began."""
        if not hist.events:
            return
        oldest = hist.events[-1]  # the index marks it (HistoryIndex._events)
        if oldest.action == "boundary":
            hist.partial = (f"history starts at a shallow boundary: commit {oldest.revision.short} (this clone has "
                            "none of its parents, so where the record was created is not known); "
                            "fetch more with git fetch --unshallow")

    def work_changes(self, rid: str) -> list[WorkChange]:
        """Staged (HEAD → index) and uncommitted (index → work tree) changes of one record."""
        head = self.index.current_blob(rid) if self.head else None
        from declog.history.walk import is_record_path

        root = self.log.config.root + "/"
        entries = {p: o for p, o in self.git.index_entries(self.log.config.root).items()
                   if is_record_path(p.removeprefix(root))}
        facts = self.index.facts(list(dict.fromkeys(entries.values())))
        staged = [(p, o) for p, o in entries.items() if facts.get(o, (None, None))[0] == rid]
        index_blob = staged[0] if staged else None
        work_blob = None
        for record in self.log.light_records():
            if record.id == rid:
                work_blob = (record.path, record.oid)
                break
        if work_blob is None and index_blob is not None:
            # a record file whose YAML is broken in the work tree still counts as this record
            abs_path = self.log.abs(index_blob[0])
            if abs_path.exists():
                rec = self.log.read(abs_path)
                work_blob = (rec.path, rec.oid)
        out: list[WorkChange] = []
        if (work_blob[1] if work_blob else None) != (index_blob[1] if index_blob else None):
            out.append(WorkChange("uncommitted", (work_blob or index_blob)[0],  # type: ignore[index]
                                  index_blob[1] if index_blob else None, work_blob[1] if work_blob else None))
        if (index_blob[1] if index_blob else None) != (head[1] if head else None):
            out.append(WorkChange("staged", (index_blob or head)[0],  # type: ignore[index]
                                  head[1] if head else None, index_blob[1] if index_blob else None))
        return out

    # -- source files of imported decisions -------------------------------------------------
    def sources(self, paths: list[str]) -> dict[str, SourceHistory]:
        """``path → SourceHistory`` of source files (``source.path`` of imported decisions) as of
        the tip, renames followed: one ``git log`` pass per level of renames and one ``git cat-file
        --batch`` for them all, kept in the history index for the next call."""
        from declog.history.source import source_histories

        return source_histories(self.git, self.tip, paths, self.index.conn)

    # -- blobs as records --------------------------------------------------------------------
    def blobs(self, oids: list[str]) -> dict[str, bytes]:
        missing = [o for o in oids if o and o not in self._blob_cache]
        if missing:
            self._blob_cache.update(self.git.cat_blobs(missing, self.log.config.max_file_bytes, self._too_big))
        return {o: self._blob_cache[o] for o in oids if o in self._blob_cache}

    def data_of(self, oids: list[str | None], path: str = "") -> dict[str, dict[str, Any] | None]:
        """Parsed plain data of record blobs (the working tree's files are read from disk)."""
        wanted = [o for o in oids if o]
        out: dict[str, dict[str, Any] | None] = {}
        need = list(dict.fromkeys(wanted))  # a few blobs: cheaper from git than loading the parse cache
        raw = self.blobs(need)
        for oid in need:
            content = raw.get(oid)
            if content is None:
                content = self._work_content(oid)
            if content is None:
                out[oid] = None
                if oid in self._too_big:
                    self.unreadable[oid] = (f"file is {self._too_big[oid]} bytes, over the "
                                            f"{self.log.config.max_file_bytes}-byte limit for a record")
                continue
            record = self.record_from(path or "record.yaml", oid, content)
            out[oid] = record.data
            if record.error is not None:
                self.unreadable[oid] = record.error.problem
        return out

    def _work_content(self, oid: str) -> bytes | None:
        for record in self.log.light_records():
            if record.oid == oid:
                try:
                    return self.log.abs(record.path).read_bytes()
                except OSError:
                    return None
        return None

    def record_from(self, path: str, oid: str, content: bytes) -> Record:
        from declog.domain.kinds import KINDS

        kind = self.log.kind_of(self.log.abs(path)) or KINDS["decision"]
        return self.log.parse_bytes(path, kind, oid, content)


def prefetch(log: Log) -> None:
    """Before a command that reads every record and then the history at HEAD (``declog why``):
    when the history index must be built from scratch (none yet, or one another declog version
    wrote), start its one ``git log`` pass now, so that git walks the commits on one core while
    this process reads and parses the log's files on the other. An index that is there (up to
    date or only behind) is left to :class:`History`; so is any problem (git missing, no commit)."""
    from declog.history.index import needs_rebuild

    path = index_path(log)
    if path is None or not needs_rebuild(path, log.config.root, log.config.trailer):
        return
    from declog.history.walk import log_args

    git = Git(log.repo)
    try:
        head = git.head()
        if head is not None:
            git.start_log(log_args(log.config.root, log.config.trailer, head))
    except Exception:
        return


def open_history(log: Log, at: str | None = None) -> History:
    return History(log, at)
