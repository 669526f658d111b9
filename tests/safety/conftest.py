"""Helpers for the safety tests: real ``declog`` processes (several at once, or killed midway),
and repositories with a few hundred commits built quickly with ``git fast-import``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import Result, git
from tests.factory import decision_yaml, owner_yaml

HERE = Path(__file__).resolve().parent
_SCRIPT = Path(sys.executable).with_name("declog")
DECLOG: list[str] = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "declog"]
CRASHING: list[str] = [sys.executable, str(HERE / "crashing_declog.py")]

OWNER = owner_yaml()


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DECLOG_TRACEBACK", None)
    root = str(HERE.parents[1])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra or {})
    return env


def declog(repo: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60,
           crash_at: str | None = None) -> Result:
    """Run declog as a real process in ``repo``; ``crash_at`` runs it under crashing_declog.py."""
    argv = (CRASHING if crash_at else DECLOG) + list(args)
    extra = dict(env or {})
    if crash_at:
        extra["SAFETY_CRASH_AT"] = crash_at
    proc = subprocess.run(argv, cwd=repo, capture_output=True, text=True, env=_env(extra), timeout=timeout,
                          check=False)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def spawn(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(DECLOG + list(args), cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(env))


def finish(procs: Sequence[subprocess.Popen[str]], timeout: float = 120) -> list[Result]:
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=timeout)
        out.append(Result(p.returncode, stdout, stderr))
    return out


def kill_after(repo: Path, delay: float, *args: str) -> int:
    """Start declog, SIGKILL it after ``delay`` seconds (if still running); its exit status."""
    proc = spawn(repo, *args)
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    return proc.returncode


def assert_no_crash(res: Result) -> None:
    """Not an internal error (exit 3) and no traceback, whatever else happened."""
    assert res.exit_code in (0, 1, 2), res.output
    assert "Traceback" not in res.output and "internal error" not in res.output, res.output


@dataclass
class Built:
    repo: Path
    ids: list[str]
    commits: int


def build_history(repo: Path, commits: int = 300, records: int = 12) -> Built:
    """A log with ``records`` decisions edited over ``commits`` commits (renames, status changes
    and ``Decision:`` trailers included), made with one ``git fast-import``; then checked out."""
    ids = [f"D-{i:02d}a{i:02d}z" for i in range(records)]
    stream: list[bytes] = []

    def blob(text: str) -> bytes:
        data = text.encode()
        return b"data %d\n" % len(data) + data + b"\n"

    t0 = 1_770_000_000
    config = "version: 1\nroot: decisions\nrequired: {}\ntrailer: Decision\n"
    paths = {rid: f"decisions/{rid}-topic-{n}.yaml" for n, rid in enumerate(ids)}
    for n in range(commits):
        when = t0 + n * 3600
        rid = ids[n % records]
        msg = f"change {n}\n\nDecision: {ids[(n * 7) % records]}\n" if n % 5 == 0 else f"change {n}\n"
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"author Dev {n % 3} <dev{n % 3}@example.com> {when} +0000\n".encode())
        stream.append(f"committer Dev <dev@example.com> {when} +0000\n".encode())
        stream.append(blob(msg))
        if n == 0:
            stream.append(b"M 100644 inline .declog.yaml\n" + blob(config))
            stream.append(b"M 100644 inline decisions/owners/alice.yaml\n" + blob(OWNER))
            for r in ids:
                text = decision_yaml(r, f"Topic {r} message queue", context="first words")
                stream.append(f"M 100644 inline {paths[r]}\n".encode() + blob(text))
            continue
        if n % 50 == 0:  # a rename now and then: history follows records by ID
            old = paths[rid]
            paths[rid] = f"decisions/{rid}-renamed-{n}.yaml"
            stream.append(f"D {old}\n".encode())
        text = decision_yaml(rid, f"Topic {rid} message queue", context=f"edit number {n}")
        stream.append(f"M 100644 inline {paths[rid]}\n".encode() + blob(text))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(stream), check=True,
                   capture_output=True)
    git(repo, "checkout", "-q", "-f", "main")
    return Built(repo, ids, commits)


_MEASURE = (
    "import resource, subprocess, sys\n"
    "proc = subprocess.run(sys.argv[1:], capture_output=True)\n"
    "sys.stdout.buffer.write(proc.stdout)\n"
    "sys.stderr.buffer.write(proc.stderr)\n"
    "sys.stderr.write('\\nPEAK_RSS_KB=%d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(proc.returncode)\n"
)


def declog_peak(repo: Path, *args: str, timeout: float = 600) -> tuple[Result, int]:
    """Run declog and measure its peak resident memory (KiB; the largest of it and the git
    processes it ran), through a fresh parent process that runs nothing else."""
    proc = subprocess.run([sys.executable, "-c", _MEASURE, *DECLOG, *args], cwd=repo, capture_output=True, text=True,
                          env=_env(None), timeout=timeout, check=False)
    stderr, _, peak = proc.stderr.rpartition("\nPEAK_RSS_KB=")
    return Result(proc.returncode, proc.stdout, stderr), int(peak.strip())
