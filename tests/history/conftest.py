"""Helpers for history tests: commits with controlled dates and authors."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result, git


def commit(repo: Path, message: str, date: str = "2026-03-02T10:00:00Z", *, author: str = "Test Author",
           email: str = "author@example.com", add: bool = True, allow_empty: bool = False) -> str:
    """Commit everything (``git add -A``) with fixed dates; returns the new commit ID."""
    if add:
        git(repo, "add", "-A")
    env = dict(os.environ, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date, GIT_AUTHOR_NAME=author,
               GIT_AUTHOR_EMAIL=email)
    args = ["git", "commit", "-q", "-F", "-"] + (["--allow-empty"] if allow_empty else [])
    proc = subprocess.run(args, cwd=repo, input=message, text=True, capture_output=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return git(repo, "rev-parse", "HEAD").strip()


def merge(repo: Path, branch: str, date: str, *, message: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return subprocess.run(["git", "merge", "--no-ff", "-q", "-m", message or f"Merge {branch}", branch],
                          cwd=repo, text=True, capture_output=True, env=env, check=False)


def path_of(repo: Path, rid: str) -> Path:
    found = [p for p in (repo / "decisions").rglob("*.yaml") if f"id: {rid}" in p.read_text()]
    assert len(found) == 1, found
    return found[0]


def set_line(path: Path, key: str, value: str) -> None:
    """Replace (or append) a top-level ``key: value`` line."""
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"{key}:"):
            lines[i] = f"{key}: {value}"
            break
    else:
        lines.append(f"{key}: {value}")
    path.write_text("\n".join(lines) + "\n")


def as_json(res: Result) -> Any:
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.fixture
def hrun(run: Callable[..., Result]) -> Callable[..., Any]:
    """``hrun(repo, "history", ID)`` → parsed JSON output (``--format json`` added)."""

    def _h(repo: Path, *args: str) -> Any:
        return as_json(run(repo, *args, "--format", "json"))

    return _h
