"""The log on disk: finding record files, reading them (through the parse cache), resolving IDs,
and writing files atomically. The store never prints and never validates; see ``declog.edit``
for operations that validate before they write.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from declog import config as config_mod
from declog import ids, yamlio
from declog.cache import ParseCache, blob_oid, stat_of
from declog.errors import RecordFileError, RecordNotFound, UsageError
from declog.kinds import KINDS, Kind, kind_for_path

RECORD_SUFFIXES = (".yaml", ".yml")
TEMP_PREFIX = ".declog-"


@dataclass
class Record:
    """One record file as read: its plain data, or why it could not be read."""

    path: str  # relative to the repository root, with forward slashes
    kind: Kind
    oid: str
    data: dict[str, Any] | None = None  # JSON-compatible (dates as ISO strings)
    error: RecordFileError | None = None
    typed: dict[str, Any] | None = field(default=None, repr=False)  # as parsed, when freshly read

    @property
    def id(self) -> str | None:
        if self.data is None:
            return None
        value = self.data.get(self.kind.id_field)
        return value if isinstance(value, str) else None

    @property
    def title(self) -> str:
        if self.data is None:
            return ""
        value = self.data.get(self.kind.title_field)
        return value if isinstance(value, str) else ""

    def as_json(self) -> dict[str, Any]:
        """The stable JSON shape: ``id``, ``kind``, ``path`` and the record's fields."""
        out: dict[str, Any] = {"id": self.id, "kind": self.kind.name, "path": self.path}
        for key, value in (self.data or {}).items():
            if key not in out:
                out[key] = value
        return out


