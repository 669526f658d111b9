"""Reading the history of the whole log in one pass.

One ``git log`` over every commit reachable from a tip, with explicit ``-M``, ``-z``, raw
output restricted to the log folder (``--relative``, which limits the diff, not the walk, so
trailers of code commits come in the same pass), ``--diff-merges=first-parent`` so a merge
commit's own changes are visible, and the trailers of the configured key, parsed as git writes
it (:func:`read_log`); one ``git cat-file --batch-check`` fed as the merges come in finds their
other sides' blobs (:class:`OtherParents`). Then one ``git cat-file --batch`` reads the new blobs
to learn each one's record ID and status, and changes are grouped by record ID: a record moved
to another folder, or renamed and rewritten in the same commit (which git sees as a delete plus
an add), keeps its whole history.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from declog.errors import GitError
from declog.history.git import HEX_RE, MAX_BLOB_BYTES, FedGit, Git
from declog.history.model import RecordEvent, Revision

SEP = b"\x1f"
REC = b"\x1e"
TRAILER_SEP = "\x1d"
_ID_RE = re.compile(rb"^(?:id|handle)[ \t]*:[ \t]*[\"']?([A-Za-z0-9._-]+)", re.M)
_STATUS_RE = re.compile(rb"^status[ \t]*:[ \t]*[\"']?([a-z-]+)", re.M)
_TRAILER_SPLIT = re.compile(r"[\s,;]+")


@dataclass
class RawEntry:
    status: str  # A M D R C T (score dropped)
    old_path: str | None
    new_path: str | None
    old_oid: str | None
    new_oid: str | None


@dataclass
class RawCommit:
    revision: Revision
    entries: list[RawEntry] = field(default_factory=list)


def log_format(trailer_key: str) -> str:
    fields = ["%H", "%P", "%at", "%aN", "%aE",
              f"%(trailers:key={trailer_key},valueonly,unfold,separator=%x1d)", "%s"]
    return "%x1e" + "%x1f".join(fields) + "%x1f"


def log_args(root: str, trailer_key: str, tip: str, exclude: Sequence[str] = ()) -> list[str]:
    if not re.fullmatch(r"[\w-]+", trailer_key):
        raise ValueError("unsafe trailer key")
    return ["-M", "--raw", "-z", "--no-abbrev", "--diff-merges=first-parent",
            f"--relative={root}/", f"--format={log_format(trailer_key)}",
            "--end-of-options", tip, *[f"^{e}" for e in exclude], "--"]


def split_trailers(raw: str) -> tuple[str, ...]:
    values: list[str] = []
    for value in raw.split(TRAILER_SEP):
        values.extend(v for v in _TRAILER_SPLIT.split(value.strip()) if v)
    return tuple(dict.fromkeys(values))


def _dec(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def is_record_path(rel: bytes | str) -> bool:
    """A path under the log's root that can hold a record, as ``store.Log`` reads them: a
    ``.yaml``/``.yml`` file, no part of its path hidden (temp files of atomic writes are)."""
    text = rel.decode("utf-8", "surrogateescape") if isinstance(rel, bytes) else rel
    parts = text.split("/")
    return text.endswith((".yaml", ".yml")) and not any(p.startswith(".") for p in parts)


def log_chunks(data: bytes, fields: int) -> Iterator[tuple[list[bytes], bytes]]:
    """Split ``git log`` output written with a REC/SEP ``--format`` and ``--raw -z`` into each
    commit's ``fields`` header values and its raw diff part (newest commit first)."""
    merged: list[bytes] = []
    for chunk in data.split(REC)[1:]:
        head = chunk.split(SEP, 1)[0]
        if merged and not HEX_RE.match(head.decode("ascii", "replace")):
            merged[-1] += REC + chunk  # an odd subject held the separator
        else:
            merged.append(chunk)
    for chunk in merged:
        end = chunk.find(SEP + b"\x00")
        if end < 0:
            end = len(chunk)
        parts = chunk[:end].split(SEP, fields - 1)
        if len(parts) == fields:
            yield parts, chunk[end + 2:].lstrip(b"\n")


