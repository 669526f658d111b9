"""The commit-msg hook refuses a `Decision:` trailer naming a decision git does not track:
the commit would point at a file that is only on one person's disk."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import git, new_decision


def _message(tmp_path: Path, rid: str) -> str:
    path = tmp_path / "msg"
    path.write_text(f"Tune the orders pool\n\nDecision: {rid}\n", encoding="utf-8")
    return str(path)


def test_an_untracked_decision_is_refused_until_it_is_staged(log_repo: Path, run, tmp_path: Path) -> None:
    rid = new_decision(run, log_repo)
    msg = _message(tmp_path, rid)
    res = run(log_repo, "check-commit-msg", msg)
    assert res.exit_code == 1
    assert f"'Decision: {rid}': {rid} is not tracked by git (decisions/{rid}-use-postgres-for-orders.yaml is " \
           "neither committed nor staged): `git add` it with this commit" in res.stderr
    git(log_repo, "add", "-A")  # staged with this commit: accepted
    assert run(log_repo, "check-commit-msg", msg).exit_code == 0
    git(log_repo, "commit", "-q", "-m", "Record it")
    assert run(log_repo, "check-commit-msg", msg).exit_code == 0


def test_a_log_in_a_sub_folder(repo: Path, run, tmp_path: Path) -> None:
    assert run(repo, "init", "--root", "docs/decisions").exit_code == 0
    assert run(repo, "new", "owner", "alice", "--name", "Alice").exit_code == 0
    rid = new_decision(run, repo)
    msg = _message(tmp_path, rid[:5])
    assert run(repo, "check-commit-msg", msg).exit_code == 1
    git(repo, "add", "-A")
    assert run(repo, "check-commit-msg", msg).exit_code == 0