class Log:
    """A declog log: the configuration and the record files under its root folder."""

    def __init__(self, cfg: config_mod.Config, use_cache: bool = True) -> None:
        self.config = cfg
        self.repo = cfg.repo
        self._records: list[Record] | None = None
        gdir = config_mod.git_dir(cfg.repo) if use_cache else None
        identity = f"{__import__('declog').__version__}:{cfg.fingerprint()}"
        self.cache = ParseCache(gdir / "declog" / "parse-cache.sqlite" if gdir else None, identity)

    @classmethod
    def open(cls, start: Path | None = None, use_cache: bool = True) -> Log:
        return cls(config_mod.load(start or Path.cwd()), use_cache=use_cache)

    # -- paths -----------------------------------------------------------------------------
    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.repo.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def abs(self, rel: str) -> Path:
        return self.repo / rel

    def folder_for(self, kind: Kind) -> Path:
        return self.config.root_dir / kind.folder if kind.folder else self.config.root_dir

    def kind_of(self, path: Path) -> Kind | None:
        """The kind of the file at ``path``, or None when it is not inside the log root."""
        try:
            parts = path.resolve().relative_to(self.config.root_dir.resolve()).parts
        except ValueError:
            return None
        if not parts or not parts[-1].endswith(RECORD_SUFFIXES) or any(p.startswith(".") for p in parts):
            return None
        return kind_for_path(parts)

    def record_files(self) -> list[Path]:
        """Every record file under the root, sorted; hidden files, temp files and symlinked
        folders are skipped."""
        root = self.config.root_dir
        found: list[Path] = []
        if not root.is_dir():
            return found
        stack = [root]
        while stack:
            folder = stack.pop()
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.name.endswith(RECORD_SUFFIXES) and (
                    entry.is_file(follow_symlinks=False) or entry.is_symlink()
                ):
                    found.append(Path(entry.path))
        found.sort()
        return found

    # -- reading ---------------------------------------------------------------------------
    def records(self) -> list[Record]:
        """All records of the log, read once per Log (through the parse cache)."""
        if self._records is None:
            files = self.record_files()
            self._records = [self.read(p) for p in files]
            self.cache.forget_missing({r.path for r in self._records})
            self.cache.save()
        return self._records

    def read(self, path: Path, kind: Kind | None = None) -> Record:
        """Read one record file (cache first). Problems become ``Record.error``, never raised."""
        rel = self.rel(path)
        kind = kind or self.kind_of(path) or KINDS["decision"]
        try:
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(self.repo.resolve()):
                    raise RecordFileError(rel, "symlink points outside the repository; records must be regular files")
            st = path.stat()
        except RecordFileError as exc:
            return Record(rel, kind, "", error=exc)
        except OSError as exc:
            return Record(rel, kind, "", error=RecordFileError(rel, f"cannot read file: {exc.strerror or exc}"))
        stat = stat_of(st)
        oid = self.cache.oid_for(rel, stat)
        if oid is not None and oid in self.cache.blobs:
            return self._from_entry(rel, kind, oid, self.cache.blobs[oid])
        if st.st_size > self.config.max_file_bytes:
            err = RecordFileError(rel, f"file is {st.st_size} bytes, over the {self.config.max_file_bytes}-byte limit for a record")
            return Record(rel, kind, "", error=err)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            return Record(rel, kind, "", error=RecordFileError(rel, f"cannot read file: {exc.strerror or exc}"))
        oid = blob_oid(raw)
        self.cache.remember_file(rel, stat, oid)
        cached = self.cache.blobs.get(oid)
        if cached is not None:
            return self._from_entry(rel, kind, oid, cached)
        record = self.parse_bytes(rel, kind, oid, raw)
        self.cache.remember_blob(oid, self._entry_of(record))
        return record

    def parse_bytes(self, rel: str, kind: Kind, oid: str, raw: bytes) -> Record:
        """Parse record content (no cache)."""
        try:
            text = yamlio.decode(raw, rel, self.config.max_file_bytes)
            typed = yamlio.load_record_text(text, rel)
        except RecordFileError as exc:
            return Record(rel, kind, oid, error=exc)
        return Record(rel, kind, oid, data=yamlio.to_plain(typed), typed=typed)

    @staticmethod
    def _entry_of(record: Record) -> dict[str, Any]:
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
        return yamlio.read_text(self.abs(record.path), record.path, self.config.max_file_bytes)

    # -- finding ---------------------------------------------------------------------------
    def by_id(self) -> dict[str, list[Record]]:
        out: dict[str, list[Record]] = {}
        for record in self.records():
            if record.id is not None:
                out.setdefault(record.id, []).append(record)
        return out

    def resolve(self, query: str, kind: Kind | None = None) -> Record:
        """The record an ID, handle or unique prefix names (optionally of one kind)."""
        index = self.by_id()
        pool = {
            rid: recs for rid, recs in index.items() if kind is None or any(r.kind is kind for r in recs)
        }
        record_ids = [rid for rid, recs in pool.items() if recs[0].kind.letter]
        handles = [rid for rid, recs in pool.items() if not recs[0].kind.letter]
        found = ids.resolve(query, record_ids, handles)
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
        then ``os.replace``. On any failure the old file is untouched and no temp file stays."""
        atomic_write(path, text, create=create, repo=self.repo)
        self._records = None

    def invalidate(self) -> None:
        self._records = None


def atomic_write(path: Path, text: str, *, create: bool = False, repo: Path | None = None) -> None:
    rel = path.as_posix()
    if path.is_symlink():
        raise UsageError(f"{rel} is a symlink; declog never writes through symlinks")
    if create and path.exists():
        raise UsageError(f"{rel} already exists; not overwriting it")
    if repo is not None and not path.resolve().is_relative_to(repo.resolve()):
        raise UsageError(f"{rel} is outside the repository; declog writes only inside it")
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    mode = 0o644
    if path.exists():
        mode = path.stat().st_mode & 0o7777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if create:
            try:
                os.link(tmp, path)  # fails if the target appeared meanwhile: never clobber
            except FileExistsError:
                raise UsageError(f"{rel} already exists; not overwriting it") from None
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
