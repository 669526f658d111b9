"""What every benchmark module shares: timing whole processes and the report.

A benchmark module is ``bench/bench_NAME.py`` with a ``run(report: Report) -> None`` function;
``bench/run.py`` finds and runs them all. Inside, time commands with :func:`time_command` and
record figures with :meth:`Report.measure` (and :meth:`Report.ratio`); the report prints each
row as it comes, a summary at the end, and writes ``bench/out/results.json``.

Floors: a figure that a target bounds by what the machine allows (``python -c pass``, one FTS5
query, ``git blame --porcelain``, writing the same JSON from a dict) is measured in the same run,
just before it, and printed beside it with the ratio (``floor=`` of :meth:`Report.measure`), so
no target depends on how fast or loaded the machine is that day.

Peak memory: every timed process is reaped with ``os.wait4``, whose ``ru_maxrss`` is the largest
resident set of the process and of every descendant it waited for (git included): the peak of
the process tree's biggest member. It is spawned by a small helper process (see ``run_once``),
so the benchmark's own size does not count in it. Rows above :data:`MEMORY_LIMIT_MB` are flagged and listed in
the summary. Rows measured on logs of several sizes (``growth=True``) get their growth from the
smallest to the largest log in the summary.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
VENV_BIN = Path(sys.executable).parent
MEMORY_LIMIT_MB = 300  # issue 16: nothing above it at 10k decisions / 50k commits


def tool(name: str) -> str:
    """A console script of the benchmark's virtualenv (``declog``, ``check-jsonschema``)."""
    return str(VENV_BIN / name)


def child_env() -> dict[str, str]:
    """The environment of timed processes: bytecode is cached (under ``bench/out/pycache``) as in
    any installed copy, even where the caller sets PYTHONDONTWRITEBYTECODE; otherwise every run
    would compile declog from source and startup figures would mean nothing."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPROFILEIMPORTTIME")}
    env["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")
    return env


@dataclass
class Run:
    seconds: float
    returncode: int
    max_rss_kb: int
    cpu_seconds: float = 0.0  # user + system time of the process and the children it waited for


# Linux counts the resident set of the process that spawned a program into the program's
# ru_maxrss (exec records the old memory's peak): spawned from this benchmark, which holds the
# results and a 10k-record JSON list, every row would show at least this process's size. So the
# timed programs are spawned and reaped by a small helper process, whose own peak (about 10 MB,
# the size of ``python -c pass``) is all a row can inherit.
_SPAWNER_CODE = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    req = json.loads(line)
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(req["argv"], cwd=req["cwd"], env=req["env"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        reply = [elapsed, os.waitstatus_to_exitcode(status), usage.ru_maxrss, usage.ru_utime + usage.ru_stime]
    except OSError as exc:
        reply = {"error": str(exc)}
    print(json.dumps(reply), flush=True)
"""
_spawner: subprocess.Popen[str] | None = None


def _spawn(argv: Sequence[str], cwd: Path | None, env: dict[str, str]) -> Run:
    global _spawner
    if _spawner is None or _spawner.poll() is not None:
        _spawner = subprocess.Popen([sys.executable, "-c", _SPAWNER_CODE], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True, env=child_env())
    assert _spawner.stdin is not None and _spawner.stdout is not None
    _spawner.stdin.write(json.dumps({"argv": list(argv), "cwd": str(cwd) if cwd else None, "env": env}) + "\n")
    _spawner.stdin.flush()
    reply = json.loads(_spawner.stdout.readline())
    if isinstance(reply, dict):
        raise OSError(f"cannot run {argv[0]}: {reply['error']}")
    elapsed, code, rss, cpu = reply
    return Run(elapsed, code, int(rss), cpu)


