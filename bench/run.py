"""`make bench`: run every ``bench/bench_*.py`` module's ``run(report)`` and print the figures.

    python bench/run.py                 # everything, logs of 1,000 and 10,000 decisions
    python bench/run.py --only core     # just bench/bench_core.py
    python bench/run.py --quick         # fewer repetitions, 1,000-decision log only

Results are printed as medians (and minimums) of whole-process wall times with each target and
MET/NOT MET beside it, and written to ``bench/out/results.json``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from common import OUT, Report, child_env, tool  # noqa: E402


def modules() -> list[str]:
    return sorted(p.stem for p in HERE.glob("bench_*.py"))


def _version(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip().splitlines()[0]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "unavailable"


def environment(report: Report) -> None:
    from importlib.metadata import version

    import declog
    from declog.storage import yamlio

    report.section("Environment")
    report.env("python", f"{platform.python_version()} ({platform.python_implementation()}, {sys.executable})")
    report.env("platform", platform.platform())
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 0
    report.env("cpus", cpus)
    report.env("declog", declog.__version__)
    for dist in ("click", "pydantic", "pydantic_core", "ruamel.yaml", "ruamel.yaml.clib", "check-jsonschema"):
        try:
            report.env(dist, version(dist))
        except Exception:
            report.env(dist, "not installed")
    report.env("ruamel C parser", yamlio.uses_c_parser())
    report.env("git", _version(["git", "--version"]))
    report.env("declog executable", tool("declog"))
    report.env("bytecode cache", child_env()["PYTHONPYCACHEPREFIX"])
    try:
        report.env("load average", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    except OSError:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="run only bench_NAME.py (repeatable); available: "
                        + ", ".join(m.removeprefix("bench_") for m in modules()))
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, smallest log only")
    parser.add_argument("--sizes", default=None, help="comma-separated log sizes (default 1000,10000)")
    parser.add_argument("--out", type=Path, default=OUT / "results.json", help="where to write the JSON results")
    args = parser.parse_args(argv)

    report = Report()
    if args.quick:
        report.scale, report.sizes = 0.4, (1000,)
    if args.sizes:
        report.sizes = tuple(int(s) for s in args.sizes.split(","))
    wanted = [m for m in modules() if not args.only or m.removeprefix("bench_") in args.only]
    if not wanted:
        parser.error(f"no benchmark module matches {args.only}")

    started = time.perf_counter()
    environment(report)
    for name in wanted:
        module = importlib.import_module(name)
        module.run(report)
    report.environment["bench_seconds"] = round(time.perf_counter() - started, 1)
    report.summary()
    report.write(args.out)
    print(f"benchmark took {report.environment['bench_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
