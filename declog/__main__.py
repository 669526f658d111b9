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
    """What two commands wait on, started before click and the command's code are imported
    (``argv`` with the command first: no option that changes folder before it), for
    ``declog.cli.common.open_log`` to take with the log it belongs to:

    - ``declog why …``: the log with git's index probe started (``Log.start_probe``); at 10,000
      files git's look takes 20 to 35 ms, which the imports then hide;
    - ``declog validate --tracked …`` (the pre-commit hook): the log with git's listing of the
      tracked files started (``Log.tracked``, ``Git.index_files_later``).

    The current folder and the log; None for any other command, or where the log cannot be opened
    (the command opens it itself, and says what is wrong)."""
    command = argv[:1]
    options = argv[1:argv.index("--")] if "--" in argv else argv[1:]
    if command != ["why"] and not (command == ["validate"] and "--tracked" in options):
        return None
    from declog.storage.store import Log

    try:
        log = Log.open()
        if command == ["why"]:
            from declog.history.worktree import IndexProbe

            log.probe = IndexProbe(log)
            log.start_probe()
        else:
            from declog.history.git import Git

            log.tracked = Git(log.repo).index_files_later(log.config.root)
    except Exception:  # only a head start: the command opens the log itself and says what is wrong
        return None
    return os.getcwd(), log


if __name__ == "__main__":
    sys.exit(run())
