"""The commits behind lines of a file (``git blame --porcelain``), parsed into declog's types."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from declog.history.git import HEX_RE, Git
from declog.history.model import BlameHit, Revision


def blame(git: Git, path: str, ranges: Sequence[tuple[int, int]] = ()) -> list[BlameHit]:
    """Who last touched each line of ``path`` (as in the working tree), grouped by commit,
    in the order the commits first appear in the file. Lines not committed yet have no revision."""
    return start_blame(git, path, ranges)()


def start_blame(git: Git, path: str, ranges: Sequence[tuple[int, int]] = ()) -> Callable[[], list[BlameHit]]:
    """:func:`blame` with git started now: the returned function waits for it and parses its
    output, so the caller can read the log meanwhile."""
    pending = git.start_blame_porcelain(path, ranges)
    return lambda: _hits(pending())


def _hits(data: bytes) -> list[BlameHit]:
    info: dict[str, dict[str, str]] = {}
    lines: dict[str, list[int]] = {}
    current: str | None = None
    for raw in data.split(b"\n"):
        if not raw:
            continue
        if raw.startswith(b"\t"):
            current = None
            continue
        text = raw.decode("utf-8", "replace")
        head = text.split(" ")
        if current is None and len(head) >= 3 and HEX_RE.match(head[0]) and head[1].isdigit():
            current = head[0]
            lines.setdefault(current, []).append(int(head[2]))
            info.setdefault(current, {})
            continue
        if current is not None:
            key, _, value = text.partition(" ")
            info[current].setdefault(key, value)
    hits = []
    for oid, numbers in lines.items():
        meta = info.get(oid, {})
        if not oid.strip("0"):
            hits.append(BlameHit(None, tuple(sorted(numbers))))
            continue
        try:
            when = int(meta.get("author-time", "0"))
        except ValueError:
            when = 0
        email = meta.get("author-mail", "").strip("<>")
        rev = Revision(oid, (), meta.get("author", ""), email, when, meta.get("summary", ""))
        hits.append(BlameHit(rev, tuple(sorted(numbers))))
    return hits