def raw_entries(raw: bytes) -> Iterator[tuple[str, str, str, bytes, bytes]]:
    """``(status letter, old oid, new oid, old path, new path)`` of each entry of a ``--raw -z``
    diff (``git log --raw -z`` or ``git diff-tree --raw -z``); other tokens are passed over."""
    tokens = raw.split(b"\x00")
    i = 0
    while i < len(tokens):
        meta = tokens[i]
        fields = meta[1:].split(b" ") if meta.startswith(b":") else []
        if len(fields) < 5 or i + 1 >= len(tokens):
            i += 1
            continue
        old_oid, new_oid, status = _dec(fields[2]), _dec(fields[3]), _dec(fields[4])[:1]
        if status in ("R", "C"):
            if i + 2 >= len(tokens):
                return
            yield status, old_oid, new_oid, tokens[i + 1], tokens[i + 2]
            i += 3
        else:
            yield status, old_oid, new_oid, tokens[i + 1], tokens[i + 1]
            i += 2


def revision_of(oid: bytes, parents: bytes, atime: bytes, author: bytes, email: bytes, subject: bytes,
                trailers: tuple[str, ...] = ()) -> Revision:
    try:
        when = int(atime or b"0")
    except ValueError:
        when = 0
    return Revision(_dec(oid), tuple(_dec(parents).split()), _dec(author), _dec(email), when, _dec(subject),
                    trailers)


def parse_log(data: bytes, root: str) -> Iterator[RawCommit]:
    """Parse the output of :func:`log_args` (newest commit first)."""
    prefix = root.rstrip("/") + "/"
    for (oid, parents, atime, author, email, trailers, subject), raw in log_chunks(data, 7):
        commit = RawCommit(revision_of(oid, parents, atime, author, email, subject, split_trailers(_dec(trailers))))
        for status, old_oid, new_oid, old_path, new_path in raw_entries(raw):
            zero_old = not old_oid.strip("0")
            zero_new = not new_oid.strip("0")
            # only record files count: a committed temp file (.declog-*.tmp), a hidden file or
            # a README under the root is no version of any record
            if not is_record_path(old_path):
                zero_old = True
            if not is_record_path(new_path):
                zero_new = True
            if zero_old and zero_new:
                continue
            if status == "R" and (zero_old or zero_new):
                status = "A" if zero_old else "D"
            commit.entries.append(RawEntry(
                status,
                None if zero_old or status == "A" else prefix + _dec(old_path),
                None if zero_new or status == "D" else prefix + _dec(new_path),
                None if zero_old or status == "A" else old_oid,
                None if zero_new or status == "D" else new_oid,
            ))
        yield commit


def read_log(git: Git, root: str, trailer_key: str, tip: str, exclude: Sequence[str] = (),
             parsed: Callable[[list[RawCommit]], None] | None = None) -> list[RawCommit]:
    """The commits of :func:`log_args`, parsed as git writes them (``Git.log_pieces``): a cold
    walk parses the first commits while git is still walking the rest, and hands each batch to
    ``parsed``. The result is :func:`parse_log` of the whole output: the output is cut only
    where a commit begins, as :func:`log_chunks` would split it (:func:`_last_commit_start`)."""
    commits: list[RawCommit] = []
    pending = b""

    def take(data: bytes) -> None:
        batch = list(parse_log(data, root))
        commits.extend(batch)
        if parsed is not None:
            parsed(batch)

    for piece in git.log_pieces(log_args(root, trailer_key, tip, exclude)):
        if piece is None:  # git failed and ran again: its whole output follows
            commits, pending = [], b""
            continue
        pending += piece
        cut = _last_commit_start(pending)
        if cut > 0:
            take(pending[:cut])
            pending = pending[cut:]
    take(pending)
    return commits


