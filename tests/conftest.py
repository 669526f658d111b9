"""Shared fixtures: real git repositories and an in-process ``declog`` runner.

``run`` goes through ``declog.cli.main`` (the real entry point, with its error handling and
exit codes), so tests see exactly what a user sees.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "EDITOR": "false",
    "VISUAL": "",
}


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DECLOG_TRACEBACK", raising=False)


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class _Entry(click.Command):
    """Lets CliRunner drive ``declog.cli.main`` itself, error handling included."""

    def main(self, args: Any = None, prog_name: Any = None, **extra: Any) -> Any:  # type: ignore[override]
        from declog.cli import main

        raise SystemExit(main(list(args or [])))


def git(repo: Path, *args: str, input: str | None = None) -> str:
    """Run git in ``repo`` and return its stdout (fails the test on error)."""
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, input=input, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


@pytest.fixture
def run() -> Callable[..., Result]:
    """``run(repo, "list", "--format", "json")`` → Result(exit_code, stdout, stderr)."""

    def _run(repo: Path | None, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        runner = CliRunner()
        cwd = os.getcwd()
        argv = (["-C", str(repo)] if repo is not None else []) + list(args)
        try:
            res = runner.invoke(_Entry("declog"), argv, input=input, env=env, catch_exceptions=False)
        finally:
            os.chdir(cwd)
        return Result(res.exit_code, res.stdout, res.stderr)

    return _run


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    """An empty git repository (no declog yet)."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    yield path


@pytest.fixture
def log_repo(repo: Path, run: Callable[..., Result]) -> Path:
    """A git repository with ``declog init`` run and one active person, ``alice``."""
    assert run(repo, "init").exit_code == 0
    assert run(repo, "new", "owner", "alice", "--name", "Alice Example").exit_code == 0
    return repo


def new_decision(run: Callable[..., Result], repo: Path, title: str = "Use Postgres for orders", *extra: str) -> str:
    """Create a proposed two-way decision owned by alice; returns its ID."""
    res = run(repo, "new", "decision", title, "--owner", "alice", "--door", "two-way",
              "--context", "Orders need transactions", "--format", "json", *extra)
    assert res.exit_code == 0, res.output
    import json

    return str(json.loads(res.stdout)["id"])


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the helpers declog forks from here on (``os.fork`` watched), with forking
    allowed as on a quiet 2-core machine: pytest's own threads and the helpers of earlier
    tests in this process aside (see declog.storage.forking)."""
    from declog.storage import forking

    found: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            found.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(forking, "_RUNNING", [])
    monkeypatch.setattr(forking, "cpus", lambda: 2)
    monkeypatch.setattr("threading.active_count", lambda: 1)  # the child runs no thread
    return found
