"""When declog may do part of a job in a forked child on the second core: one rule for every
place that forks (a cold read's second parser, the hook's schema checks).

Fork is used only where it is safe and pays: POSIX but not macOS (whose system libraries are not
fork-safe), no thread besides the main one (a fork copies locks other threads may hold), and a
core of its own for the child: one for this process and one for each helper still running in the
background (the ``git log`` that a cold ``declog why`` starts before it reads the log, see
:func:`started`). A child that fails only means its part is done in the parent afterwards, as
without it."""

from __future__ import annotations

import os
import sys
from typing import Protocol


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
