"""What git's index says of the log's files, in one string: a warm run's cheaper way to know that
the log is as the parse cache's snapshot saw it (``declog.storage.store.Log.state`` stats every
record file, which on a big log costs more than asking git).

:meth:`IndexProbe.state` digests the index's own checksum (its trailing hash: any change of
any entry changes it) with the record files that one ``git ls-files`` reports as differing
from the index (``--modified``, which counts a deleted file as modified: git compares the stat
data, and the content where the stat data changed) or as not in it (``--others``: new,
ignored), each with its stat data. Two runs that get the same digest see the same files: the
unlisted ones hold their index blob both times, the listed ones have the same stat data. The
log keeps, beside its snapshot, which digest it found just before a walk that matched the
snapshot (``Log._walked``); a later run with that digest takes the snapshot without walking.
Where git cannot vouch for the files the probe says nothing (None) and the log walks: no index,
an index without a trailing hash (``index.skipHash``), a file listed within the racy window, a
folder git did not look into (a nested repository), more than LISTED_AT_MOST files listed, a
git that fails, an environment that points git at another index (``GIT_INDEX_FILE``, as ``git
commit -a`` sets for its hooks) or folder. :meth:`IndexProbe.trusted` says whether git looks at
every file: no entry under the log's root marked assume-unchanged or skip-worktree (``git
ls-files -v``); the log remembers a digest only then."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from declog.errors import GitError
from declog.history.git import Git

if TYPE_CHECKING:
    from declog.storage.store import Log

LISTED_AT_MOST = 200  # files differing from the index, or not in it, beyond which the log walks
RACY_NS = 2_000_000_000  # as the parse cache's: a file changed this recently is not vouched for
HASH_BYTES = {"sha1": 20, "sha256": 32}
# set, they point git at another index or git folder than .git/index (git commit -a runs the
# pre-commit hook with a temporary index): the probe then says nothing
# git settings under which it compares less of a file's stat data than Log.state does
LAX = frozenset({*(f"core.trustctime {v}" for v in ("false", "no", "off", "0")), "core.checkstat minimal",
                 *(f"core.ignorestat {v}" for v in ("true", "yes", "on", "1"))})
REDIRECTS = ("GIT_INDEX_FILE", "GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY")


class IndexProbe:
    """The probe of one log (see the module's docstring)."""

    def __init__(self, log: Log) -> None:
        from declog.storage import config

        self.log = log
        self.git = Git(log.repo)
        self.gdir = config.git_dir(log.repo)
        self.hash_bytes = HASH_BYTES.get(config.object_format(self.gdir), 20)
        self._started: tuple[int, bytes, Callable[[], bytes]] | Literal[False] | None = None

    def _trailer(self) -> bytes | None:
        if self.gdir is None:
            return None
        try:
            with open(self.gdir / "index", "rb") as handle:
                handle.seek(-self.hash_bytes, os.SEEK_END)
                tail = handle.read(self.hash_bytes)
        except OSError:
            return None
        return tail if len(tail) == self.hash_bytes and tail.strip(b"\0") else None

    def start(self) -> None:
        """Read the index's hash and start the git process of :meth:`state` now, so that
        git works while the command imports what it needs; :meth:`state` waits for them. Once
        per :meth:`state`; nothing is started where the probe will say nothing (no index hash,
        ``GIT_INDEX_FILE`` and the like set)."""
        if self._started is not None:
            return
        if any(os.environ.get(name) for name in REDIRECTS):
            self._started = False  # git works on another index or folder than the one read here (git commit -a runs hooks so)
            return
        started, trailer = time.time_ns(), self._trailer()
        if trailer is None:
            self._started = False
            return
        root = self.log.config.root
        # one process, which reads the index once (diff-files beside ls-files --others read it
        # twice: a warm why at 10,000 files took 94 against 87 ms), and without git's threads
        # that stat the files in parallel: on a machine whose other core runs declog they cost
        # more CPU than they save (8.5 against 7.0 ms at 10,000 files, the same wall time)
        self._started = (started, trailer, self.git.start(
            ["-c", "core.preloadIndex=false", "ls-files", "-z", "--modified", "--others", "--", root]))

    def started(self) -> bool:
        """Whether :meth:`start` has git running for the next :meth:`state`."""
        return bool(self._started)

    def state(self) -> str | None:
        self.start()
        begun, self._started = self._started, None
        if begun is None or begun is False:
            return None
        started, trailer, listing = begun
        root = self.log.config.root
        try:
            listed = sorted({p for p in listing().split(b"\0") if p})
        except GitError:
            return None
        if len(listed) > LISTED_AT_MOST or any(p.endswith(b"/") for p in listed):
            return None
        digest = hashlib.sha1(trailer + root.encode("utf-8", "surrogateescape") + b"\0")
        for path in listed:
            try:
                st = os.lstat(self.log.repo / os.fsdecode(path))
            except FileNotFoundError:
                digest.update(path + b"\0-\0")
                continue
            except OSError:
                return None
            if max(st.st_mtime_ns, st.st_ctime_ns) >= started - RACY_NS:
                return None
            digest.update(path + b"\0" + f"{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino} "
                          f"{st.st_mode}".encode("ascii") + b"\0")
        return "git:" + digest.hexdigest()

    def trusted(self) -> bool:
        try:
            raw = self.git.out(["ls-files", "-z", "-v", "--", self.log.config.root])
            settings = self.git.run(["config", "--get-regexp", r"^core\.(trustctime|checkstat|ignorestat)$"],
                                    check=False).stdout.decode("utf-8", "replace").lower().split("\n")
        except GitError:
            return False
        # git compares less of the stat data than the walk does: an edit it would not see
        if any(line in LAX for line in settings):
            return False
        # the tag before each path: upper case, and not S (skip-worktree), when git looks at the file
        return all(entry[:1].isupper() and entry[:1] != b"S" for entry in raw.split(b"\0") if entry)
