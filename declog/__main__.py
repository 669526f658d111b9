"""``python -m declog`` and the ``declog`` command (``run``)."""

from __future__ import annotations

import os
import sys
from typing import Any


def run() -> int:
    """The ``declog`` command: :func:`declog.cli.main`, with what ``declog why`` waits on started
    first (:func:`_started_early`), so git looks at the log's files while the command line loads."""
    early = _started_early(sys.argv[1:])
    from declog.cli import common, main

    common.EARLY_LOG = early
    return main()


def _started_early(argv: list[str]) -> tuple[str, Any] | None:
    """For ``declog why …`` (the command first: no option that changes folder before it), the log
    of the current folder with git's index probe started (``Log.start_probe``), before click and
    the command's code are imported: at 10,000 files git's look takes 20 to 35 ms, which the
    imports then hide. The current folder and the log, for ``declog.cli.common.open_log`` to take;
    None for any other command, or where the log cannot be opened (the command says why, later)."""
    if argv[:1] != ["why"]:
        return None
    from declog.history.worktree import IndexProbe
    from declog.storage.store import Log

    try:
        log = Log.open()
        log.probe = IndexProbe(log)
        log.start_probe()
    except Exception:  # only a head start: the command opens the log itself and says what is wrong
        return None
    return os.getcwd(), log


if __name__ == "__main__":
    sys.exit(run())
