"""Core figures: startup, the pre-commit hook on a handful of changed records, whole-log
validation beside check-jsonschema, and listing.

Targets (docs: PRODUCT.md, "Quality bars", and issue 16): ``declog --help`` under 150 ms; the
hook on 5 changed records of a 10,000-decision log under 150 ms (beside ``python -c pass``);
``list --format json`` warm under 300 ms (beside writing the same JSON from a dict); whole-log
validation cold at most half check-jsonschema's time on the same files.
"""

from __future__ import annotations

import json
import marshal
import shutil
import subprocess
import sys
import time
from pathlib import Path

import generate
from common import OUT, Report, child_env, time_command, tool

HELP_UNDER_MS = 150
HOOK_UNDER_MS = 150
LIST_UNDER_MS = 300
VALIDATE_COLD_AT_MOST = 0.5  # x check-jsonschema, both cores
HOOK_SIZE = 10000  # the hook, list and validate targets are set on this log size
FLOORS = str(Path(__file__).resolve().parent / "floors.py")
CHANGED = 5
PARALLEL_FROM = 2000  # declog.core.validate.PARALLEL_MIN_RECORDS
# declog with the forked schema check of the hook switched off
SERIAL = ("import sys; import declog.core.validate as v; v.PARALLEL_MIN_RECORDS = 10 ** 9; "
          "from declog.cli import main; sys.argv[0] = 'declog'; sys.exit(main())")


def _label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def _schema_file() -> Path:
    """The decision JSON Schema as declog exports it (what ``schemas/`` commits)."""
    path = OUT / "decision.schema.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = subprocess.run([tool("declog"), "schema", "decision"], check=True, capture_output=True, text=True).stdout
    path.write_text(text, encoding="utf-8")
    return path


def _drop_cache(repo: Path) -> None:
    shutil.rmtree(repo / ".git" / "declog", ignore_errors=True)


def _settle(repo: Path, paths: list[str]) -> None:
    """Wait until the newest record is older than the cache's racy window (2 s), as in any
    repository that was not written a moment ago; otherwise those files are always re-hashed."""
    newest = max((repo / p).stat().st_mtime for p in paths)
    wait = newest + 2.5 - time.time()
    if wait > 0:
        time.sleep(wait)


def python_floor(report: Report, label: str = ""):  # type: ignore[no-untyped-def]
    timing = time_command([sys.executable, "-c", "pass"], reps=report.reps(9), warmup=1)
    return report.measure("floor: python -c pass", timing, log=label)


def json_floor(report: Report, repo: Path, label: str):  # type: ignore[no-untyped-def]
    """Writing the JSON that ``list --format json`` prints, from a dict already in memory
    (unmarshalled: the cheapest way a process gets it)."""
    listed = subprocess.run([tool("declog"), "list", "--format", "json"], cwd=repo, check=True,
                            capture_output=True, env=child_env()).stdout
    data = OUT / f"list-{label}.marshal"
    data.write_bytes(marshal.dumps(json.loads(listed)))
    timing = time_command([sys.executable, FLOORS, "json", str(data)], reps=report.reps(5), warmup=1)
    return report.measure("floor: write the same JSON from a dict", timing, log=label)


def startup(report: Report) -> None:
    report.section("Startup")
    floor = time_command([sys.executable, "-c", "pass"], reps=report.reps(20), warmup=2)
    report.measure("python -c pass (interpreter floor)", floor)
    helped = time_command([tool("declog"), "--help"], reps=report.reps(20), warmup=2)
    report.measure("declog --help", helped, under_ms=HELP_UNDER_MS)
    version = time_command([tool("declog"), "--version"], reps=report.reps(10), warmup=1)
    report.measure("declog --version", version)


