"""The ``declog context`` commands of docs/ci.md, run as written on a real branch."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from declog.core.context import HEADING, MARKER
from tests.conftest import Result, git, new_decision

DOC = Path(__file__).resolve().parents[2] / "docs" / "ci.md"


def _commands() -> list[str]:
    """Each example's `declog context` command (folded YAML lines joined), up to the redirect."""
    text = DOC.read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if "declog context" not in line:
                continue
            command = line.split("declog context", 1)[1]
            j = i + 1
            while ">" not in command and j < len(lines):  # a folded (>-) scalar goes on
                command += " " + lines[j].strip()
                j += 1
            found.append(command.split(">", 1)[0].strip())
    return found


def test_the_doc_has_both_examples() -> None:
    assert len(_commands()) == 2
    text = DOC.read_text(encoding="utf-8")
    assert "## GitHub Actions" in text and "## GitLab CI" in text
    assert text.count(f'startswith("{MARKER}")') == 2 and f"{MARKER}\n## {HEADING}" in text


@pytest.mark.parametrize("command", _commands())
def test_the_doc_command_makes_the_comment(command: str, log_repo: Path, run: Callable[..., Result],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    rid = new_decision(run, log_repo, "Use Postgres for orders", "--scope", "src/orders/**")
    (log_repo / "src" / "orders").mkdir(parents=True)
    (log_repo / "src" / "orders" / "db.py").write_text("x = 1\n", encoding="utf-8")
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "Start")
    git(log_repo, "update-ref", "refs/remotes/origin/main", "HEAD")  # the base branch, as CI fetched it
    git(log_repo, "checkout", "-qb", "feature")
    (log_repo / "src" / "orders" / "db.py").write_text("x = 2\n", encoding="utf-8")
    git(log_repo, "commit", "-qam", f"Change orders\n\nDecision: {rid}")
    values = {"BASE_REF": "main", "SERVER_URL": "https://github.example", "REPOSITORY": "team/app",
              "HEAD_SHA": "abc123", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
              "CI_PROJECT_URL": "https://gitlab.example/team/app", "CI_COMMIT_SHA": "abc123"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    argv = [os.path.expandvars(a) for a in shlex.split(command)]
    res = run(log_repo, "context", *argv)
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith(f"{MARKER}\n## {HEADING}\n")
    assert f"#### {rid}: Use Postgres for orders" in res.stdout
    assert "/blob/abc123/decisions/" in res.stdout
