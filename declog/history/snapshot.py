"""The log as it was at a commit (``--at REF``): the same :class:`declog.storage.store.Log` interface,
with records built from the blobs of that commit's tree through the store's own parser, so
queries and validation behave exactly as they do on the working tree."""

from __future__ import annotations

from pathlib import PurePosixPath

from declog.domain.kinds import KINDS
from declog.errors import RecordFileError
from declog.history.git import Git
from declog.storage.store import RECORD_SUFFIXES, Log, Record


class TreeLog(Log):
    """Read-only view of the log in the tree of ``commit``."""

    def __init__(self, base: Log, commit: str, git: Git | None = None) -> None:
        Log.__init__(self, base.config, use_cache=False)
        self.cache = base.cache  # parse results are keyed by blob OID: safe to share
        self.commit = commit
        self.git = git or Git(base.repo)
        self._texts: dict[str, bytes] = {}

    def records(self) -> list[Record]:
        if self._records is None:
            root = self.config.root
            entries = []
            for path, oid in self.git.ls_tree(self.commit, root):
                inner = PurePosixPath(path).relative_to(root).parts if path.startswith(root + "/") else ()
                if not inner or not inner[-1].endswith(RECORD_SUFFIXES) or any(p.startswith(".") for p in inner):
                    continue
                entries.append((path, oid))
            entries.sort()
            missing = [oid for _, oid in entries if oid not in self.cache.blobs]
            too_big: dict[str, int] = {}
            raw = self.git.cat_blobs(missing, self.config.max_file_bytes, too_big) if missing else {}
            records = []
            for path, oid in entries:
                kind = self.kind_of(self.abs(path)) or KINDS["decision"]
                cached = self.cache.blobs.get(oid)
                if cached is not None:
                    records.append(self._from_entry(path, kind, oid, cached))
                    continue
                content = raw.get(oid, b"")
                if oid in too_big or len(content) > self.config.max_file_bytes:
                    size = too_big.get(oid, len(content))
                    err = RecordFileError(path, f"file is {size} bytes, over the "
                                                f"{self.config.max_file_bytes}-byte limit for a record")
                    records.append(Record(path, kind, oid, error=err))
                    continue
                self._texts[oid] = content
                record = self.parse_bytes(path, kind, oid, content)
                self.cache.remember_blob(oid, self.entry_of(record))
                records.append(record)
            self._records = records
        return self._records

    def text_of(self, record: Record) -> str:
        from declog.storage import yamlio

        content = self._texts.get(record.oid)
        if content is None:
            too_big: dict[str, int] = {}
            content = self.git.cat_blobs([record.oid], self.config.max_file_bytes, too_big).get(record.oid, b"")
            if record.oid in too_big:
                raise RecordFileError(record.path, f"file is {too_big[record.oid]} bytes, over the "
                                                   f"{self.config.max_file_bytes}-byte limit for a record")
        return yamlio.decode(content, record.path, self.config.max_file_bytes)

    def write_text(self, *args: object, **kwargs: object) -> None:
        from declog.errors import UsageError

        raise UsageError("a record as of --at is read-only")

    check_writable = write_text  # a Transaction asks before it writes


def log_at(log: Log, rev: str) -> TreeLog:
    git = Git(log.repo)
    return TreeLog(log, git.verify_commit(rev, "--at"), git)