def whole_log(report: Report, n: int, repo: Path, paths: list[str], schema: Path) -> None:
    label = _label(n)
    big = n >= 5000
    declog = tool("declog")
    cold = time_command([declog, "validate"], repo, reps=report.reps(3 if big else 5),
                        before=lambda _i: _drop_cache(repo))
    cold_r = report.measure("validate whole log, cold (no .git/declog)", cold, log=label)
    cjs = time_command([tool("check-jsonschema"), "--schemafile", str(schema), *paths], repo,
                       reps=report.reps(3 if big else 5))
    cjs_r = report.measure("check-jsonschema, same decision files", cjs, log=label,
                           note=f"{len(paths)} decision files (owners are not decisions)")
    report.ratio("validate cold / check-jsonschema", cold_r, cjs_r, log=label,
                 at_most=VALIDATE_COLD_AT_MOST if n == HOOK_SIZE else 1.0)
    warm = time_command([declog, "validate"], repo, reps=report.reps(5), warmup=1)
    warm_r = report.measure("validate whole log, warm cache", warm, log=label, growth=True)
    report.ratio("validate warm / check-jsonschema", warm_r, cjs_r, log=label, at_most=1.0)
    floor = json_floor(report, repo, label)
    listed = time_command([declog, "list", "--format", "json"], repo, reps=report.reps(5), warmup=1)
    report.measure("list --format json, warm cache", listed, log=label, floor=floor, growth=True,
                   under_ms=LIST_UNDER_MS if n == HOOK_SIZE else None)
    listed_cold = time_command([declog, "list", "--format", "json"], repo, reps=report.reps(3 if big else 5),
                               before=lambda _i: _drop_cache(repo))
    report.measure("list --format json, cold", listed_cold, log=label)


def hook(report: Report, n: int, repo: Path, paths: list[str]) -> None:
    """What a pre-commit run costs: 5 records just edited, the cache warm from an earlier run."""
    label = _label(n)
    declog = tool("declog")
    step = len(paths) // CHANGED
    chosen = [paths[i * step + step // 2] for i in range(CHANGED)]
    originals = {p: (repo / p).read_bytes() for p in chosen}

    def edit(rev: int) -> None:
        for p, raw in originals.items():
            lines = raw.decode("utf-8").splitlines(keepends=True)
            for i, line in enumerate(lines):
                if line.startswith("title: "):
                    lines[i] = f"{line.rstrip()} (revision {rev})\n"
                    break
            (repo / p).write_text("".join(lines), encoding="utf-8")

    try:
        subprocess.run([declog, "validate"], cwd=repo, check=True, capture_output=True, env=child_env())  # warm cache
        floor = python_floor(report, label)
        changed = time_command([declog, "validate", "--tracked", *chosen], repo, reps=report.reps(9), warmup=1,
                               before=edit)
        report.measure(f"hook: validate --tracked {CHANGED} changed records, warm", changed, log=label,
                       under_ms=HOOK_UNDER_MS if n == HOOK_SIZE else None, floor=floor, growth=True,
                       note="as .pre-commit-hooks.yaml runs it")
        again = time_command([declog, "validate", *chosen], repo, reps=report.reps(9), warmup=1)
        report.measure(f"hook: validate {CHANGED} records again (unchanged)", again, log=label)
        if n >= PARALLEL_FROM:
            serial = time_command([sys.executable, "-c", SERIAL, "validate", *chosen], repo, reps=report.reps(5),
                                  warmup=1, before=lambda i: edit(1000 + i))
            report.measure(f"hook: {CHANGED} changed, schema checks not forked", serial, log=label,
                           note="what the hook costs on one CPU (declog.core.validate._CheckInParallel off)")
    finally:
        for p, raw in originals.items():
            (repo / p).write_bytes(raw)


def run(report: Report) -> None:
    startup(report)
    schema = _schema_file()
    for n in report.sizes:
        report.section(f"Log of {n:,} decisions and {generate.OWNER_COUNT} owners")
        started = time.perf_counter()
        repo, paths = generate.log_for(n)
        print(f"  (log ready in {time.perf_counter() - started:.1f} s: {repo})", flush=True)
        _settle(repo, paths)
        whole_log(report, n, repo, paths, schema)
        hook(report, n, repo, paths)
