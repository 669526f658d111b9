"""Writes as transactions: every change to the log that touches files goes through one
:class:`Transaction`, so ``create``, ``set``, ``supersede``, ``link``, ``import adr`` and
``import narrative`` share one way of writing:

1. **take the log's write lock** (``Log.write_lock``) on entering the ``with`` block;
2. **check nothing changed since reading**: each file to rewrite still holds the blob it was
   read as (its git blob ID, from its bytes), and each file to create still does not exist;
3. **write every file or none**: each file is staged to a temp file in its own folder, all of
   them are flushed to disk (an fsync each, or one ``syncfs`` for many), then each replaces its target with one rename (a new file is hard-linked into
   place, which never clobbers one that appeared meanwhile); if anything fails, the files
   already replaced get their old bytes back, the new ones are removed, and every temp file
   goes;
4. **clean up**: the folders are synced, an empty ``.gitkeep`` that ``declog init`` left in a
   folder that now holds a record goes, the log's records are read afresh next time, and the
   lock is released.

Nothing here validates (``declog.core.edit`` does that before it plans a write) or prints.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from declog.errors import FileWriteError, UsageError
from declog.storage.cache import blob_oid
from declog.storage.store import TEMP_PREFIX, Log, Record, check_target, new_file_mode, remove_stale_temps


@dataclass
class _Write:
    path: Path
    data: bytes
    create: bool
    read: Record | None  # the record as read, for a file rewritten; None for a new file
    before: bytes | None = None  # the file's bytes when checked (to put back on failure)
    mode: int = 0o644
    temp: str | None = None
    placed: bool = False


class Transaction:
    """Files to write together, under the log's write lock::

        with Transaction(log) as tx:
            tx.create(path, text)           # a new file: refused if it exists by then
            tx.replace(record, new_text)    # refused if record's file changed since it was read
        # here every file is written, or (after an exception) none is

    Leaving the block without an exception commits; an exception inside it writes nothing. The
    checks, the writes and the rollback all happen while the lock is held.
    """

    def __init__(self, log: Log) -> None:
        self.log = log
        self._writes: list[_Write] = []
        self._lock: contextlib.ExitStack | None = None
        self.committed = False

    # -- the block ---------------------------------------------------------------------------
    def __enter__(self) -> Transaction:
        self.log.check_writable()
        stack = contextlib.ExitStack()
        stack.enter_context(self.log.write_lock())
        self._lock = stack
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        assert self._lock is not None
        try:
            if exc_type is None:
                self.commit()
        finally:
            self._writes = []
            self._lock.close()
            self._lock = None

    # -- planning ----------------------------------------------------------------------------
    def create(self, path: Path, text: str) -> None:
        """Write ``text`` as the new file ``path`` (which must not exist at commit)."""
        self._writes.append(_Write(path, text.encode("utf-8"), True, None))

    def replace(self, record: Record, text: str) -> None:
        """Write ``text`` over ``record``'s file, which must still hold what it held when
        ``record`` was read. A file that starts with a byte-order mark keeps it."""
        self._writes.append(_Write(self.log.abs(record.path), text.encode("utf-8"), False, record))

    @property
    def paths(self) -> list[Path]:
        return [w.path for w in self._writes]

    # -- committing --------------------------------------------------------------------------
    def commit(self) -> None:
        """Check, stage, place; on any failure put everything back (see the module's doc)."""
        if self.committed or not self._writes:
            self.committed = True
            return
        self._check()
        current = self._writes[0]
        mode = new_file_mode()  # the umask, read once
        swept: set[Path] = set()
        try:
            for current in self._writes:
                self._stage(current, mode, swept)
            _flush([w.temp for w in self._writes if w.temp is not None])
            for current in self._writes:
                self._place(current)
        except BaseException as exc:
            failed = self._rollback()
            if isinstance(exc, OSError):
                raise _write_error(current.path, exc, failed) from None
            raise
        finally:
            for w in self._writes:
                _remove(w.temp)
        self.committed = True
        self._settle()

    def _check(self) -> None:
        object_format = self.log.cache.object_format
        for w in self._writes:
            try:
                check_target(w.path, create=w.create, repo=self.log.repo)
            except OSError as exc:
                raise _write_error(w.path, exc, []) from None
            if w.create:
                continue
            assert w.read is not None
            try:
                with open(w.path, "rb") as handle:
                    w.before = handle.read()
                w.mode = os.stat(w.path).st_mode & 0o7777
            except FileNotFoundError:
                w.before = None
            if w.before is None or blob_oid(w.before, object_format) != w.read.oid:
                raise UsageError(f"{w.read.path} changed on disk while declog was working on it (another declog "
                                 "process, an editor or git); nothing was written: run the command again")
            if w.before.startswith(b"\xef\xbb\xbf") and not w.data.startswith(b"\xef\xbb\xbf"):
                w.data = b"\xef\xbb\xbf" + w.data

    def _stage(self, w: _Write, mode: int, swept: set[Path]) -> None:
        """Write ``w`` to a temp file beside its target (``mode``: a new file's). Each folder is
        swept of stale temp files once, before the first of this transaction's own goes in:
        sweeping it again for every file would stat every temp file staged so far (a 500-ADR
        import did 125,000 stats)."""
        import tempfile  # here: reading the log should not pay for importing it

        folder = w.path.parent
        if folder not in swept:
            folder.mkdir(parents=True, exist_ok=True)
            remove_stale_temps(folder)
            swept.add(folder)
        if w.create:
            w.mode = mode
        fd, w.temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=w.path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(w.data)  # made durable with the others, before any is placed (_flush)
        os.chmod(w.temp, w.mode)

    def _place(self, w: _Write) -> None:
        assert w.temp is not None
        if w.create:
            try:
                os.link(w.temp, w.path)  # fails if the target appeared meanwhile: never clobber
            except FileExistsError:
                raise UsageError(f"{w.path.as_posix()} already exists; not overwriting it") from None
            except OSError:  # a file system without hard links
                if os.path.lexists(w.path):
                    raise UsageError(f"{w.path.as_posix()} already exists; not overwriting it") from None
                os.replace(w.temp, w.path)
                w.temp = None
            w.placed = True
            return
        os.replace(w.temp, w.path)
        w.temp = None
        w.placed = True

    def _rollback(self) -> list[Path]:
        """Undo every placed write, last first: new files removed, old bytes put back. Returns
        the files that could not be put back (there is nothing more to try for them)."""
        failed: list[Path] = []
        for w in reversed(self._writes):
            if not w.placed:
                continue
            try:
                if w.create:
                    os.unlink(w.path)
                else:
                    assert w.before is not None
                    _put_back(w.path, w.before, w.mode)
                w.placed = False
            except OSError:
                failed.append(w.path)
        self.log.invalidate()
        return failed

    def _settle(self) -> None:
        folders = {w.path.parent for w in self._writes}
        for folder in folders:
            with contextlib.suppress(OSError):
                dir_fd = os.open(folder, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
        for folder in {w.path.parent for w in self._writes if w.create}:
            placeholder = folder / ".gitkeep"  # the folder now has a record; init's placeholder can go
            with contextlib.suppress(OSError):
                if placeholder.is_file() and placeholder.stat().st_size == 0:
                    placeholder.unlink()
        self.log.invalidate()


def write_all(log: Log, creates: Sequence[tuple[Path, str]] = (), replaces: Sequence[tuple[Record, str]] = ()) -> None:
    """One transaction that creates ``creates`` and rewrites ``replaces``."""
    with Transaction(log) as tx:
        for path, text in creates:
            tx.create(path, text)
        for record, text in replaces:
            tx.replace(record, text)


SYNCFS_FROM = 8  # staged files from which one syncfs() beats an fsync() each


def _flush(temps: Sequence[str]) -> None:
    """Make every staged temp file durable before the first rename, so that a crash never
    leaves a record file placed with its bytes still unwritten: an fsync of each, or, for many
    files on Linux, one ``syncfs`` per file system they are on (a 500-ADR import spent most of
    its wall time in 500 fsyncs, each a journal commit)."""
    devices: dict[int, str] = {}
    if len(temps) >= SYNCFS_FROM:
        for temp in temps:
            devices.setdefault(os.stat(temp).st_dev, temp)
        if all(_syncfs(temp) for temp in devices.values()):
            return
    for temp in temps:
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _syncfs(path: str) -> bool:
    """``syncfs(2)`` of the file system ``path`` is on; False where there is none (not Linux)
    or it fails, for the caller to fsync file by file."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        syncfs = libc.syncfs
    except (ImportError, OSError, AttributeError):
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        return bool(syncfs(fd) == 0)
    finally:
        os.close(fd)


def _put_back(path: Path, data: bytes, mode: int) -> None:
    import tempfile

    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        _remove(temp)
        raise


def _remove(temp: str | None) -> None:
    if temp is not None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def _write_error(path: Path, exc: OSError, failed: list[Path]) -> FileWriteError:
    reason = exc.strerror or str(exc)
    if isinstance(exc, FileExistsError | NotADirectoryError) and exc.filename:
        reason = f"{exc.filename} is a file, not a folder"
    elif exc.filename:
        reason = f"{reason}: {exc.filename}"
    target = path.as_posix()
    if failed:  # pragma: no cover - putting the old bytes back failed too: say which files
        names = ", ".join(p.as_posix() for p in failed)
        return FileWriteError(target, f"cannot write the file ({reason}), and could not put back {names}: "
                                      "check them with `git diff`")
    return FileWriteError(target, f"cannot write the file ({reason}); nothing was changed")
