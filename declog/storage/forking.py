"""When declog may do part of a job in a forked child on the second core: one rule for every
place that forks (a cold read's second parser, the hook's schema checks).

Fork is used only where it is safe and pays: POSIX but not macOS (whose system libraries are not
fork-safe), no thread besides the main one (a fork copies locks other threads may hold), and a
core of its own for the child: one for this process and one for each helper still running in the
background (the ``git log`` that a cold ``declog why`` starts before it reads the log, see
:func:`started`). A child that fails only means its part is done in the parent afterwards, as
without it."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any, Protocol


def cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Running(Protocol):
    def poll(self) -> int | None: ...


# helpers started in the background (a subprocess.Popen): each has a core of its own while it runs
_RUNNING: list[Running] = []


def can_fork() -> bool:
    """Whether a forked helper is safe here and has a core of its own to run on: one for this
    process and one for each helper still running (:func:`started`)."""
    if not hasattr(os, "fork") or sys.platform == "darwin":
        return False
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return False
    _RUNNING[:] = [helper for helper in _RUNNING if helper.poll() is None]  # poll() reaps an ended one
    return cpus() >= 2 + len(_RUNNING)


def started(helper: Running) -> None:
    """A helper process (e.g. a ``subprocess.Popen``) that runs on while this process goes on to
    other work: no further helper is forked for its core while ``helper.poll()`` is None."""
    _RUNNING.append(helper)


class Forked:
    """A child started by :func:`fork`: :meth:`first` gives what its ``first`` part sent (as
    soon as it has), :meth:`output` waits for it and gives what its work returned. Each is
    sent as one frame: its length (8 bytes) and its JSON text."""

    def __init__(self, pid: int, fd: int, early: bool = False) -> None:
        self.pid = pid
        self.pipe = os.fdopen(fd, "rb")
        self._early: bool = early  # a first frame not read yet
        self._failed = False

    def _frame(self) -> bytes | None:
        try:
            head = self.pipe.read(8)
            body = self.pipe.read(int.from_bytes(head, "big")) if len(head) == 8 else b""
        except (OSError, ValueError):
            body = b""
        if not body:
            self._failed = True
            return None
        return body

    def first(self) -> bytes | None:
        """The JSON text that the child's ``first`` part returned, waiting for it if need be;
        None when the child failed before (or was started without one), or it was read."""
        if not self._early or self._failed:
            return None
        self._early = False
        return self._frame()

    def output(self) -> bytes | None:
        """The JSON text the child's work returned; None when the child failed."""
        if self._early:
            self.first()
        body = None if self._failed else self._frame()
        try:
            self.pipe.close()
            _, status = os.waitpid(self.pid, 0)
        except OSError:
            return None
        return body if os.waitstatus_to_exitcode(status) == 0 else None


def fork(work: Callable[[], Any], first: Callable[[], Any] | None = None) -> Forked | None:
    """Run ``work()`` in a forked child, which sends its JSON-able result back through a pipe
    and leaves without running any cleanup; None when no child could be made. With ``first``,
    the child runs it before ``work`` and sends its result at once (:meth:`Forked.first`), so
    that the parent can take it while the child goes on. Only after :func:`can_fork` said yes."""
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child
        status = 1
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as out:
                for part in ((first, work) if first is not None else (work,)):
                    body = json.dumps(part(), separators=(",", ":")).encode("utf-8")
                    out.write(len(body).to_bytes(8, "big") + body)
                    out.flush()
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return Forked(pid, read_end, early=first is not None)
