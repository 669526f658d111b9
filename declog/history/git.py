"""Running git: the one place in declog that starts a git process.

Every call is an argument list (never a shell), pins the settings that shape output
(``core.quotePath=false``, no colour, no external diff, explicit rename detection), and puts
``--end-of-options`` before revisions and ``--`` before paths, so nothing a user typed and nothing
read from a record can become a git option. Revisions from users are checked first with
``git rev-parse --verify --quiet --end-of-options REV^{commit}``. Object IDs are never assumed
to be 40 characters long (SHA-256 repositories have 64).
"""

from __future__ import annotations

import atexit
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from declog.errors import GitError, UsageError
from declog.storage import forking

HEX_RE = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
# blobs larger than this are never read into memory (the largest max_file_bytes a log may set)
MAX_BLOB_BYTES = 16 * 1024 * 1024
LOG_PIECE_BYTES = 4 * 1024 * 1024  # what Git.log_pieces reads of a running git log at a time
# Settings every call pins: output declog can parse, and none of the helper programs a
# repository's config can name that declog's reads do not need (a file-system monitor; diff
# drivers, text conversions and external diffs are switched off per command below)
BASE = ("-c", "core.quotePath=false", "-c", "color.ui=false", "-c", "log.showSignature=false",
        "-c", "i18n.logOutputEncoding=UTF-8", "-c", "core.fsmonitor=false", "-c", "diff.external=",
        "-c", "core.pager=cat")


def _failed(args: Sequence[str], proc: subprocess.CompletedProcess[bytes]) -> GitError:
    """The GitError of a git command that exited with ``proc.returncode``: its first
    ``fatal:``/``error:`` line."""
    message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    first = next((m for m in message if m.startswith(("fatal:", "error:"))), message[0] if message else "")
    command = next((a for a, before in zip(args, ["", *args], strict=False) if before != "-c" and a != "-c"), "")
    return GitError(f"git {command} failed: {first or f'exit status {proc.returncode}'}")


