"""declog.storage.forking: the one rule for forking a helper onto the second core."""

from __future__ import annotations

import pytest

from declog.storage import forking


def test_a_running_helper_takes_its_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("threading.active_count", lambda: 1)  # pytest's own threads aside
    monkeypatch.setattr(forking, "cpus", lambda: 2)
    monkeypatch.setattr(forking, "_RUNNING", set())
    if not forking.can_fork():
        pytest.skip("no fork on this platform")
    forking.started(4242)  # e.g. git log, started in the background by declog.history.prefetch
    assert not forking.can_fork()
    forking.ended(4242)
    assert forking.can_fork()


def test_no_helper_on_one_core_or_beside_other_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forking, "_RUNNING", set())
    monkeypatch.setattr(forking, "cpus", lambda: 1)
    monkeypatch.setattr("threading.active_count", lambda: 1)
    assert not forking.can_fork()
    monkeypatch.setattr(forking, "cpus", lambda: 8)
    monkeypatch.setattr("threading.active_count", lambda: 2)
    assert not forking.can_fork()


def test_a_cold_why_leaves_the_second_core_to_git(log_repo, run, monkeypatch: pytest.MonkeyPatch) -> None:
    """While `declog why` has git walk the history in the background, its cold read of the log
    forks no second parser (it would take git's core)."""
    import os
    import shutil

    from declog.storage import store
    from tests.conftest import git, new_decision

    for i in range(6):
        new_decision(run, log_repo, f"Use queue number {i} for the billing events")
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "log")
    shutil.rmtree(log_repo / ".git" / "declog")
    forks: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(store, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr("threading.active_count", lambda: 1)
    monkeypatch.setattr(forking, "cpus", lambda: 2)
    assert run(log_repo, "why", "billing queue").exit_code == 0
    assert forks == []
    shutil.rmtree(log_repo / ".git" / "declog")
    assert run(log_repo, "list").exit_code == 0  # no git in the background: the cold read forks
    assert len(forks) == 1