def _last_commit_start(data: bytes) -> int:
    """Where the last commit of ``data`` whose header's first field is complete begins: a REC
    followed by a commit ID and SEP, which :func:`log_chunks` takes for the start of a commit
    (anything else after a REC belongs to the commit before); 0 when there is none but the first."""
    at = data.rfind(REC)
    while at > 0:
        end = data.find(SEP, at + 1, at + 70)
        if end > 0 and HEX_RE.match(data[at + 1:end].decode("ascii", "replace")):
            return at
        at = data.rfind(REC, 0, at)
    return 0


def blob_facts(git: Git, oids: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """``oid → (record ID, status)`` read from the blobs with ONE streaming ``cat-file --batch``;
    a blob too big to be any record gives ``(None, None)`` without being held in memory."""
    return {oid: facts_of(body) if body is not None else (None, None)
            for oid, _, body in git.stream_blobs(oids, MAX_BLOB_BYTES)}


def facts_of(body: bytes) -> tuple[str | None, str | None]:
    m = _ID_RE.search(body)
    s = _STATUS_RE.search(body)
    rid = _dec(m.group(1)) if m else None
    status = _dec(s.group(1)) if s else None
    if rid is None and len(body) < 256 * 1024:
        try:  # unusual YAML (flow style, odd quoting): ask the real parser
            from declog.storage import yamlio

            data = yamlio.load_record_text(body.decode("utf-8"), "blob")
            value = data.get("id", data.get("handle"))
            rid = value if isinstance(value, str) else None
            st = data.get("status")
            status = st if isinstance(st, str) else status
        except Exception:
            pass
    return rid, status


class OtherParents:
    """``(parent, path) → blob oid`` for the record paths of merge commits in their other
    parents, asked as the commits come in (:func:`read_log`): ONE ``git cat-file --batch-check``
    answers each merge's paths while git log walks on."""

    def __init__(self, git: Git) -> None:
        self.git = git
        self.wanted: dict[tuple[str, str], None] = {}
        self.check: FedGit | None = None

    def add(self, commits: Sequence[RawCommit]) -> None:
        new: list[tuple[str, str]] = []
        for c in commits:
            if len(c.revision.parents) < 2:
                continue
            for parent in c.revision.parents[1:]:
                for e in c.entries:
                    for path in {e.new_path, e.old_path}:
                        if path and "\n" not in path and (parent, path) not in self.wanted:
                            self.wanted[(parent, path)] = None
                            new.append((parent, path))
        if not new:
            return
        if self.check is None:
            self.check = self.git.start_fed(["cat-file", "--batch-check=%(objectname) %(objecttype)"])
        self.check.feed(_queries(new))

    def result(self) -> dict[tuple[str, str], str]:
        """The answers (asked again in one go when the streaming git failed: its error, if it
        fails again, is then git's own)."""
        if self.check is None:
            return {}
        try:
            data = self.check.output()
        except GitError:
            wanted = list(self.wanted)
            data = self.git.out(["cat-file", "--batch-check=%(objectname) %(objecttype)"], input=_queries(wanted))
        out: dict[tuple[str, str], str] = {}
        lines = data.decode("utf-8", "replace").split("\n")
        for key, line in zip(self.wanted, lines, strict=False):
            parts = line.split(" ")
            if len(parts) == 2 and parts[1] == "blob" and HEX_RE.match(parts[0]):
                out[key] = parts[0]
        return out


def _queries(keys: Iterable[tuple[str, str]]) -> bytes:
    """``cat-file --batch-check`` input asking for each ``(commit, path)``."""
    return "".join(f"{p}:{path}\n" for p, path in keys).encode("utf-8", "surrogateescape")


def stitch(commits: Sequence[RawCommit], facts: dict[str, tuple[str | None, str | None]],
           others: dict[tuple[str, str], str]) -> list[RecordEvent]:
    """Group each commit's file changes by record ID (newest commit first)."""
    events: list[RecordEvent] = []
    # (path, blob) → record ID for versions without one of their own (binary, empty, broken
    # YAML) that a newer commit of the same file showed to be the record's: a run of unreadable
    # versions stays in the record's history, however long
    learned: dict[tuple[str, str], str] = {}

    def rid_of(oid: str | None, path: str | None = None) -> str | None:
        if not oid:
            return None
        rid = facts.get(oid, (None, None))[0]
        return rid if rid is not None or path is None else learned.get((path, oid))

    for c in commits:
        sides: dict[str, dict[str, tuple[str, str]]] = {}
        for e in c.entries:
            old_id, new_id = rid_of(e.old_oid, e.old_path), rid_of(e.new_oid, e.new_path)
            if e.status in ("M", "R", "T"):  # a file that lost its ID (broken YAML) stays the record's
                old_id = old_id or new_id
                new_id = new_id or old_id
                if old_id and e.old_oid and e.old_path and facts.get(e.old_oid, (None, None))[0] is None:
                    learned[(e.old_path, e.old_oid)] = old_id
            if e.old_oid and e.old_path and old_id:
                sides.setdefault(old_id, {}).setdefault("old", (e.old_path, e.old_oid))
            if e.new_oid and e.new_path and new_id:
                sides.setdefault(new_id, {}).setdefault("new", (e.new_path, e.new_oid))
        for rid, side in sides.items():
            old, new = side.get("old"), side.get("new")
            if old and new:
                if old[1] == new[1]:
                    if old[0] == new[0]:
                        continue
                    action = "moved"
                else:
                    action = "changed"
                path, old_path, old_oid, new_oid = new[0], old[0], old[1], new[1]
            elif new:
                action, path, old_path, old_oid, new_oid = "created", new[0], None, None, new[1]
            elif old:
                action, path, old_path, old_oid, new_oid = "deleted", old[0], old[0], old[1], None
            else:
                continue
            other: tuple[str, ...] = ()
            if c.revision.is_merge:
                found = []
                for parent in c.revision.parents[1:]:
                    for p in (path, old_path):
                        oid = others.get((parent, p)) if p else None
                        if oid and rid_of(oid) in (rid, None):
                            found.append(oid)
                            break
                    else:
                        found.append("")
                other = tuple(found)
                # the merge only brought in the other side's version: the branch commits have it
                if new_oid is not None and new_oid in other:
                    continue
                if new_oid is None and all(o == "" for o in other):
                    continue
            status = facts.get(new_oid, (None, None))[1] if new_oid else None
            events.append(RecordEvent(c.revision, rid, action, path, old_path, old_oid, new_oid, status, other))
    return events


Facts = dict[str, tuple[str | None, str | None]]


def walk(git: Git, root: str, trailer_key: str, tip: str, exclude: Sequence[str] = (),
         lookup: Callable[[list[str]], Facts] | None = None) -> tuple[list[RawCommit], list[RecordEvent], Facts]:
    """Commits reachable from ``tip`` (not from ``exclude``), their record events, and the facts of
    the blobs that had to be read (those ``lookup`` already knows are not read again)."""
    asked = OtherParents(git)  # the merges' other sides, asked while git log walks on
    commits = read_log(git, root, trailer_key, tip, exclude, asked.add)
    oids: list[str] = []
    for c in commits:
        for e in c.entries:
            for oid in (e.old_oid, e.new_oid):
                if oid:
                    oids.append(oid)
    others = asked.result()
    oids.extend(others.values())
    unique = list(dict.fromkeys(oids))
    known = lookup(unique) if lookup is not None else {}
    fresh = blob_facts(git, [o for o in unique if o not in known])
    facts = {**known, **fresh} if fresh else known
    events = stitch(commits, facts, others)
    return commits, events, fresh
