"""Time one ``declog`` command under two code trees, in alternating pairs.

    python bench/pairs.py NEW_LOG OLD_LOG OLD_TREE [--runs N] -- why orders database

The machine's speed moves by 20-30% from one minute to the next, so a before/after figure
taken minutes apart says little. Here each run of the current code (in NEW_LOG) is followed at
once by a run of the code checked out at OLD_TREE (``git worktree add /tmp/base REV``, taken
through ``PYTHONPATH``, in OLD_LOG: a copy of the same log, so that the two versions' caches
under ``.git/declog/`` never rebuild each other's), after two warm-up runs of each; the medians
and minimums are printed. ``DECLOG_SEMANTIC`` is 0 unless set. Standard library only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("new_log", type=Path)
    parser.add_argument("old_log", type=Path)
    parser.add_argument("old_tree", type=Path, help="a checkout of the code to compare with")
    parser.add_argument("--runs", type=int, default=9)
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        parser.error("give the declog command after --, e.g. -- why orders database")
    cut = argv.index("--")
    args = parser.parse_args(argv[:cut])
    command = argv[cut + 1:]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("DECLOG_SEMANTIC", "0")
    old_env = dict(env, PYTHONPATH=str(args.old_tree.resolve()))
    declog = str(Path(sys.executable).with_name("declog"))

    def once(log: Path, run_env: dict[str, str]) -> float:
        started = time.perf_counter()
        subprocess.run([declog, *command], cwd=log, env=run_env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        return time.perf_counter() - started

    for _ in range(2):
        once(args.new_log, env)
        once(args.old_log, old_env)
    new: list[float] = []
    old: list[float] = []
    for _ in range(args.runs):
        new.append(once(args.new_log, env))
        old.append(once(args.old_log, old_env))
    print(f"declog {' '.join(command)}: new {1000 * statistics.median(new):.0f} ms (min {1000 * min(new):.0f}), "
          f"old {1000 * statistics.median(old):.0f} ms (min {1000 * min(old):.0f}), {args.runs} pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
