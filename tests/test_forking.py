"""declog.storage.forking: the one rule for forking a helper onto the second core."""

from __future__ import annotations

import subprocess
import sys

import pytest

from declog.storage import forking


def test_a_running_helper_takes_its_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("threading.active_count", lambda: 1)  # pytest's own threads aside
    monkeypatch.setattr(forking, "cpus", lambda: 2)
    monkeypatch.setattr(forking, "_RUNNING", [])
    if not forking.can_fork():
        pytest.skip("no fork on this platform")
    helper = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    forking.started(helper)  # e.g. git log, started in the background by declog.history.prefetch
    assert not forking.can_fork()
    helper.communicate(b"")  # it ends: its core is free again
    assert forking.can_fork() and forking._RUNNING == []


def test_no_helper_on_one_core_or_beside_other_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forking, "_RUNNING", [])
    monkeypatch.setattr(forking, "cpus", lambda: 1)
    monkeypatch.setattr("threading.active_count", lambda: 1)
    assert not forking.can_fork()
    monkeypatch.setattr(forking, "cpus", lambda: 8)
    monkeypatch.setattr("threading.active_count", lambda: 2)
    assert not forking.can_fork()


def test_a_cold_why_gives_its_background_git_log_a_core(log_repo, run, forks: list[int],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """`declog why` on a cold index has git walk the history in the background while it reads
    the log: that git counts as a running helper, so no second parser is forked for its core
    while it runs (test_a_running_helper_takes_its_core). A cold `list` runs no git: its cold
    read forks the second parser."""
    import shutil

    from declog.storage import store
    from tests.conftest import git, new_decision

    for i in range(6):
        new_decision(run, log_repo, f"Use queue number {i} for the billing events")
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "log")
    shutil.rmtree(log_repo / ".git" / "declog")
    helpers: list[list[str]] = []
    real_started = forking.started
    monkeypatch.setattr(forking, "started", lambda h: (helpers.append(list(h.args)), real_started(h)))
    assert run(log_repo, "why", "billing queue").exit_code == 0
    assert len(helpers) == 1 and "log" in helpers[0] and "--raw" in helpers[0]

    monkeypatch.setattr(store, "PARALLEL_MIN_FILES", 2)
    shutil.rmtree(log_repo / ".git" / "declog")
    assert run(log_repo, "list").exit_code == 0
    assert len(forks) == 1
