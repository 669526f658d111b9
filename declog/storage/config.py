"""Finding the log and reading its configuration (``.declog.yaml`` at the repository root)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from declog.domain import ids
from declog.errors import NotALogError, NotARepositoryError, UsageError

CONFIG_NAME = ".declog.yaml"
DEFAULT_ROOT = "decisions"
DEFAULT_TEXT = """\
# declog configuration: https://github.com/declog/declog/blob/main/docs/configuration.md
version: 1
# Folder (relative to the repository root) that holds the records.
root: {root}
# Extra fields this repository requires, per record kind. Example:
#   required:
#     decision: [tags, review_by]
required: {{}}
# Commit trailer that links a commit to a decision ("Decision: D-7k3m9q").
trailer: Decision
"""


@dataclass(frozen=True)
class Config:
    repo: Path  # the repository root (holds .declog.yaml)
    root: str = DEFAULT_ROOT
    required: dict[str, list[str]] = field(default_factory=dict)
    trailer: str = "Decision"
    max_file_bytes: int = 256 * 1024
    # decision fields that `validate --against` refuses to see rewritten once accepted (empty: off)
    protect_accepted: tuple[str, ...] = ()
    # `declog review` and `declog owners` flag a person who owns more live records than this
    owner_load_limit: int = 12
    # `declog import adr`: the owner of imported decisions whose ADR names none (--owner wins)
    import_owner: str | None = None
    # `declog drift` and `declog context`: extended regular expressions of references to decisions
    # in tracked files, besides decision IDs (D-xxxxxx), matched against aliases (ADR-0012)
    reference_patterns: tuple[str, ...] = (r"ADR-?[0-9]+",)

    @property
    def root_dir(self) -> Path:
        return self.repo / self.root

    def fingerprint(self) -> str:
        """What validation results depend on, besides the record and declog itself."""
        blob = json.dumps({"required": self.required, "max": self.max_file_bytes}, sort_keys=True)
        return hashlib.sha1(blob.encode()).hexdigest()[:12]


def find_repo_root(start: Path) -> Path:
    """The top of the git work tree containing ``start`` (``.git`` dir or file), no git process."""
    here = start.resolve()
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate
    _refuse_bare(here)
    raise NotARepositoryError(
        f"{start} is not inside a git repository: run `git init` first, or cd into your repository"
    )


def _is_bare(folder: Path) -> bool:
    """``folder`` looks like a git directory with no work tree (a bare repository)."""
    if not ((folder / "HEAD").is_file() and (folder / "objects").is_dir() and (folder / "refs").is_dir()):
        return False
    try:
        text = (folder / "config").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"^\s*bare\s*=\s*true\s*$", text, re.IGNORECASE | re.MULTILINE) is not None


def _refuse_bare(here: Path) -> None:
    for candidate in (here, *here.parents):
        if _is_bare(candidate):
            raise NotARepositoryError(
                f"{candidate} is a bare git repository: declog needs a work tree; "
                f"run it in a clone (git clone {candidate} my-checkout)"
            )


def git_dir(repo: Path) -> Path | None:
    """The repository's git directory (follows a worktree's ``.git`` file)."""
    dot_git = repo / ".git"
    if dot_git.is_dir():
        return dot_git
    if dot_git.is_file():
        try:
            text = dot_git.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        if text.startswith("gitdir:"):
            target = Path(text.split(":", 1)[1].strip())
            return target if target.is_absolute() else (repo / target).resolve()
    return None


def object_format(gdir: Path | None) -> str:
    """The repository's object name hash, ``sha1`` or ``sha256`` (``extensions.objectFormat`` in
    its config, shared by linked worktrees through ``commondir``), read without running git."""
    if gdir is None:
        return "sha1"
    common = gdir
    try:
        pointer = (gdir / "commondir").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        pointer = ""
    if pointer:
        common = Path(pointer) if Path(pointer).is_absolute() else (gdir / pointer).resolve()
    try:
        text = (common / "config").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "sha1"
    found = re.search(r"^\s*objectformat\s*=\s*\"?sha256\"?\s*$", text, re.IGNORECASE | re.MULTILINE)
    return "sha256" if found else "sha1"


def private_dir(repo: Path) -> Path | None:
    """declog's own folder in the git directory (``.git/declog/``: caches, the write lock), or
    None when there is no git directory or that folder is a symlink (declog never writes
    through one, so caches are then off and writes are refused)."""
    gdir = git_dir(repo)
    if gdir is None:
        return None
    folder = gdir / "declog"
    return None if folder.is_symlink() else folder


def check_root(repo: Path, root: str) -> None:
    """The log's root folder must be a real folder of the work tree: not inside the git
    directory, and neither it nor a folder above it (up to the repository) a symlink."""
    parts = Path(root).parts
    if any(p.lower() == ".git" for p in parts):
        raise UsageError(f"{CONFIG_NAME}: root {root} is inside the git directory; "
                         "the log must live in the work tree, such as decisions")
    here = repo
    for part in parts:
        here = here / part
        if here.is_symlink():
            raise UsageError(f"{CONFIG_NAME}: root {root} is a symlink ({here.relative_to(repo).as_posix()}); "
                             "declog does not follow it: make it a real folder")


def find_config(start: Path) -> Path:
    """Path of ``.declog.yaml`` in ``start`` or the nearest parent that has one."""
    here = start.resolve()
    for candidate in (here, *here.parents):
        if (candidate / CONFIG_NAME).is_symlink():
            raise UsageError(f"{CONFIG_NAME} in {candidate} is a symlink; declog reads its configuration "
                             "only from a regular file: make it one")
        if (candidate / CONFIG_NAME).is_file():
            return candidate / CONFIG_NAME
        if (candidate / ".git").exists():
            break
    else:
        _refuse_bare(here)
    raise NotALogError(
        f"no declog log here ({CONFIG_NAME} not found from {start} up to the repository root): "
        "run `declog init`"
    )


def load(start: Path) -> Config:
    """The configuration of the log that ``start`` is in."""
    from declog.storage import textio

    path = find_config(start)
    text = textio.read_text(path, CONFIG_NAME, 64 * 1024)
    data = _parsed(path.parent, text)
    return parse(path.parent, data)


def _parsed(repo: Path, text: str) -> Any:
    """``.declog.yaml`` parsed, remembered under ``.git/declog/config.json`` keyed by the git
    blob ID of its text (so a warm command never loads the YAML parser for it). Only data that
    JSON gives back unchanged is remembered; the file is safe to delete."""
    raw = text.encode("utf-8")
    oid = hashlib.sha1(b"blob %d\x00" % len(raw) + raw).hexdigest()
    private = private_dir(repo)
    memo = private / "config.json" if private is not None else None
    if memo is not None and memo.is_file() and not memo.is_symlink():
        try:
            kept = json.loads(memo.read_text(encoding="utf-8"))
            if isinstance(kept, dict) and kept.get("oid") == oid and isinstance(kept.get("data"), dict):
                return kept["data"]
        except (OSError, ValueError):
            pass
    from declog.storage import yamlio

    data = yamlio.load_record_text(text, CONFIG_NAME)
    if memo is not None and isinstance(data, dict):
        try:
            body = json.dumps({"oid": oid, "data": data})
            if json.loads(body)["data"] == data:
                from declog.storage import cachedb

                cachedb.replace_text(memo, body)
        except (OSError, TypeError, ValueError):
            pass
    return data


def parse(repo: Path, data: dict[str, Any]) -> Config:
    from declog.domain.kinds import KINDS

    known = {"version", "root", "required", "trailer", "max_file_bytes", "protect_accepted", "owner_load_limit",
             "import_owner", "reference_patterns"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise UsageError(f"{CONFIG_NAME}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version != 1:
        raise UsageError(f"{CONFIG_NAME}: version {data.get('version')!r} is not supported; use version: 1")
    root = data.get("root", DEFAULT_ROOT)
    if not isinstance(root, str) or not root or root.startswith(("/", "-")) or ".." in Path(root).parts:
        raise UsageError(f"{CONFIG_NAME}: root must be a folder inside the repository, such as decisions")
    check_root(repo, root.rstrip("/"))
    required = data.get("required") or {}
    if not isinstance(required, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(f, str) for f in v)
        for k, v in required.items()
    ):
        raise UsageError(f"{CONFIG_NAME}: required must map a record kind to a list of field names")
    for kind_name in required:
        if kind_name not in KINDS:
            raise UsageError(f"{CONFIG_NAME}: required: unknown record kind '{kind_name}' (known: {', '.join(KINDS)})")
    trailer = data.get("trailer", "Decision")
    if not isinstance(trailer, str) or not trailer.replace("-", "").isalnum():
        raise UsageError(f"{CONFIG_NAME}: trailer must be a word such as Decision")
    max_bytes = data.get("max_file_bytes", 256 * 1024)
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or not 1024 <= max_bytes <= 16 * 1024 * 1024:
        raise UsageError(f"{CONFIG_NAME}: max_file_bytes must be a whole number from 1024 to 16777216")
    protect = data.get("protect_accepted", False)
    if protect is True:
        protect = ["context", "decision", "rationale", "options", "door"]
    elif protect is False or protect is None:
        protect = []
    if not isinstance(protect, list) or not all(isinstance(f, str) for f in protect):
        raise UsageError(f"{CONFIG_NAME}: protect_accepted must be true, false or a list of decision fields")
    limit = data.get("owner_load_limit", 12)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 10_000:
        raise UsageError(f"{CONFIG_NAME}: owner_load_limit must be a whole number from 1 to 10000")
    import_owner = data.get("import_owner")
    if import_owner is not None and (not isinstance(import_owner, str) or len(import_owner) > ids.HANDLE_MAX
                                     or not ids.HANDLE_RE.match(import_owner)):
        raise UsageError(f"{CONFIG_NAME}: import_owner must be an owner's handle, such as alice")
    patterns = data.get("reference_patterns", [r"ADR-?[0-9]+"])
    if not isinstance(patterns, list) or not all(isinstance(p, str) and _regex_ok(p) for p in patterns):
        raise UsageError(f"{CONFIG_NAME}: reference_patterns must be a list of regular expressions such as 'ADR-?[0-9]+'")
    return Config(repo=repo, root=root.rstrip("/"), required=dict(required), trailer=trailer, max_file_bytes=max_bytes,
                  protect_accepted=tuple(protect), owner_load_limit=limit,
                  import_owner=import_owner, reference_patterns=tuple(patterns))


def _regex_ok(pattern: str) -> bool:
    if not pattern or len(pattern) > 200 or pattern.startswith("-") or "\n" in pattern:
        return False
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True
