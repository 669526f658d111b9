"""Exports of the log to other formats (Markdown, JSON Lines, a static HTML site).

Every export writes into an output folder through :class:`ExportDir`, which keeps one rule for
all of them:

* each file is written atomically (a temporary file in the same folder, then a rename), so a
  reader never sees half a file; a file whose content is unchanged is not rewritten;
* declog writes only into a folder that is new, empty, or marked as an earlier declog export by
  the file ``.declog-export`` (JSON: the files each format wrote). Any other folder is refused
  unless ``force`` is given, so ``--out docs`` can never scatter files over someone's work;
* files that the previous export of the same format wrote and this one did not (a deleted
  record, a changed title) are removed; nothing else in the folder is touched.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path, PurePosixPath

from declog.errors import UsageError

MARKER = ".declog-export"
# A record ID or handle that every export uses as a file name as it is (``D-573ejx.md``,
# ``records/D-573ejx.html``): longer than any ID or handle declog accepts (handles are at most
# 39 characters). The markdown export slugs any other; the site leaves such a record out.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def safe_name(rid: str) -> bool:
    """True when ``rid`` may be a file name as it is, in every export."""
    return bool(_SAFE_NAME.match(rid)) and ".." not in rid


class ExportDir:
    """An output folder that an export may write into (see the module's rules)."""

    def __init__(self, root: Path, fmt: str, previous: dict[str, list[str]]) -> None:
        self.root = root
        self.format = fmt
        self.previous = previous  # format → files, from the marker
        self.written: list[str] = []
        # folders found inside the root (path_of) and made (write), each checked once: an
        # export of ten thousand pages into one folder otherwise resolves it ten thousand times
        self._inside: set[Path] = set()
        self._made: set[Path] = set()
        self._mode: int | None = None  # of every file written: that of any new file (umask read once)

    @classmethod
    def open(cls, path: Path, fmt: str, *, force: bool = False) -> ExportDir:
        """Check that ``path`` may be written (creating it when missing) and mark it as a declog
        export before the first file is written, so an interrupted export can be re-run."""
        if path.is_symlink():
            raise UsageError(f"{path}: is a symlink; give the real folder as --out")
        if path.exists() and not path.is_dir():
            raise UsageError(f"{path}: exists and is not a folder; choose another --out")
        previous: dict[str, list[str]] = {}
        if path.is_dir():
            # a symlink anywhere in it is refused now, before the first file is written, not
            # half-way through (a refused export writes nothing)
            link = next((p for p in sorted(path.rglob("*")) if p.is_symlink()), None)
            if link is not None:
                raise UsageError(f"{link}: is a symlink; declog never writes through symlinks")
            marker = path / MARKER
            if marker.is_file():
                previous = _read_marker(marker)
            elif any(path.iterdir()) and not force:
                raise UsageError(
                    f"{path}: folder is not empty and was not written by declog export; "
                    "choose a new or empty folder, or pass --force to write into it anyway")
        else:
            try:
                path.mkdir(parents=True)
            except OSError as exc:
                raise UsageError(f"{path}: cannot create the folder: {exc.strerror or exc}") from None
        out = cls(path, fmt, previous)
        # mark it now, keeping the earlier list until the export has finished
        out._write_marker({**previous, fmt: sorted({*previous.get(fmt, ())})})
        return out

    def path_of(self, rel: str) -> Path:
        """The file ``rel`` (a relative POSIX path) inside the folder; refuses anything that
        would leave it."""
        parts = PurePosixPath(rel).parts
        if not parts or rel.startswith("/") or any(p in ("..", ".", "") for p in parts) or parts[0] == MARKER:
            raise UsageError(f"refusing to write {rel!r}: not a plain path inside the output folder")
        target = self.root.joinpath(*parts)
        if target.parent in self._inside:
            return target
        parent = target.parent.resolve() if target.parent.exists() else None
        if parent is not None and not parent.is_relative_to(self.root.resolve()):
            raise UsageError(f"refusing to write {rel}: its folder leads outside {self.root}")
        if parent is not None:
            self._inside.add(target.parent)
        return target

    def write(self, rel: str, text: str) -> None:
        """Write one file atomically; a file that already holds ``text`` is left as it is (its
        modification time too, so a re-export changes only what changed)."""
        import stat

        target = self.path_of(rel)
        data = text.encode("utf-8")
        try:
            try:
                st: os.stat_result | None = os.lstat(target)
            except FileNotFoundError:
                st = None
            if st is not None and stat.S_ISLNK(st.st_mode):
                raise UsageError(f"{target}: is a symlink; declog never writes through symlinks")
            if st is None or not (stat.S_ISREG(st.st_mode) and st.st_size == len(data) and target.read_bytes() == data):
                if target.parent not in self._made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    self._made.add(target.parent)
                _replace(target, data, self.mode())
        except OSError as exc:
            raise UsageError(f"{target}: cannot write: {exc.strerror or exc}") from None
        self.written.append(rel)

    def mode(self) -> int:
        if self._mode is None:
            from declog.storage.store import new_file_mode

            self._mode = new_file_mode()
        return self._mode

    def finish(self) -> list[str]:
        """Remove what the last export of this format wrote and this one did not, record the new
        list in the marker, and return the files written."""
        now = set(self.written)
        for rel in self.previous.get(self.format, ()):
            if rel in now:
                continue
            try:
                target = self.path_of(rel)
            except UsageError:
                continue
            if target.is_file() and not target.is_symlink():
                target.unlink()
                _prune(target.parent, self.root)
        self._write_marker({**self.previous, self.format: sorted(now)})
        return list(self.written)

    def _write_marker(self, formats: dict[str, list[str]]) -> None:
        body = {"generator": "declog export", "formats": {k: formats[k] for k in sorted(formats)}}
        try:
            _replace(self.root / MARKER, (json.dumps(body, indent=1) + "\n").encode("utf-8"), self.mode())
        except OSError as exc:
            raise UsageError(f"{self.root}: cannot write {MARKER}: {exc.strerror or exc}") from None


def _replace(target: Path, data: bytes, mode: int) -> None:
    """Atomically replace ``target`` (:func:`declog.storage.store.replace_file`), without the fsync and
    the sweep for stale temporary files that records get: an export writes thousands of files
    that it can always write again, and those per-file costs made a 1,000-record export
    I/O-bound."""
    from declog.storage.store import replace_file

    replace_file(target, data, mode, durable=False)


def _read_marker(marker: Path) -> dict[str, list[str]]:
    try:
        body = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(body, dict):
        return {}
    formats = body.get("formats")
    if not isinstance(formats, dict):
        files = body.get("files")  # the shape `declog export html` writes: one list of its files
        return {"html": [f for f in files if isinstance(f, str)]} if isinstance(files, list) else {}
    return {str(k): [f for f in v if isinstance(f, str)] for k, v in formats.items() if isinstance(v, list)}


def _prune(folder: Path, root: Path) -> None:
    """Remove ``folder`` and its parents up to ``root`` while they are empty."""
    while folder != root and folder.is_relative_to(root):
        try:
            os.rmdir(folder)
        except OSError:
            return
        folder = folder.parent