class FedGit:
    """A git process taking its input in parts while it runs (:meth:`Git.start_fed`): threads
    drain its output meanwhile, so writing never waits on a full pipe for long."""

    def __init__(self, proc: subprocess.Popen[bytes], args: list[str]) -> None:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        self.proc, self.args = proc, args
        self._read: dict[str, bytes] = {}
        self._broken = False
        self._threads = [threading.Thread(target=self._drain, args=(name, stream), daemon=True)
                         for name, stream in (("out", proc.stdout), ("err", proc.stderr))]
        for thread in self._threads:
            thread.start()

    def _drain(self, name: str, stream: Any) -> None:
        with stream:
            self._read[name] = stream.read()

    def feed(self, data: bytes) -> None:
        """Write ``data`` to git's input now (a git that stopped reading is reported by :meth:`output`)."""
        stdin = self.proc.stdin
        if self._broken or stdin is None:
            return
        try:
            stdin.write(data)
            stdin.flush()
        except (BrokenPipeError, OSError):
            self._broken = True

    def output(self) -> bytes:
        """Close git's input, wait for it and give what it wrote; a GitError when it failed."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            self._broken = True
        for thread in self._threads:
            thread.join()
        code = self.proc.wait()
        out, err = self._read.get("out", b""), self._read.get("err", b"")
        if code != 0 or self._broken:
            raise _failed(self.args, subprocess.CompletedProcess(self.args, code, out, err))
        return out


def _refused(exc: OSError) -> Callable[[], bytes]:
    """What waits for a git that could not be started: it raises the GitError saying so."""
    error = GitError(f"could not run git: {exc.strerror or exc}")

    def refused() -> bytes:
        raise error

    return refused


def _git_binary() -> str:
    found: str | None
    if os.name == "nt":
        import shutil  # its which() knows PATHEXT; on POSIX, importing it (bz2, lzma) costs more than the search

        found = shutil.which("git")
    else:  # the first executable git on PATH; an empty entry (the current folder) is never searched
        found = next((path for folder in os.environ.get("PATH", os.defpath).split(os.pathsep) if folder
                      and os.access(path := os.path.join(folder, "git"), os.X_OK) and not os.path.isdir(path)), None)
    if found is None:
        raise GitError("git is not installed or not on PATH: install git 2.31 or newer")
    return found


# git log processes started by Git.start_log and not taken yet: (repository, arguments) →
# (process, its output file); stopped at exit
_STARTED: dict[tuple[str, tuple[str, ...]], tuple[subprocess.Popen[bytes], Any]] = {}


def _stop_started() -> None:
    for proc, sink in _STARTED.values():
        proc.kill()
        proc.wait()
        sink.close()
    _STARTED.clear()


atexit.register(_stop_started)


# an entry of ``git ls-files --stage -z`` at stage 0 (merged): mode, blob, stage, tab, path
_STAGE_ZERO = re.compile(r"[0-7]{6} ([0-9a-f]+) 0\t([^\0]*)\0")
# an entry of ``git ls-files -z -v --stage --modified``: its tag (H: cached, C: changed in the
# work tree or deleted; lower case: assume-unchanged; S: skip-worktree), mode, blob, stage, path
_TAGGED = re.compile(r"(.) ([0-7]{6}) ([0-9a-f]+) ([0-3])\t([^\0]*)\0")
# for IndexFiles: git compares all of a file's stat data, whatever the repository's settings
# say (they can make it compare less, and miss an edit that keeps the size and the mtime), and
# without its threads that stat files in parallel (on a machine whose other core runs declog
# they cost more CPU than they save)
_STRICT_STAT = ("-c", "core.trustctime=true", "-c", "core.checkStat=default", "-c", "core.ignoreStat=false",
                "-c", "core.preloadIndex=false")


@dataclass(frozen=True)
class IndexFiles:
    """What one ``git ls-files`` says of the files under a folder: the index's blob of each
    at stage 0 (``blobs``, path → OID), which of them differ from it in the work tree
    (``changed``: edited or deleted; git compares the stat data, and the content where that
    changed, so a file not listed holds its index blob), and whether that is so for every file
    (``vouched``): git looked at each (none assume-unchanged or skip-worktree), each is a plain
    file (no symlink, no submodule) and none is in a merge conflict."""

    blobs: dict[str, str]
    changed: frozenset[str]
    vouched: bool

    @classmethod
    def parse(cls, raw: bytes) -> IndexFiles:
        blobs: dict[str, str] = {}
        changed: set[str] = set()
        vouched = True
        for tag, mode, oid, stage, path in _TAGGED.findall(raw.decode("utf-8", "surrogateescape")):
            if tag == "C":
                changed.add(path)
                continue
            if stage != "0":  # in a merge conflict: not a tracked file of the commit to be
                vouched = False
                continue
            if tag != "H" or mode not in ("100644", "100755"):
                vouched = False
            blobs[path] = oid
        return cls(blobs, frozenset(changed), vouched and changed <= blobs.keys())


class Git:
    """git commands for one repository (its work-tree root)."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self._binary: str | None = None
        self._verified: dict[str, str] = {}
        self._shallow: frozenset[str] | None = None

    # -- plumbing ----------------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["GIT_OPTIONAL_LOCKS"] = "0"  # read-only: never take index.lock behind the user's back
        env["LC_ALL"] = env.get("LC_ALL") or "C"
        env.pop("GIT_EXTERNAL_DIFF", None)
        env["GIT_PAGER"] = "cat"
        return env

    def run(self, args: Sequence[str], *, input: bytes | None = None, check: bool = True,
            ok_codes: Iterable[int] = (0,)) -> subprocess.CompletedProcess[bytes]:
        if self._binary is None:
            self._binary = _git_binary()
        argv = [self._binary, *BASE, *args]
        try:
            proc = subprocess.run(argv, cwd=self.repo, input=input, capture_output=True, env=self._env(),
                                  check=False)
        except OSError as exc:
            raise GitError(f"could not run git: {exc.strerror or exc}") from None
        if check and proc.returncode not in tuple(ok_codes):
            raise _failed(args, proc)
        return proc

    def out(self, args: Sequence[str], **kwargs: object) -> bytes:
        return self.run(args, **kwargs).stdout  # type: ignore[arg-type]

    def start(self, args: Sequence[str], *, drained: bool = True) -> Callable[[], bytes]:
        """Start ``git args`` now and return what waits for its output: :meth:`out`, split in
        two, so that git works while declog reads the log. Waiting raises what :meth:`out`
        raises (a GitError), and so does a git that cannot be started. ``drained``: a thread
        reads git's output meanwhile, so a long one never stalls it; without (where a forked
        helper needs no thread running), git waits on the full pipe until it is read, and its
        error text is not kept."""
        if self._binary is None:
            self._binary = _git_binary()
        try:
            proc = subprocess.Popen([self._binary, *BASE, *args], cwd=self.repo, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE if drained else subprocess.DEVNULL,
                                    env=self._env())
        except OSError as exc:
            return _refused(exc)
        done: list[tuple[bytes, bytes]] = []
        reader = threading.Thread(target=lambda: done.append(proc.communicate()), daemon=True) if drained else None
        if reader is not None:
            reader.start()  # drains both pipes: a long output never stalls git

        def wait() -> bytes:
            if reader is not None:
                reader.join()
            stdout, stderr = done[0] if done else proc.communicate()
            if proc.returncode != 0:
                raise _failed(args, subprocess.CompletedProcess(args, proc.returncode, stdout, stderr or b""))
            return stdout

        return wait

    # -- revisions ---------------------------------------------------------------------------
    def verify_commit(self, rev: str, option: str = "REF") -> str:
        """The commit ID that ``rev`` names; a UsageError for anything else (never an option)."""
        if rev in self._verified:
            return self._verified[rev]
        if not rev or rev.startswith("-") or "\x00" in rev or "\n" in rev:
            raise UsageError(f"{option} '{rev}' is not a revision: give a branch, tag or commit such as main")
        proc = self.run(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], check=False)
        oid = proc.stdout.decode("ascii", "replace").strip()
        if proc.returncode != 0 or not HEX_RE.match(oid):
            raise UsageError(f"{option} '{rev}' does not name a commit in this repository "
                             "(try a branch, tag or commit hash: `git log --oneline`)")
        self._verified[rev] = oid
        return oid

    def head(self) -> str | None:
        """The commit at HEAD, or None in a repository with no commits yet. The same git process
        answers :meth:`shallow_boundary`'s question (every history reader asks both)."""
        proc = self.run(["rev-parse", "--is-shallow-repository", "--git-path", "shallow",
                         "--verify", "--quiet", "HEAD^{commit}"], check=False)
        lines = proc.stdout.decode("utf-8", "surrogateescape").splitlines()
        if self._shallow is None and len(lines) >= 2:
            self._shallow = self._boundary(lines[0], lines[1])
        oid = lines[2].strip() if len(lines) == 3 else ""
        return oid if proc.returncode == 0 and HEX_RE.match(oid) else None

    def shallow_boundary(self) -> frozenset[str]:
        """The commits a shallow clone stops at (their parents are not in this clone), or an
        empty set for a complete repository. Asked once per Git."""
        if self._shallow is None:
            proc = self.run(["rev-parse", "--is-shallow-repository", "--git-path", "shallow"], check=False)
            lines = proc.stdout.decode("utf-8", "surrogateescape").splitlines()
            ok = proc.returncode == 0 and len(lines) == 2
            self._shallow = self._boundary(lines[0], lines[1]) if ok else frozenset()
        return self._shallow

    def _boundary(self, flag: str, path: str) -> frozenset[str]:
        """The commits listed in the shallow file at ``path`` when ``flag`` (what
        ``--is-shallow-repository`` printed) says the clone is shallow."""
        if flag.strip() != "true":
            return frozenset()
        shallow = Path(path)
        try:
            text = (shallow if shallow.is_absolute() else self.repo / shallow).read_text("ascii", "replace")
        except OSError:
            return frozenset()
        return frozenset(line.strip() for line in text.splitlines() if HEX_RE.match(line.strip()))

    def is_ancestor(self, older: str, newer: str) -> bool:
        proc = self.run(["merge-base", "--is-ancestor", "--end-of-options", older, newer], check=False)
        return proc.returncode == 0

    def merge_base(self, a: str, b: str) -> str | None:
        proc = self.run(["merge-base", "--end-of-options", a, b], check=False)
        oid = proc.stdout.decode("ascii", "replace").strip().splitlines()
        return oid[0] if proc.returncode == 0 and oid and HEX_RE.match(oid[0]) else None

    # -- objects -----------------------------------------------------------------------------
    def cat_blobs(self, oids: Iterable[str], max_size: int = MAX_BLOB_BYTES,
                  too_big: dict[str, int] | None = None) -> dict[str, bytes]:
        """Contents of many blobs with ONE ``git cat-file --batch``; missing objects are
        skipped, and so are blobs over ``max_size`` bytes, whose sizes go to ``too_big``."""
        out: dict[str, bytes] = {}
        for oid, size, body in self.stream_blobs(oids, max_size):
            if body is not None:
                out[oid] = body
            elif too_big is not None:
                too_big[oid] = size
        return out

    def start_fed(self, args: Sequence[str]) -> FedGit:
        """Start ``git args`` now with its standard input open, for the caller to write as it
        goes (:meth:`FedGit.feed`); :meth:`FedGit.output` then closes it and gives what git
        wrote. Raises a GitError when git cannot be started."""
        if self._binary is None:
            self._binary = _git_binary()
        try:
            proc = subprocess.Popen([self._binary, *BASE, *args], cwd=self.repo, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self._env())
        except OSError as exc:
            raise GitError(f"could not run git: {exc.strerror or exc}") from None
        return FedGit(proc, list(args))

    def stream_blobs(self, oids: Iterable[str], max_size: int = MAX_BLOB_BYTES
                     ) -> Iterator[tuple[str, int, bytes | None]]:
        """``(oid, size, content)`` of each blob among ``oids``, read with ONE streaming
        ``git cat-file --batch``. Missing objects and non-blobs are skipped; a blob over
        ``max_size`` bytes comes with ``None`` as its content (drained, never held in memory:
        a 100 MB file committed into the log costs no 100 MB)."""
        wanted = [o for o in dict.fromkeys(oids) if HEX_RE.match(o)]
        if not wanted:
            return
        if self._binary is None:
            self._binary = _git_binary()
        try:
            proc = subprocess.Popen([self._binary, *BASE, "cat-file", "--batch"], cwd=self.repo,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    env=self._env())
        except OSError as exc:
            raise GitError(f"could not run git: {exc.strerror or exc}") from None
        assert proc.stdin is not None and proc.stdout is not None
        stdin, stdout = proc.stdin, proc.stdout

        def feed() -> None:
            try:
                for start in range(0, len(wanted), 2048):
                    stdin.write(("\n".join(wanted[start:start + 2048]) + "\n").encode("ascii"))
                stdin.close()
            except (BrokenPipeError, OSError):
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            for _ in wanted:
                header = stdout.readline().split(b" ")
                if len(header) == 2 and header[1].strip() == b"missing":
                    continue
                if len(header) != 3:
                    raise GitError("git cat-file: unexpected output")
                size = int(header[2])
                is_blob = header[1] == b"blob"
                if size > max_size:
                    left = size + 1
                    while left > 0:
                        chunk = stdout.read(min(left, 1 << 20))
                        if not chunk:
                            raise GitError("git cat-file: unexpected output")
                        left -= len(chunk)
                    if is_blob:
                        yield header[0].decode("ascii"), size, None
                    continue
                body = stdout.read(size + 1)  # content, then a newline
                if is_blob:
                    yield header[0].decode("ascii"), size, body[:size]
        finally:
            stdout.close()
            writer.join()
            proc.wait()

    def ls_tree(self, commit: str, folder: str) -> list[tuple[str, str]]:
        """``(path, blob oid)`` of every file under ``folder`` at ``commit``."""
        raw = self.out(["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", commit, "--", folder])
        out = []
        for entry in raw.split(b"\x00"):
            if not entry:
                continue
            meta, _, path = entry.partition(b"\t")
            parts = meta.split(b" ")
            if len(parts) == 3 and parts[1] == b"blob" and parts[0] != b"120000":  # no symlinks
                out.append((path.decode("utf-8", "surrogateescape"), parts[2].decode("ascii")))
        return out

    def index_files_later(self, folder: str) -> Callable[[], IndexFiles]:
        """Start ``git ls-files`` on ``folder`` now (see :class:`IndexFiles`); the function
        returned waits for it. Git writes to an anonymous file, not a pipe: no thread drains
        it (a forked helper needs none running), and git does not wait for declog to read."""
        args = [*_STRICT_STAT, "ls-files", "-z", "-v", "--stage", "--modified", "--", folder]
        wait = self.start_spooled(args)
        got: list[IndexFiles | GitError] = []  # waited for once, asked for as often as needed

        def files() -> IndexFiles:
            if not got:
                try:
                    got.append(IndexFiles.parse(wait()))
                except GitError as exc:
                    got.append(exc)
            if isinstance(got[0], GitError):
                raise got[0]
            return got[0]

        return files

    def start_spooled(self, args: Sequence[str]) -> Callable[[], bytes]:
        """:meth:`start` with git's output going to an anonymous file (memfd where Linux has
        it: no temporary-file module to load), read when waited for."""
        if self._binary is None:
            self._binary = _git_binary()
        try:
            if hasattr(os, "memfd_create"):
                fd = os.memfd_create("declog-git", os.MFD_CLOEXEC)
            else:  # pragma: no cover - not Linux
                import tempfile

                fd = os.dup(tempfile.TemporaryFile().fileno())
            sink = open(fd, "w+b")  # closed by wait()
        except OSError as exc:
            return _refused(exc)
        try:
            proc = subprocess.Popen([self._binary, *BASE, *args], cwd=self.repo, stdin=subprocess.DEVNULL,
                                    stdout=sink, stderr=subprocess.DEVNULL, env=self._env())
        except OSError as exc:
            sink.close()
            return _refused(exc)

        def wait() -> bytes:
            with sink:
                code = proc.wait()
                if code != 0:
                    raise _failed(args, subprocess.CompletedProcess(args, code, b"", b""))
                sink.seek(0)
                return sink.read()

        return wait

    def index_entries(self, folder: str) -> dict[str, str]:
        """``path → blob oid`` of the index (stage 0) under ``folder``."""
        raw = self.out(["ls-files", "--stage", "-z", "--", folder])
        return {path: oid for oid, path in _STAGE_ZERO.findall(raw.decode("utf-8", "surrogateescape"))}

    # -- history -----------------------------------------------------------------------------
    def _log_argv(self, args: Sequence[str]) -> list[str]:
        return ["log", "--no-color", "--no-ext-diff", "--no-textconv", *args]

    def start_log(self, args: Sequence[str]) -> None:
        """Start ``git log ARGS`` in the background, its output going to an anonymous temporary
        file, for a later :meth:`log_stream` with the same arguments (in this process, any
        :class:`Git` of the same repository) to take instead of running git then: a cold command
        reads and parses the log's files while git walks the history on the other core. Any
        failure here only means log_stream runs git itself."""
        import tempfile

        key = (str(self.repo), tuple(args))
        if key in _STARTED:
            return
        try:
            if self._binary is None:
                self._binary = _git_binary()
            sink = tempfile.TemporaryFile()
            proc = subprocess.Popen([self._binary, *BASE, *self._log_argv(args)], cwd=self.repo,
                                    stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.DEVNULL,
                                    env=self._env())
        except (OSError, GitError):
            return
        _STARTED[key] = (proc, sink)
        forking.started(proc)  # git has a core of its own: declog forks no helper while it runs

    def log_stream(self, args: Sequence[str]) -> bytes:
        """The output of ``git log ARGS``: taken from the git that :meth:`start_log` started, or
        run now."""
        out: list[bytes] = []
        for piece in self.log_pieces(args):
            if piece is None:  # the background git failed: what it wrote is dropped
                out = []
            else:
                out.append(piece)
        return b"".join(out)

    def log_pieces(self, args: Sequence[str]) -> Iterator[bytes | None]:
        """:meth:`log_stream` in pieces, as git writes them: from a git that :meth:`start_log`
        started, what it has written so far is read while it runs on (``os.pread``, which leaves
        the file's offset to git), so the caller can parse the first commits while git walks the
        rest. The pieces joined are the output. When that git fails, a None follows what was
        read of it, then the whole output of git run again in the foreground (for git's own error
        message): the caller starts over at a None."""
        started = _STARTED.pop((str(self.repo), tuple(args)), None)
        if started is not None:
            proc, sink = started
            try:
                with sink:
                    fd, offset = sink.fileno(), 0
                    while True:
                        ended = proc.poll() is not None  # before the read: nothing written after it is missed
                        piece = os.pread(fd, LOG_PIECE_BYTES, offset)
                        if piece:
                            offset += len(piece)
                            yield piece
                        elif ended:
                            break
                        else:
                            time.sleep(0.005)
            finally:
                if proc.poll() is None:  # the caller stopped reading (an error): git stops too
                    proc.kill()
                    proc.wait()
            if proc.returncode == 0:
                return
            yield None  # it failed: run it again in the foreground, for git's own error message
        yield self.out(self._log_argv(args))

    def rev_list(self, tip: str, exclude: Sequence[str] = ()) -> list[str]:
        args = ["rev-list", "--end-of-options", tip, *[f"^{e}" for e in exclude]]
        return self.out(args).decode("ascii").split()

    def changed_files(self, base: str) -> list[str]:
        """Files that differ between commit ``base`` and the working tree (committed, staged or
        not), new paths of renames included."""
        raw = self.out(["diff", "--no-color", "--no-ext-diff", "--no-textconv", "-M", "--name-only", "-z",
                        "--end-of-options", base, "--"])
        return [p.decode("utf-8", "surrogateescape") for p in raw.split(b"\x00") if p]

    def blame_porcelain(self, path: str, ranges: Sequence[tuple[int, int]], rev: str | None = None) -> bytes:
        return self.start_blame_porcelain(path, ranges, rev)()

    def start_blame_porcelain(self, path: str, ranges: Sequence[tuple[int, int]],
                              rev: str | None = None) -> Callable[[], bytes]:
        """:meth:`blame_porcelain` started now, its output when the returned function is called."""
        args = ["blame", "--porcelain", "--no-textconv", "-M", "-w"]  # the stored file, not a text conversion
        for start, end in ranges:
            args += ["-L", f"{start},{end}"]
        if rev is not None:
            args += ["--end-of-options", rev]
        args += ["--", path]
        return self.start(args)

    def interpret_trailers(self, message: bytes) -> bytes:
        return self.out(["interpret-trailers", "--parse", "--no-divider"], input=message)

    def config_get(self, key: str) -> str | None:
        proc = self.run(["config", "--get", key], check=False)
        return proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else None