def run_once(argv: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run a process to completion; wall time from spawn to reap, its own peak RSS (and that of
    the children it waited for) and CPU time, measured by the spawning helper (see above)."""
    return _spawn(argv, cwd, env if env is not None else child_env())


@dataclass
class Timing:
    samples: list[float]  # seconds
    max_rss_kb: int
    returncodes: list[int]
    cpu: list[float] = field(default_factory=list)  # CPU seconds of each sample (see Run.cpu_seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def best(self) -> float:
        return min(self.samples)


def time_command(argv: Sequence[str], cwd: Path | None = None, *, reps: int, warmup: int = 0,
                 before: Callable[[int], None] | None = None, expect: Sequence[int] | None = (0,),
                 env: dict[str, str] | None = None) -> Timing:
    """Run ``argv`` ``warmup`` + ``reps`` times; ``before(i)`` runs (untimed) before each run."""
    samples, codes, rss, cpu = [], [], 0, []
    for i in range(warmup + reps):
        if before is not None:
            before(i)
        r = run_once(argv, cwd, env)
        if expect is not None and r.returncode not in expect:
            raise RuntimeError(f"{' '.join(argv[:3])} … exited {r.returncode} in {cwd} (expected {list(expect)})")
        if i >= warmup:
            samples.append(r.seconds)
            cpu.append(r.cpu_seconds)
            codes.append(r.returncode)
            rss = max(rss, r.max_rss_kb)
    return Timing(samples, rss, codes, cpu)


@dataclass
class Result:
    name: str
    log: str  # "" or "1k", "10k" …
    median_ms: float
    min_ms: float
    samples_ms: list[float]
    max_rss_mb: float | None = None
    target: str = ""  # human text, e.g. "< 150 ms"
    met: bool | None = None  # None: no target
    unit: str = "ms"
    note: str = ""
    floor: str = ""  # the name of the floor row measured in the same run
    floor_ms: float | None = None  # its median
    floor_ratio: float | None = None  # median / floor median
    growth: bool = False  # compared across log sizes in the summary
    cpu_ms: float | None = None  # median CPU time (user + system, children included)


@dataclass
class Report:
    """Collects figures, prints them as they are measured, and writes them as JSON."""

    scale: float = 1.0  # repetition multiplier (``--quick`` lowers it)
    sizes: tuple[int, ...] = (1000, 10000)
    environment: dict[str, Any] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)
    _header_done: bool = False

    def reps(self, n: int) -> int:
        return max(1, round(n * self.scale))

    def env(self, key: str, value: Any) -> None:
        self.environment[key] = value
        print(f"  {key:<24} {value}", flush=True)

    def section(self, title: str) -> None:
        print(f"\n== {title}", flush=True)
        self._header_done = False

    def _row(self, r: Result) -> None:
        if not self._header_done:
            print(f"  {'benchmark':<50} {'log':>4} {'median':>9} {'min':>9} {'n':>3} {'CPU':>9} {'peak RSS':>9} "
                  f"{'floor':>9} {'x floor':>7}  {'target':<14} status", flush=True)
            self._header_done = True
        status = "" if r.met is None else ("MET" if r.met else "NOT MET")
        rss = f"{r.max_rss_mb:.0f} MB" if r.max_rss_mb else ""
        if r.max_rss_mb and r.max_rss_mb > MEMORY_LIMIT_MB:
            rss += "!"
        floor = _fmt(r.floor_ms, "ms") if r.floor_ms is not None else ""
        times = f"{r.floor_ratio:.2f}x" if r.floor_ratio is not None else ""
        cpu = _fmt(r.cpu_ms, "ms") if r.cpu_ms is not None else ""
        print(f"  {r.name:<50} {r.log:>4} {_fmt(r.median_ms, r.unit):>9} {_fmt(r.min_ms, r.unit):>9} "
              f"{len(r.samples_ms):>3} {cpu:>9} {rss:>9} {floor:>9} {times:>7}  {r.target:<14} {status}".rstrip(),
              flush=True)
        if r.floor:
            print(f"  {'':<50}      ↳ {r.floor.removeprefix('floor: ')} is the floor", flush=True)
        if r.note:
            print(f"  {'':<50}      ↳ {r.note}", flush=True)

    def measure(self, name: str, timing: Timing, *, log: str = "", under_ms: float | None = None,
                note: str = "", floor: Result | None = None, floor_at_most: float | None = None,
                growth: bool = False) -> Result:
        """Record a timing; with ``under_ms`` the median must be below it. ``floor`` is the row
        of what the machine needs at least for the same job, measured in this run: its median
        and the ratio are printed beside this one, and with ``floor_at_most`` the ratio is the
        target (instead of, or besides, ``under_ms``). ``growth``: compare across log sizes."""
        median = timing.median * 1000
        targets, met = [], []
        if under_ms is not None:
            targets.append(f"< {under_ms:g} ms")
            met.append(median < under_ms)
        ratio = median / floor.median_ms if floor is not None and floor.median_ms else None
        if floor_at_most is not None and ratio is not None:
            targets.append(f"<= {floor_at_most:g}x floor")
            met.append(ratio <= floor_at_most)
        r = Result(name, log, median, timing.best * 1000, [s * 1000 for s in timing.samples],
                   timing.max_rss_kb / 1024 if timing.max_rss_kb else None,
                   ", ".join(targets), all(met) if met else None, note=note,
                   floor=floor.name if floor is not None else "", floor_ms=floor.median_ms if floor else None,
                   floor_ratio=ratio, growth=growth,
                   cpu_ms=statistics.median(timing.cpu) * 1000 if timing.cpu else None)
        self.results.append(r)
        self._row(r)
        return r

    def ratio(self, name: str, numerator: Result, denominator: Result, *, log: str = "",
              at_most: float | None = None, note: str = "") -> Result:
        """Record ``numerator / denominator`` (of medians and of minimums)."""
        med = numerator.median_ms / denominator.median_ms
        best = numerator.min_ms / denominator.min_ms
        r = Result(name, log, med, best, [], target=f"<= {at_most:g}x" if at_most is not None else "",
                   met=(med <= at_most) if at_most is not None else None, unit="x", note=note)
        self.results.append(r)
        self._row(r)
        return r

    def growths(self) -> list[Result]:
        """For each row measured with ``growth=True`` on the smallest and the largest log: the
        ratio of its medians (targets: :data:`GROWTH_TARGETS`, else sublinear: below the ratio
        of the log sizes)."""
        by_name: dict[str, dict[int, Result]] = {}
        for r in self.results:
            size = _size(r.log)
            if r.growth and size:
                by_name.setdefault(r.name, {})[size] = r
        out = []
        for name, sizes in by_name.items():
            if len(sizes) < 2:
                continue
            small, large = min(sizes), max(sizes)
            g = sizes[large].median_ms / sizes[small].median_ms
            limit = GROWTH_TARGETS.get(name)
            target = f"<= {limit:g}x" if limit is not None else f"< {large / small:g}x (sublinear)"
            met = g <= limit if limit is not None else g < large / small
            out.append(Result(f"growth: {name}", f"{_label(small)}>{_label(large)}", g,
                              sizes[large].min_ms / sizes[small].min_ms, [], target=target, met=met, unit="x"))
        return out

    def difference(self, name: str, value: Result, reference: Result, *, log: str = "",
                   at_most_ms: float | None = None, note: str = "") -> Result:
        """Record ``value - reference`` (of medians and of minimums), in milliseconds."""
        med = value.median_ms - reference.median_ms
        best = value.min_ms - reference.min_ms
        r = Result(name, log, med, best, [], target=f"<= +{at_most_ms:g} ms" if at_most_ms is not None else "",
                   met=(med <= at_most_ms) if at_most_ms is not None else None, note=note)
        self.results.append(r)
        self._row(r)
        return r

    def summary(self) -> None:
        grown = self.growths()
        if grown:
            self.section("Growth from the smallest to the largest log (warm rows)")
            for r in grown:
                self.results.append(r)
                self._row(r)
        heavy = [r for r in self.results if r.max_rss_mb and r.max_rss_mb > MEMORY_LIMIT_MB]
        print(f"\n== Peak memory above {MEMORY_LIMIT_MB} MB", flush=True)
        for r in heavy:
            print(f"  {r.name} ({r.log or '-'}): {r.max_rss_mb:.0f} MB", flush=True)
        if not heavy:
            measured = [r.max_rss_mb for r in self.results if r.max_rss_mb]
            print(f"  none (largest: {max(measured):.0f} MB)" if measured else "  (none measured)", flush=True)
        targeted = [r for r in self.results if r.met is not None]
        print("\n== Targets", flush=True)
        for r in targeted:
            print(f"  {'MET    ' if r.met else 'NOT MET'}  {r.name} ({r.log or '-'}): "
                  f"{_fmt(r.median_ms, r.unit)} (target {r.target})", flush=True)
        if not targeted:
            print("  (none measured)")

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        body = {"environment": self.environment, "results": [asdict(r) for r in self.results]}
        path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
        print(f"\nresults written to {path}", flush=True)


# growth targets from the smallest to the largest log, by row name (issue 16); other rows: sublinear
GROWTH_TARGETS: dict[str, float] = {"declog why, warm": 1.25}


def _label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def _size(label: str) -> int:
    if label.endswith("k") and label[:-1].isdigit():
        return int(label[:-1]) * 1000
    return int(label) if label.isdigit() else 0


def _fmt(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.2f}x"
    if value >= 10_000:
        return f"{value / 1000:.1f} s"
    return f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms"
