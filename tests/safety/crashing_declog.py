"""Runs ``declog`` and SIGKILLs itself at a chosen point of a write (a test helper, not a test).

``SAFETY_CRASH_AT`` picks the point:

* ``before-replace`` – the temp file of ``store.atomic_write`` (``.declog-*.tmp``) is written and
  fsynced, the record not yet replaced (``os.replace``) or linked into place (``os.link``);
* ``after-replace`` – right after the replace, before the folder is fsynced;
* ``history-before-replace`` – a full rebuild of ``.git/declog/history.sqlite`` is written to its
  temp file (``.history-*.tmp``) but has not yet taken the old file's place: not linked, renamed
  or written over it (``declog.storage.cachedb._written_over``).

The process dies by SIGKILL, as after ``kill -9`` or the OOM killer: no ``finally`` block, no
atexit handler and no ``except BaseException`` cleanup runs. declog itself has no test hook;
this wrapper patches ``os.replace``, ``os.link`` and the caches' copy before running the real
entry point.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

POINT = os.environ.get("SAFETY_CRASH_AT", "")
_replace = os.replace
_link = os.link


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _watched(src: Any) -> str:
    name = os.path.basename(os.fspath(src))
    if name.startswith(".declog-"):
        return "record"
    if name.startswith(".history-"):
        return "history"
    return ""


def replace(src: Any, dst: Any, **kwargs: Any) -> None:
    what = _watched(src)
    if (what == "record" and POINT == "before-replace") or (what == "history" and POINT == "history-before-replace"):
        _die()
    _replace(src, dst, **kwargs)
    if what == "record" and POINT == "after-replace":
        _die()


def link(src: Any, dst: Any, **kwargs: Any) -> None:
    what = _watched(src)
    if (what == "record" and POINT == "before-replace") or (what == "history" and POINT == "history-before-replace"):
        _die()
    _link(src, dst, **kwargs)
    if what == "record" and POINT == "after-replace":
        _die()


def written_over(tmp: str, path: Any, current: Any, timeout: float) -> Any:
    if _watched(tmp) == "history" and POINT == "history-before-replace":
        _die()
    return _written_over(tmp, path, current, timeout)


os.replace = replace
os.link = link
if POINT:
    from declog.storage import cachedb

    _written_over = cachedb._written_over
    cachedb._written_over = written_over  # type: ignore[assignment]

if __name__ == "__main__":
    from declog.cli import main

    sys.exit(main(sys.argv[1:]))
