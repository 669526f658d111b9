"""Focused timing of `declog why` on the 10,000-decision log of `make bench` (bench_history's
generated repository, 50,000 commits): cold (no cache) and warm medians, for a few questions.

    python bench/why_timing.py [--size 10000] [--reps 7]

The full `make bench` measures the same row ("declog why, warm", target 300 ms at 10k) among
many others; this runs only the why rows, to compare rankers quickly.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import bench_history  # noqa: E402
from common import time_command, tool  # noqa: E402

QUESTIONS = (
    ["orders", "database"],
    ["what", "did", "we", "first", "use", "for", "the", "orders", "database"],
    ["postgres"],
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--no-cold", action="store_true", help="skip the cold runs (they rebuild every cache)")
    args = parser.parse_args(argv)
    repo, _, _ = bench_history.repo_for(args.size, bench_history.COMMITS.get(args.size, args.size * 5))
    declog = tool("declog")
    cache = repo / ".git" / "declog"
    if not args.no_cold:
        cold = time_command([declog, "why", *QUESTIONS[0]], repo, reps=2,
                            before=lambda _: shutil.rmtree(cache, ignore_errors=True))
        print(f"why {' '.join(QUESTIONS[0])!r} cold: median {cold.median * 1000:.0f} ms", flush=True)
    for q in QUESTIONS:
        warm = time_command([declog, "why", *q], repo, reps=args.reps, warmup=1)
        verdict = "MET" if warm.median < 0.3 else "NOT MET"
        print(f"why {' '.join(q)!r} warm: median {warm.median * 1000:.0f} ms, min {warm.best * 1000:.0f} ms"
              f" (target 300 ms at 10k: {verdict})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
